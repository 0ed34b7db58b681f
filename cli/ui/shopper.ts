/**
 * The console shops as a learner would, through the gateway only: one customer registered (or
 * logged in again) for the learner, the demo bakery menu (cli/commands/seed.ts) seeded through the
 * admin endpoints when the catalog is empty, orders placed from that catalog, and a small load of
 * N orders at R per second.
 */
import { createHmac } from 'node:crypto';
import { LabError } from '../../common/errors.ts';
import { requestJson } from '../chaos/http.ts';
import { seedDemoShop } from '../commands/seed.ts';

export interface Product {
  id: string;
  sku: string;
  name: string;
  price_cents: number;
}

const EMAIL = 'learner@console.lab';
const TOP_UP_CENTS = 1_000_000;

export interface LoadProgress {
  orders: number;
  rate: number;
  placed: number;
  failed: number;
  running: boolean;
}

export class Shopper {
  readonly #gatewayUrl: string;
  readonly #adminToken: string;
  #token: string | undefined;
  load: LoadProgress | undefined;
  #stopLoad: AbortController | undefined;

  constructor(options: { gatewayUrl: string; adminToken: string }) {
    this.#gatewayUrl = options.gatewayUrl;
    this.#adminToken = options.adminToken;
  }

  #url(route: string): string {
    return new URL(route, this.#gatewayUrl).href;
  }

  async products(): Promise<Product[]> {
    const { status, body } = await requestJson<{ products: Product[] }>(this.#url('/api/catalog/products'), {
      timeoutMs: 5000,
    });
    if (status !== 200) throw upstream('the catalog', status, body);
    return body.products;
  }

  /** The catalog, after seeding the demo bakery menu (as `lab up` does) if it is empty. */
  async catalog(): Promise<Product[]> {
    const products = await this.products();
    if (products.length > 0) return products;
    await seedDemoShop({ gatewayUrl: this.#gatewayUrl, adminToken: this.#adminToken });
    return this.products();
  }

  /** The learner's JWT: registered on first use, logged in again after a console restart. */
  async #customerToken(): Promise<string> {
    if (this.#token) return this.#token;
    // Derived from the home's secret: the same password after a console restart, guessable by no one.
    const password = createHmac('sha256', this.#adminToken).update(EMAIL).digest('hex');
    let answer = await requestJson<{ token: string }>(this.#url('/api/auth/register'), {
      body: { email: EMAIL, password },
    });
    if (answer.status === 409)
      answer = await requestJson<{ token: string }>(this.#url('/api/auth/login'), {
        body: { email: EMAIL, password },
      });
    if (answer.status !== 200 && answer.status !== 201)
      throw upstream('registering the learner', answer.status, answer.body);
    const token = answer.body.token;
    const topUp = await requestJson(this.#url('/api/payment/account/top-up'), {
      body: { amount_cents: TOP_UP_CENTS },
      headers: { authorization: `Bearer ${token}` },
    });
    if (topUp.status !== 200) throw upstream('topping up the learner', topUp.status, topUp.body);
    this.#token = token;
    return token;
  }

  async placeOrder(lines: Array<{ sku: string; quantity: number }>): Promise<{ id: string; status: string }> {
    const token = await this.#customerToken();
    const { status, body } = await requestJson<{ order: { id: string; status: string } }>(
      this.#url('/api/order/orders'),
      { body: { lines }, headers: { authorization: `Bearer ${token}` } },
    );
    if (status !== 202 && status !== 201) throw upstream('placing the order', status, body);
    return body.order;
  }

  /** N orders at R per second, one or two random lines each; at most 32 requests in flight. */
  startLoad(options: { orders: number; rate: number; products: Product[] }): LoadProgress {
    this.#stopLoad?.abort();
    const controller = new AbortController();
    this.#stopLoad = controller;
    const progress: LoadProgress = {
      orders: options.orders,
      rate: options.rate,
      placed: 0,
      failed: 0,
      running: true,
    };
    this.load = progress;
    const pick = () => options.products[Math.floor(Math.random() * options.products.length)]!;
    const started = Date.now();
    let inFlight = 0;
    const run = async () => {
      for (let index = 0; index < options.orders && !controller.signal.aborted; index++) {
        const due = started + (index * 1000) / options.rate;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
        while (inFlight >= 32) await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight++;
        const lines = [{ sku: pick().sku, quantity: 1 + Math.floor(Math.random() * 2) }];
        this.placeOrder(lines)
          .then(
            () => progress.placed++,
            () => progress.failed++,
          )
          .finally(() => inFlight--);
      }
      while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      progress.running = false;
    };
    void run();
    return progress;
  }

  stopLoad(): void {
    this.#stopLoad?.abort();
  }
}

function upstream(what: string, status: number, body: unknown): LabError {
  const message = (body as { error?: { message?: string } })?.error?.message ?? JSON.stringify(body);
  return new LabError('E_UPSTREAM', `${what} failed: HTTP ${status} ${message}`);
}
