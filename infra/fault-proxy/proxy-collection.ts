/**
 * Every proxy by name (Toxiproxy's ProxyCollection): guards duplicate names and implements
 * populate's create-or-replace.
 */
import { ApiError, errors } from './api-error.ts';
import { decodeStruct } from './json-body.ts';
import { type ProxyConfig, ToxicProxy } from './proxy.ts';
import type { Random } from './random.ts';

const PROXY_FIELDS = { name: 'string', listen: 'string', upstream: 'string', enabled: 'bool' } as const;

/** A proxy as a create/populate body gives it; `enabled` absent means true. */
interface ProxyInput extends ProxyConfig {
  enabled: boolean;
}

function decodeProxy(body: unknown, where: string): Partial<ProxyInput> {
  return decodeStruct(body, where, PROXY_FIELDS) as Partial<ProxyInput>;
}

export class ProxyCollection {
  readonly #proxies = new Map<string, ToxicProxy>();
  readonly #random: Random;

  constructor(random: Random) {
    this.#random = random;
  }

  /** By name, sorted, as Go marshals a map. */
  all(): ToxicProxy[] {
    return [...this.#proxies.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get(name: string): ToxicProxy {
    const proxy = this.#proxies.get(name);
    if (proxy === undefined) throw errors.proxyNotFound;
    return proxy;
  }

  /** POST /proxies. Not added when it cannot bind (500). */
  async create(body: unknown): Promise<ToxicProxy> {
    const input = decodeProxy(body, 'toxiproxy.Proxy');
    if (!input.name) throw errors.missingField.with('name');
    if (!input.upstream) throw errors.missingField.with('upstream');
    if (this.#proxies.has(input.name)) throw errors.proxyAlreadyExists;
    const proxy = new ToxicProxy(
      { name: input.name, listen: input.listen ?? '', upstream: input.upstream },
      this.#random,
    );
    if (input.enabled ?? true) await proxy.start();
    this.#proxies.set(proxy.name, proxy);
    return proxy;
  }

  /**
   * POST /populate: every proxy is checked first; then each is created, kept as it is (toxics and
   * connections included) when its listen and upstream match, or replaced when they differ.
   * Proxies done before a failure stay; the failure comes back with them.
   */
  async populate(body: unknown): Promise<{ proxies: ToxicProxy[]; error?: ApiError }> {
    // JSON null decodes to an empty list in Go.
    const list = body === null ? [] : body;
    if (!Array.isArray(list)) {
      throw errors.badRequestBody.with(
        `json: cannot unmarshal ${typeof list} into Go value of type []toxiproxy.Proxy`,
      );
    }
    const inputs = list.map((item) => decodeProxy(item, 'toxiproxy.Proxy'));
    inputs.forEach((input, index) => {
      if (!input.name) throw errors.missingField.with(`name at proxy ${index + 1}`);
      if (!input.upstream) throw errors.missingField.with(`upstream at proxy ${index + 1}`);
    });
    const proxies: ToxicProxy[] = [];
    for (const input of inputs) {
      const config = { name: input.name ?? '', listen: input.listen ?? '', upstream: input.upstream ?? '' };
      try {
        proxies.push(await this.#addOrReplace(config, input.enabled ?? true));
      } catch (error) {
        return {
          proxies,
          error: error instanceof ApiError ? error : new ApiError((error as Error).message, 500),
        };
      }
    }
    return { proxies };
  }

  async #addOrReplace(config: ProxyConfig, enabled: boolean): Promise<ToxicProxy> {
    const existing = this.#proxies.get(config.name);
    if (existing) {
      if (!existing.differs(config)) return existing;
      await existing.stop();
    }
    const proxy = new ToxicProxy(config, this.#random);
    if (enabled) await proxy.start();
    this.#proxies.set(proxy.name, proxy);
    return proxy;
  }

  async remove(name: string): Promise<void> {
    const proxy = this.get(name);
    await proxy.stop();
    this.#proxies.delete(name);
  }

  /** POST /reset: every proxy enabled, every toxic removed. */
  async reset(): Promise<void> {
    for (const proxy of this.#proxies.values()) {
      await proxy.start();
      await proxy.toxics.reset();
    }
  }

  async clear(): Promise<void> {
    for (const name of [...this.#proxies.keys()]) await this.remove(name);
  }
}
