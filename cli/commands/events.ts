import type { Command } from 'commander';
import { badInput } from '../../common/errors.ts';
import { interruptible } from './up.ts';

export function registerEvents(program: Command): void {
  program
    .command('events')
    .description("a readable tail of the broker's topics: each event's headers and JSON payload")
    .option('-f, --follow', 'keep printing new events until Ctrl-C')
    .option('--topic <topic...>', 'only these topics (default: every topic and its .dlq)')
    .option('--order <id>', "only this order's events")
    .option('--tail <n>', 'events per partition from before now', '20')
    .action(async (options: { follow?: boolean; topic?: string[]; order?: string; tail: string }) => {
      const tail = Number(options.tail);
      if (!Number.isInteger(tail) || tail < 0)
        throw badInput('E_BAD_OPTION', `--tail must be a whole number, got '${options.tail}'`);
      const { runtimeOfRunningStack } = await import('../runtime/select.ts');
      const { tailTopics } = await import('../report/broker-tail.ts');
      const endpoints = await (await runtimeOfRunningStack()).endpoints();
      const shown = await interruptible((signal) =>
        tailTopics({
          brokers: [endpoints.brokerBootstrap],
          topics: options.topic,
          orderId: options.order,
          tail,
          follow: options.follow ?? false,
          signal,
          write: (text) => process.stdout.write(text),
        }),
      );
      if (shown === 0 && !options.follow) process.stderr.write('no events on these topics yet\n');
    });
}
