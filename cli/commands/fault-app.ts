/**
 * App-level faults from the CLI, by the same names (and options) as the scenario kinds:
 * `lab fault duplicate|redeliver|relay-crash|poison|broker-restart`. Each one is applied and
 * healed by its definition in cli/chaos/faults/<kind>.ts, so the CLI and `lab chaos` cannot
 * drift apart. A fault with a duration (`--for`, broker-restart's `--down`) is healed when it
 * ends, and on every way out before that (Ctrl-C, SIGTERM, SIGHUP, a closed output); one without
 * stays on until `lab fault reset`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { badInput } from '../../common/errors.ts';
import { DATABASE_SERVICES, SERVICES, TOPICS } from '../../common/roster.ts';
import type { FaultDefinition } from '../chaos/faults/types.ts';
import { interruptible } from './up.ts';

interface AppFault {
  /** The command's name (scenario kinds use `_`, commands `-`). */
  command: string;
  kind: string;
  argument?: { name: string; help: string; option: string };
  description: string;
  options: Array<{ flags: string; help: string; key: string; number?: boolean }>;
}

const APP_FAULTS: readonly AppFault[] = [
  {
    command: 'duplicate',
    kind: 'duplicate',
    argument: { name: '<service>', help: DATABASE_SERVICES.join(' | '), option: 'service' },
    description: "the service's relay publishes extra copies of each event (same event-id) until reset",
    options: [
      {
        flags: '--probability <p>',
        help: 'chance an event gets copies, 0..1 (default 1)',
        key: 'probability',
        number: true,
      },
      { flags: '--copies <n>', help: 'extra copies per event (default 1)', key: 'copies', number: true },
    ],
  },
  {
    command: 'redeliver',
    kind: 'redeliver',
    argument: { name: '<service>', help: SERVICES.join(' | '), option: 'service' },
    description: "rewind the service's consumer group on a topic: it receives those events again",
    options: [
      { flags: '--topic <topic>', help: TOPICS.join(' | '), key: 'topic' },
      {
        flags: '--rewind <n|all>',
        help: 'messages per partition, or all (default all)',
        key: 'rewind',
        number: true,
      },
    ],
  },
  {
    command: 'relay-crash',
    kind: 'relay_crash',
    argument: { name: '<service>', help: DATABASE_SERVICES.join(' | '), option: 'service' },
    description: "the service's relay dies after publishing, before marking (it republishes on restart)",
    options: [{ flags: '--times <n>', help: 'how many crashes (default 1)', key: 'times', number: true }],
  },
  {
    command: 'poison',
    kind: 'poison',
    argument: { name: '<topic>', help: TOPICS.join(' | '), option: 'topic' },
    description: 'publish malformed events on a topic (consumers must dead-letter them)',
    options: [{ flags: '--count <n>', help: 'how many (default 1)', key: 'count', number: true }],
  },
  {
    command: 'broker-restart',
    kind: 'broker_restart',
    description: 'kill the broker and start it again after --down',
    options: [
      { flags: '--down <duration>', help: 'how long it stays down, e.g. 3s (default 2s)', key: 'down' },
    ],
  },
];

export const APP_FAULT_COMMANDS: readonly string[] = APP_FAULTS.map((fault) => fault.command);

/** "0.5" → 0.5, "all" stays "all": the definition's schema says what is valid. */
function optionValue(raw: string, numeric: boolean | undefined): unknown {
  return numeric && raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
}

function parseOptions(
  definition: FaultDefinition<unknown>,
  raw: Record<string, unknown>,
  command: string,
): unknown {
  const parsed = definition.options.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`);
  throw badInput(
    'E_BAD_FAULT',
    `lab fault ${command}: ${issues.join('; ')}`,
    `See \`lab fault ${command} --help\`.`,
  );
}

