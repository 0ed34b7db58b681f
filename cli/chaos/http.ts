/**
 * Small HTTP helpers for the engine: JSON requests with a deadline, the admin token, and retries
 * for setup calls that may race a stack that just became healthy.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface JsonResponse<T = unknown> {
  status: number;
  body: T;
}

export async function requestJson<T = unknown>(
  url: string,
  options: {
    method?: string;
    body?: unknown;
    headers?: Record<string, string>;
    timeoutMs?: number;
    signal?: AbortSignal;
  } = {},
): Promise<JsonResponse<T>> {
  const signals = [AbortSignal.timeout(options.timeoutMs ?? 10_000)];
  if (options.signal) signals.push(options.signal);
  const response = await fetch(url, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.any(signals),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: keep the text for the error message.
  }
  return { status: response.status, body: body as T };
}

/** Retries a request on network errors and 5xx (setup only: never for the workload's operations). */
export async function withRetries<T>(
  what: string,
  attempt: () => Promise<JsonResponse<T>>,
  options: { attempts?: number; signal?: AbortSignal } = {},
): Promise<JsonResponse<T>> {
  const attempts = options.attempts ?? 8;
  let last: unknown;
  for (let index = 0; index < attempts; index++) {
    options.signal?.throwIfAborted();
    try {
      const response = await attempt();
      if (response.status < 500) return response;
      last = new Error(`${what}: HTTP ${response.status} ${JSON.stringify(response.body)}`);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      last = error;
    }
    await sleep(Math.min(250 * 2 ** index, 3000));
  }
  throw last instanceof Error ? last : new Error(`${what} failed`);
}
