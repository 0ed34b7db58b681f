/**
 * The setup phase: the scenario's products and customers, created through the gateway's admin
 * API. Names are suffixed with the run's tag, so a stack that already ran other scenarios keeps
 * their data apart and the checks look only at this run's rows.
 */
import { randomBytes } from 'node:crypto';
import { infrastructureFailure } from '../../common/errors.ts';
import type { RunScope } from './checks/types.ts';
import { requestJson, withRetries } from './http.ts';
import type { Scenario } from './schema.ts';
import type { WorkloadCustomer } from './workload.ts';

export interface SetupResult {
  scope: Omit<RunScope, 'duplicatesInjected'>;
  customers: WorkloadCustomer[];
  skus: string[];
}

interface SetupOptions {
  scenario: Scenario;
  gatewayUrl: string;
  adminToken: string;
  runTag: string;
  startedAt: Date;
  signal: AbortSignal;
  log(message: string): void;
}

const CREATE_CONCURRENCY = 4;

async function inParallel<T, R>(
  items: T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function expectCreated<T>(what: string, response: { status: number; body: unknown }): T {
  if (response.status !== 201 && response.status !== 200)
    throw infrastructureFailure(
      'E_SETUP',
      `setup could not create ${what}: HTTP ${response.status} ${JSON.stringify(response.body)}`,
      'Is the stack healthy? See `lab status` and `lab logs`.',
    );
  return response.body as T;
}

export async function runSetup(options: SetupOptions): Promise<SetupResult> {
  const { scenario, gatewayUrl, adminToken, runTag, signal } = options;
  const headers = { 'x-lab-admin-token': adminToken };
  const url = (path: string) => new URL(path, gatewayUrl).href;

  const products = await inParallel(scenario.setup.products, CREATE_CONCURRENCY, async (product) => {
    const sku = `${product.sku}-${runTag}`;
    const response = await withRetries(
      `create product ${sku}`,
      () =>
        requestJson(url('/api/admin/products'), {
          headers,
          signal,
          body: {
            sku,
            name: product.sku,
            price_cents: product.price,
            ...(product.stock > 0 ? { stock: { units: product.stock } } : {}),
            ...(product.schedule ? { schedule: product.schedule } : {}),
          },
        }),
      { signal },
    );
    const body = expectCreated<{ product: { id: string } }>(`product ${sku}`, response);
    return { id: body.product.id, sku, priceCents: product.price, initialUnits: product.stock };
  });
  options.log(`created ${products.length} products (${products.map((product) => product.sku).join(', ')})`);

  // Passwords are per run and never printed: customers only ever use the token the API returns.
  const password = randomBytes(12).toString('hex');
  const indexes = Array.from({ length: scenario.setup.customers }, (_, index) => index);
  const customers = await inParallel(indexes, CREATE_CONCURRENCY, async (index) => {
    const email = `customer-${index + 1}-${runTag}@lab.test`;
    const response = await withRetries(
      `create customer ${email}`,
      () =>
        requestJson(url('/api/admin/customers'), {
          headers,
          signal,
          body: { email, password, balance_cents: scenario.setup.balance },
        }),
      { signal },
    );
    // A retry after an attempt that timed out but registered the customer finds the email taken.
    if (response.status === 409) return adoptCustomer({ ...options, email, password, url });
    const body = expectCreated<{ user: { id: string }; token: string }>(`customer ${email}`, response);
    return { id: body.user.id, token: body.token };
  });
  options.log(`created ${customers.length} customers with ${scenario.setup.balance / 100} each`);

  return {
    scope: {
      customerIds: customers.map((customer) => customer.id),
      products,
      initialBalanceCents: scenario.setup.balance * scenario.setup.customers,
      startedAt: options.startedAt,
    },
    customers,
    skus: products.map((product) => product.sku),
  };
}

/**
 * The customer an earlier attempt of this setup registered (its answer lost to a timeout): log in
 * with the run's password, and top the account up to the scenario's balance if that attempt's
 * top-up did not arrive.
 */
async function adoptCustomer(
  options: SetupOptions & {
    email: string;
    password: string;
    url(path: string): string;
  },
): Promise<WorkloadCustomer> {
  const { email, password, url, signal } = options;
  const login = await withRetries(
    `log in ${email}`,
    () => requestJson(url('/api/auth/login'), { body: { email, password }, signal }),
    { signal },
  );
  const { user, token } = expectCreated<{ user: { id: string }; token: string }>(`customer ${email}`, login);
  const auth = { authorization: `Bearer ${token}` };
  const account = await withRetries(
    `read the account of ${email}`,
    () => requestJson<{ balance_cents?: number }>(url('/api/payment/account'), { headers: auth, signal }),
    { signal },
  );
  const missing =
    options.scenario.setup.balance - (account.status === 200 ? (account.body.balance_cents ?? 0) : 0);
  if (missing > 0)
    expectCreated(
      `the balance of ${email}`,
      await withRetries(
        `top up ${email}`,
        () =>
          requestJson(url('/api/payment/account/top-up'), {
            headers: auth,
            body: { amount_cents: missing },
            signal,
          }),
        { signal },
      ),
    );
  options.log(`customer ${email} was registered by an attempt that timed out: logged in instead`);
  return { id: user.id, token };
}
