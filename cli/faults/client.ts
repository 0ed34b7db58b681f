/**
 * The lab's one way to drive network faults: toxiproxy-node-client against the lab's fault proxy
 * (local runtime) or a real Toxiproxy (docker runtime). Used by `lab fault` and the chaos engine.
 * Results say what changed, so callers can report it.
 */
import { Toxiproxy, ToxiproxyError } from 'toxiproxy-node-client';
import { badInput, infrastructureFailure, LabError } from '../../common/errors.ts';
import type { LinkTarget } from '../runtime/local/fault-proxy.ts';
import type { ToxicRequest } from './toxics.ts';

export interface ToxicState {
  name: string;
  type: string;
  stream: 'upstream' | 'downstream';
  toxicity: number;
  attributes: Record<string, number>;
}

export interface LinkState {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicState[];
}

export interface ResetResult {
  /** Links that were down and are up again. */
  enabled: string[];
  /** Toxics that were removed, by link. */
  removed: { link: string; toxic: string }[];
}

/** The HTTP status of a failed toxiproxy-node-client call (its error carries only the message). */
function statusOf(error: unknown): number | undefined {
  if (!(error instanceof ToxiproxyError)) return undefined;
  const match = /status code (\d+)/.exec(error.message);
  return match ? Number(match[1]) : undefined;
}

export class FaultClient {
  readonly url: string;
  readonly #toxiproxy: Toxiproxy;

  constructor(url: string) {
    this.url = url;
    this.#toxiproxy = new Toxiproxy(url);
  }

  /** Runs a client call; an unreachable proxy is an infrastructure failure (exit 3). */
  async #call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof LabError) throw error;
      if (statusOf(error) === undefined) {
        throw infrastructureFailure(
          'E_FAULT_PROXY_UNREACHABLE',
          `cannot reach the fault proxy at ${this.url} (${what}): ${(error as Error).message}`,
          'Is the stack up (`lab status`)? LAB_FAULT_PROXY_URL overrides the address.',
          error,
        );
      }
      throw error;
    }
  }

  /** Every link with its toxics (the client's getAll drops toxics, so this reads the raw answer). */
  async links(): Promise<LinkState[]> {
    return this.#call('list links', async () => {
      const response = await this.#toxiproxy.getApi().get(`${this.url}/proxies`);
      const proxies = (response.data ?? {}) as Record<string, LinkState>;
      return Object.values(proxies).sort((a, b) => a.name.localeCompare(b.name));
    });
  }

  async link(name: string): Promise<LinkState> {
    const link = (await this.links()).find((candidate) => candidate.name === name);
    if (!link) throw badInput('E_UNKNOWN_LINK', `the fault proxy has no link '${name}'.`);
    return link;
  }

  async addToxic(link: string, request: ToxicRequest): Promise<ToxicState> {
    return this.#call('add a toxic', async () => {
      try {
        const proxy = await this.#toxiproxy.get(link);
        const toxic = await proxy.addToxic({
          name: request.name ?? `${request.type}_${request.stream}`,
          type: request.type as never,
          stream: request.stream,
          toxicity: request.toxicity,
          attributes: request.attributes,
        });
        return toxic.toJson() as ToxicState;
      } catch (error) {
        const name = request.name ?? `${request.type}_${request.stream}`;
        if (statusOf(error) === 409) {
          throw badInput(
            'E_TOXIC_EXISTS',
            `${link} already has a toxic named '${name}'.`,
            `Remove it first (lab fault remove ${link} ${name}) or give this one --name.`,
          );
        }
        if (statusOf(error) === 400) {
          throw badInput('E_TOXIC_REFUSED', `the fault proxy refused ${request.type} on ${link} (HTTP 400).`);
        }
        if (statusOf(error) === 404)
          throw badInput('E_UNKNOWN_LINK', `the fault proxy has no link '${link}'.`);
        throw error;
      }
    });
  }

  async removeToxic(link: string, toxic: string): Promise<void> {
    await this.#call('remove a toxic', async () => {
      try {
        const proxy = await this.#toxiproxy.get(link);
        const found = await proxy.getToxic(toxic);
        await found.remove();
      } catch (error) {
        if (statusOf(error) === 404) throw badInput('E_UNKNOWN_TOXIC', `${link} has no toxic '${toxic}'.`);
        throw error;
      }
    });
  }

  /** Enables or disables a link; `changed` is false when it already was so. */
  async setEnabled(link: string, enabled: boolean): Promise<{ changed: boolean; link: LinkState }> {
    return this.#call(enabled ? 'enable a link' : 'disable a link', async () => {
      const proxy = await this.#toxiproxy.get(link);
      const changed = proxy.enabled !== enabled;
      if (changed) await proxy.update({ listen: proxy.listen, upstream: proxy.upstream, enabled });
      return { changed, link: await this.link(link) };
    });
  }

  /** Every link up, every toxic removed; reports what that changed. */
  async reset(): Promise<ResetResult> {
    const before = await this.links();
    await this.#call('reset', () => this.#toxiproxy.reset());
    return {
      enabled: before.filter((link) => !link.enabled).map((link) => link.name),
      removed: before.flatMap((link) => link.toxics.map((toxic) => ({ link: link.name, toxic: toxic.name }))),
    };
  }

  /** Creates the links (idempotent with fixed listen ports: existing links, toxics and connections stay). */
  async populate(targets: readonly LinkTarget[]): Promise<LinkState[]> {
    await this.#call('create links', async () => {
      await this.#toxiproxy.populate(targets.map((target) => ({ ...target, enabled: true })));
    });
    const names = new Set(targets.map((target) => target.name));
    return (await this.links()).filter((link) => names.has(link.name));
  }
}
