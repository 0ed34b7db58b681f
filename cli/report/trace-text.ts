/**
 * `lab trace <order-id>` output: one order's saga in the terminal, one line per step (which
 * service, when, what), duplicates and their fate, dead letters, payments, then the spans of its
 * trace with their durations. Times are since the order's first step or span, whichever came first.
 */
import chalk from 'chalk';
import { spanTree } from './components/waterfall.ts';
import type { OrderModel, SagaStep } from './model.ts';

function since(ms: number): string {
  // A publish stamped by another process's clock may come out a hair before its origin.
  return `${ms < 0 ? '-' : '+'}${Math.abs(ms).toFixed(1)} ms`.padStart(12);
}

/** The names of the lane column are padded to the longest (a search store's group is `search-<hex>`). */
function laneWidth(order: OrderModel): number {
  const names = order.steps.map((step) =>
    step.kind === 'emit' ? step.service : step.kind === 'payment' ? 'payment' : step.consumer,
  );
  return Math.max(10, ...names.map((name) => name.length + 1));
}

function stepLine(step: SagaStep, width: number): string {
  const lane = (name: string) => name.padEnd(width);
  switch (step.kind) {
    case 'emit':
      return `${lane(step.service)} ${chalk.cyan('emitted ')}  ${step.type.padEnd(18)} event ${step.event}${
        step.published === null
          ? chalk.yellow('  not published (yet)')
          : `  published ${since(step.published).trim()}`
      }${step.copies > 0 ? chalk.yellow(`  +${step.copies} extra copies (duplicate fault)`) : ''}`;
    case 'deliver': {
      const fate =
        step.delivery === 1
          ? 'applied'
          : step.applied
            ? chalk.red(`copy ${step.delivery}: APPLIED AGAIN (no inbox)`)
            : chalk.dim(`copy ${step.delivery}: duplicate, skipped by the inbox`);
      return `${lane(step.consumer)} ${chalk.green('received')}  ${step.type.padEnd(18)} event ${step.event}  ${fate}${step.exact ? '' : chalk.dim(' (time of the last copy)')}`;
    }
    case 'dead':
      return `${lane(step.consumer)} ${chalk.red('DEAD LETTER')} ${step.type ?? '(unreadable)'}  ${step.error}`;
    case 'payment':
      return `${lane('payment')} ${chalk.magenta(step.payment.padEnd(8))}  ${(step.cents / 100).toFixed(2)}`;
  }
}

export function formatOrderTrace(order: OrderModel): string {
  const lines: string[] = [];
  const origin = Math.min(
    order.request?.start ?? Number.POSITIVE_INFINITY,
    ...order.steps.map((step) => step.t),
    ...order.spans.map((span) => span.start),
    order.created,
  );
  const width = laneWidth(order);
  lines.push(
    `${chalk.bold(`order ${order.id}`)}  ${order.status}${order.reason ? ` (${order.reason})` : ''}  total ${(order.totalCents / 100).toFixed(2)}`,
  );
  const timed: Array<[number, string]> = [];
  if (order.request)
    timed.push([
      order.request.start,
      `${'client'.padEnd(width)} POST /api/order/orders → ${order.request.outcome}${order.request.status ? ` ${order.request.status}` : ''} after ${(order.request.end - order.request.start).toFixed(1)} ms`,
    ]);
  for (const step of order.steps) {
    const shifted =
      step.kind === 'emit' && step.published !== null
        ? { ...step, published: step.published - origin }
        : step;
    timed.push([step.t, stepLine(shifted, width)]);
  }
  if (order.completed !== null)
    timed.push([order.completed, `${'order'.padEnd(width)} saga finished: ${order.status}`]);
  // Stable: steps recorded at the same millisecond keep the saga's order.
  for (const [t, text] of timed.sort((a, b) => a[0] - b[0])) lines.push(`${since(t - origin)}  ${text}`);
  const duplicates = order.steps.filter((step) => step.kind === 'deliver' && step.delivery > 1).length;
  lines.push(chalk.dim(`${order.steps.length} steps, ${duplicates} duplicate deliveries`));
  if (order.spans.length > 0) {
    lines.push('', chalk.bold(`trace ${order.traces.join(', ')} (${order.spans.length} spans)`));
    for (const { span, depth } of spanTree(order.spans))
      lines.push(
        `${since(span.start - origin)}  ${'  '.repeat(depth)}${span.service.padEnd(10)} ${span.name}  ${(span.end - span.start).toFixed(1)} ms${span.mark ? chalk.yellow(` [${span.mark}]`) : ''}${span.error ? chalk.red(' ERROR') : ''}`,
      );
  } else lines.push(chalk.dim('no spans recorded for this order'));
  return `${lines.join('\n')}\n`;
}
