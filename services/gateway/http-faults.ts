/**
 * HTTP faults on the gateway's calls to one service (the `gateway.<service>` links): the first N
 * calls, or a fraction of them, fail with a status or with a reset connection, as if the service
 * had answered so. Toxiproxy works on bytes and cannot answer with a status, and the docker
 * runtime runs the real Toxiproxy, so these live here, in the gateway's upstream layer: both
 * runtimes have them, and the client sees exactly what a failing service would give it.
 *
 * Set through the gateway's own `POST /admin/faults {"http_error": {"<service>": {...} | null}}`,
 * cleared by `POST /admin/reset`; like every fault hook they live in the process.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HttpError, parseInput, requireAdmin } from '../kit/http.ts';
import { mulberry32 } from '../kit/random.ts';

const httpFault = z
  .strictObject({
    /** The status the call answers with; absent with `reset`. */
    status: z.number().int().min(400).max(599).optional(),
    /** The connection is reset instead of answered. */
    reset: z.boolean().default(false),
    /** Fail the next `first` calls, then pass. */
    first: z.number().int().positive().optional(),
    /** Fail each call with this probability. */
    probability: z.number().min(0).max(1).optional(),
    /** Seeds the probability's draws: the same seed, the same calls fail. */
    seed: z.number().int().min(0).max(0xffff_ffff).optional(),
  })
  .refine((fault) => (fault.first === undefined) !== (fault.probability === undefined), {
    error: 'an http_error needs exactly one of `first` or `probability`',
  })
  .refine((fault) => fault.reset !== (fault.status !== undefined), {
    error: 'an http_error needs exactly one of `status` or `reset: true`',
  });
export type HttpFault = z.output<typeof httpFault>;

const faultsBody = z.strictObject({ http_error: z.record(z.string(), httpFault.nullable()) });

/** What one upstream call should do: go through, answer a status, or have its connection reset. */
export type HttpFaultDecision = { kind: 'pass' } | { kind: 'status'; status: number } | { kind: 'reset' };

interface Armed {
  fault: HttpFault;
  remaining: number | undefined;
  draw: () => number;
  injected: number;
}

export class HttpFaults {
  readonly #armed = new Map<string, Armed>();
  readonly #services: readonly string[];

  constructor(services: readonly string[]) {
    this.#services = services;
  }

  set(service: string, fault: HttpFault | null): void {
    if (fault === null) this.#armed.delete(service);
    else
      this.#armed.set(service, {
        fault,
        remaining: fault.first,
        draw: fault.seed === undefined ? Math.random : mulberry32(fault.seed),
        injected: 0,
      });
  }

  decide(service: string): HttpFaultDecision {
    const armed = this.#armed.get(service);
    if (!armed) return { kind: 'pass' };
    if (armed.remaining !== undefined) {
      if (armed.remaining === 0) return { kind: 'pass' };
      armed.remaining -= 1;
    } else if (armed.draw() >= armed.fault.probability!) return { kind: 'pass' };
    armed.injected += 1;
    return armed.fault.reset ? { kind: 'reset' } : { kind: 'status', status: armed.fault.status! };
  }

  snapshot(): { http_error: Record<string, (HttpFault & { injected: number }) | null> } {
    return {
      http_error: Object.fromEntries(
        this.#services.map((service) => {
          const armed = this.#armed.get(service);
          return [service, armed ? { ...armed.fault, injected: armed.injected } : null];
        }),
      ),
    };
  }

  reset(): void {
    this.#armed.clear();
  }

  /** GET/POST /admin/faults and POST /admin/reset on the gateway, behind the admin secret. */
  register(app: FastifyInstance, adminToken: string | undefined): void {
    app.get('/admin/faults', async (request: FastifyRequest) => {
      requireAdmin(request, adminToken);
      return this.snapshot();
    });
    app.post('/admin/faults', async (request: FastifyRequest) => {
      requireAdmin(request, adminToken);
      const body = parseInput(faultsBody, request.body);
      const unknown = Object.keys(body.http_error).filter((service) => !this.#services.includes(service));
      if (unknown.length > 0)
        throw new HttpError(
          400,
          'E_UNKNOWN_UPSTREAM',
          `the gateway has no upstream '${unknown[0]}' (${this.#services.join(', ')})`,
        );
      for (const [service, fault] of Object.entries(body.http_error)) this.set(service, fault);
      request.log.warn({ faults: this.snapshot() }, 'fault hooks changed');
      return this.snapshot();
    });
    app.post('/admin/reset', async (request: FastifyRequest) => {
      requireAdmin(request, adminToken);
      this.reset();
      return this.snapshot();
    });
  }
}