function describeOn(fault: AppFault, options: Record<string, unknown>): string {
  if (fault.kind === 'duplicate') {
    const copies = options.copies as number;
    return `${options.service}: duplicate on: its relay publishes ${copies} extra cop${copies === 1 ? 'y' : 'ies'} of each event with probability ${options.probability}`;
  }
  return `${options.service ?? options.topic ?? 'kafka'}: ${fault.command} done`;
}

async function runAppFault(
  fault: AppFault,
  raw: Record<string, unknown>,
  forMs: number | undefined,
): Promise<void> {
  const { faultDefinition } = await import('../chaos/faults/index.ts');
  const definition = faultDefinition(fault.kind);
  const options = parseOptions(definition, raw, fault.command) as Record<string, unknown>;
  const { runtimeOfRunningStack } = await import('../runtime/select.ts');
  const { createProxyClient } = await import('../chaos/faults/proxy.ts');
  const { createRandom } = await import('../chaos/random.ts');
  const { Kafka, logLevel } = await import('kafkajs');
  const runtime = await runtimeOfRunningStack();
  const endpoints = await runtime.endpoints();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  let kafka: InstanceType<typeof Kafka> | undefined;
  await interruptible(async (signal) => {
    const context = {
      runtime,
      endpoints,
      adminToken: endpoints.adminToken,
      proxy: createProxyClient(endpoints.faultProxyUrl),
      kafka: () => {
        kafka ??= new Kafka({
          clientId: 'lab-fault',
          brokers: [endpoints.brokerBootstrap],
          logLevel: logLevel.NOTHING,
        });
        return kafka;
      },
      // A fresh seed per call: from the CLI there is no scenario seed to replay.
      random: createRandom(Math.floor(Math.random() * 0xffff_ffff)).fork(`fault:${fault.kind}`),
      decide: () => {},
      // The definitions' own log lines say what they did; the duplicate's one is replaced below.
      log: (message: string) => {
        if (fault.kind !== 'duplicate') say(message);
      },
      signal,
      index: 0,
    };
    const active = await definition.apply(options, context);
    const endsAfter = forMs ?? definition.endsAfterMs?.(options);
    if (definition.timing === 'windowed') say(describeOn(fault, options));
    if (definition.timing === 'windowed' && endsAfter === undefined) {
      say('  (it stays on: `lab fault reset` turns it off)');
      return;
    }
    try {
      if (endsAfter !== undefined) await sleep(endsAfter, undefined, { signal }).catch(() => {});
    } finally {
      await active.heal();
    }
    if (definition.timing === 'windowed') say(`${options.service}: ${fault.command} off again`);
    else if (fault.kind === 'broker_restart') say('kafka: back up');
  });
}

export function registerAppFaults(fault: Command): void {
  for (const spec of APP_FAULTS) {
    const command = fault.command(spec.command).description(spec.description);
    if (spec.argument) command.argument(spec.argument.name, spec.argument.help);
    for (const option of spec.options) command.option(option.flags, option.help);
    const windowed = spec.kind === 'duplicate';
    if (windowed) command.option('--for <duration>', 'turn it off again after this long, e.g. 10s');
    command.action(async (...args: unknown[]) => {
      const positional = spec.argument ? (args[0] as string) : undefined;
      const given = (spec.argument ? args[1] : args[0]) as Record<string, string | undefined>;
      const raw: Record<string, unknown> = {};
      if (spec.argument && positional !== undefined) raw[spec.argument.option] = positional;
      for (const option of spec.options) {
        const value = given[option.key];
        if (value !== undefined) raw[option.key] = optionValue(value, option.number);
      }
      let forMs: number | undefined;
      if (given.for !== undefined) {
        const { parseDuration } = await import('../chaos/units.ts');
        const parsed = parseDuration(given.for);
        if (typeof parsed === 'string') throw badInput('E_BAD_DURATION', `--for ${given.for}: ${parsed}`);
        forMs = parsed;
      }
      await runAppFault(spec, raw, forMs);
    });
  }
}
