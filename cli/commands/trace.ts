import path from 'node:path';
import type { Command } from 'commander';
import { badInput } from '../../common/errors.ts';
import type { OperationEntry } from '../chaos/history.ts';

export function registerTrace(program: Command): void {
  program
    .command('trace')
    .description("one order's saga in the terminal: each event, which service, when, duplicates, spans")
    .argument('<order-id>', "the order id (a check's evidence, the report, or the API name it)")
    .option(
      '--run <run>',
      'read a stored run (a run directory, a run id, or `latest`) instead of the running stack',
    )
    .action(async (orderId: string, options: { run?: string }) => {
      const { buildOrders } = await import('../report/build.ts');
      const { formatOrderTrace } = await import('../report/trace-text.ts');
      const { readJsonLines } = await import('../chaos/rundir.ts');
      let order: ReturnType<typeof buildOrders>[number] | undefined;
      if (options.run) {
        const { resolveRun, readSnapshot } = await import('../chaos/rundir.ts');
        const runDir = resolveRun(options.run);
        const { readResult } = await import('../report/build.ts');
        const started = Date.parse(readResult(runDir).startedAt);
        const orders = buildOrders({
          snapshot: readSnapshot(runDir),
          events: readJsonLines(path.join(runDir, 'events.jsonl')),
          spans: readJsonLines(path.join(runDir, 'traces.jsonl')),
          operations: readJsonLines<{ type: string }>(path.join(runDir, 'history.jsonl')).filter(
            (entry): entry is OperationEntry => entry.type === 'op',
          ),
          toRunMs: (epochMs) => epochMs - started,
        });
        order = orders.find((candidate) => candidate.id === orderId);
        if (!order)
          throw badInput('E_NO_SUCH_ORDER', `order ${orderId} is not among the orders of ${runDir}`);
      } else {
        order = await traceFromStack(orderId);
      }
      process.stdout.write(formatOrderTrace(order));
    });
}

async function traceFromStack(orderId: string) {
  const pg = (await import('pg')).default;
  const { DATABASE_SERVICES } = await import('../../common/roster.ts');
  const { runtimeOfRunningStack } = await import('../runtime/select.ts');
  const { captureOrder } = await import('../chaos/capture.ts');
  const { runEvents } = await import('../chaos/run-events.ts');
  const { buildOrders } = await import('../report/build.ts');
  const { spansMentioning } = await import('../../infra/otel-collector/receiver.ts');
  const { spansFile } = await import('../chaos/rundir.ts');
  const endpoints = await (await runtimeOfRunningStack()).endpoints();
  const pools = Object.fromEntries(
    DATABASE_SERVICES.map((service) => [
      service,
      new pg.Pool({ connectionString: endpoints.databases[service], max: 1 }),
    ]),
  ) as Record<(typeof DATABASE_SERVICES)[number], InstanceType<typeof pg.Pool>>;
  try {
    const snapshot = await captureOrder(pools, orderId);
    // The receiver's file holds every span the stack exported: this order's traces are those naming it.
    const order = buildOrders({
      snapshot,
      events: runEvents(snapshot),
      spans: spansMentioning(spansFile(), orderId),
      toRunMs: (epochMs) => epochMs,
    })[0];
    if (!order)
      throw badInput(
        'E_NO_SUCH_ORDER',
        `the running stack has no order ${orderId}`,
        'Stored runs: lab trace <id> --run latest',
      );
    return order;
  } finally {
    await Promise.allSettled(Object.values(pools).map((pool) => pool.end()));
  }
}
