import { HttpError } from '../kit/http.ts';

export interface UpstreamResponse {
  status: number;
  body: unknown;
}

/**
 * Calls a service's internal API. A refused connection, a timeout or a non-JSON answer becomes
 * 503 E_UPSTREAM_UNAVAILABLE; the service's own 4xx answers pass through as they are.
 */
export async function callUpstream(
  service: string,
  baseUrl: string,
  path: string,
  options: { method?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<UpstreamResponse> {
  let response: Response;
  try {
    response = await fetch(new URL(path, baseUrl), {
      method: options.method ?? 'GET',
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw new HttpError(
      503,
      'E_UPSTREAM_UNAVAILABLE',
      `${service} is unavailable: ${(error as Error).message}`,
    );
  }
  const text = await response.text();
  try {
    return { status: response.status, body: text === '' ? {} : JSON.parse(text) };
  } catch {
    throw new HttpError(
      503,
      'E_UPSTREAM_UNAVAILABLE',
      `${service} answered ${response.status} with a non-JSON body`,
    );
  }
}

/** Passes a 4xx from a service through (with its code); anything 5xx is the gateway's 503. */
export function expectOk(service: string, response: UpstreamResponse): unknown {
  if (response.status < 300) return response.body;
  const error = (response.body as { error?: { code?: string; message?: string } }).error;
  if (response.status < 500)
    throw new HttpError(
      response.status,
      error?.code ?? 'E_BAD_REQUEST',
      error?.message ?? `${service} refused the request`,
    );
  throw new HttpError(
    503,
    'E_UPSTREAM_UNAVAILABLE',
    `${service} failed: ${error?.message ?? response.status}`,
  );
}
