/**
 * The scenario file format of DESIGN.md ("Scenario files") as zod schemas. Every object is strict,
 * so a typo is an error naming the closest valid key (see loader.ts), and every unit (durations,
 * rates, money) is parsed here, so the engine only sees milliseconds, per-second rates and cents.
 */
import { closest } from 'fastest-levenshtein';
import { z } from 'zod';
import { DATABASE_SERVICES, LINKS, PATTERN_SWITCHES, SERVICES, TOPICS } from '../../common/roster.ts';
import { parseComparison, parseDuration, parseMoney, parseRate } from './units.ts';

function unit<T>(parse: (value: unknown) => T | string) {
  return z.unknown().transform((value, context): T => {
    const parsed = parse(value);
    if (typeof parsed === 'string') {
      context.addIssue({ code: 'custom', message: parsed });
      return z.NEVER;
    }
    return parsed;
  });
}

const duration = unit(parseDuration);
/** Toxic attributes are milliseconds in Toxiproxy: a bare number is accepted here, as Toxiproxy does. */
const millis = unit((value) =>
  typeof value === 'number'
    ? Number.isInteger(value) && value >= 0
      ? value
      : `expected whole milliseconds, got ${value}`
    : parseDuration(value),
);
const rate = unit(parseRate);
const money = unit(parseMoney);
const comparison = unit(parseComparison);
const probability = z.number().min(0).max(1);
const positiveInt = z.number().int().positive();

const service = z.enum(SERVICES);
/** Services with a database, hence an outbox and a relay. */
const relayService = z.enum(DATABASE_SERVICES);
const topic = z.enum(TOPICS);

const link = z.string().refine((value) => LINKS.includes(value), {
  error: (issue) =>
    `unknown link '${String(issue.input)}'; did you mean '${closest(String(issue.input), [...LINKS])}'? (links are <service>.db, <service>.kafka, gateway.<service>)`,
});

/** Options every toxic shares: which link, which direction, how often. */
const toxicBase = {
  link,
  /** Toxiproxy's stream: downstream (server → client, the default) or upstream. */
  stream: z.enum(['downstream', 'upstream']).default('downstream'),
  toxicity: probability.default(1),
};

/** Each toxic with Toxiproxy's own attribute names (`ms` is accepted as the latency's short name). */
export const toxicSchemas = {
  latency: z
    .strictObject({
      ...toxicBase,
      latency: millis.optional(),
      ms: millis.optional(),
      jitter: millis.default(0),
    })
    .refine((value) => (value.latency ?? value.ms) !== undefined, {
      error: 'latency needs `ms` (or `latency`)',
    })
    .transform(({ ms, latency, ...rest }) => ({
      ...rest,
      attributes: { latency: latency ?? ms!, jitter: rest.jitter },
    })),
  bandwidth: z
    .strictObject({ ...toxicBase, rate: z.number().int().nonnegative() })
    .transform((value) => ({ ...value, attributes: { rate: value.rate } })),
  slow_close: z
    .strictObject({ ...toxicBase, delay: millis })
    .transform((value) => ({ ...value, attributes: { delay: value.delay } })),
  timeout: z
    .strictObject({ ...toxicBase, timeout: millis.default(0) })
    .transform((value) => ({ ...value, attributes: { timeout: value.timeout } })),
  reset_peer: z
    .strictObject({ ...toxicBase, timeout: millis.default(0) })
    .transform((value) => ({ ...value, attributes: { timeout: value.timeout } })),
  slicer: z
    .strictObject({
      ...toxicBase,
      average_size: positiveInt,
      size_variation: z.number().int().nonnegative().default(0),
      /** Microseconds, as in Toxiproxy. */
      delay: z.number().int().nonnegative().default(0),
    })
    .transform((value) => ({
      ...value,
      attributes: {
        average_size: value.average_size,
        size_variation: value.size_variation,
        delay: value.delay,
      },
    })),
  limit_data: z
    .strictObject({ ...toxicBase, bytes: positiveInt })
    .transform((value) => ({ ...value, attributes: { bytes: value.bytes } })),
} as const;
export type ToxicName = keyof typeof toxicSchemas;
export const TOXIC_NAMES = Object.keys(toxicSchemas) as ToxicName[];
export type ToxicFault = z.output<(typeof toxicSchemas)[ToxicName]>;

/** The other fault kinds. `for` (on the entry) sets how long a fault with a duration lasts. */
export const otherFaultSchemas = {
  /** The link is disabled: connections refused and existing ones cut. */
  down: z.strictObject({ link }),
  /** SIGKILL; restarted after `restart_after`, or at the heal phase when not given. */
  kill: z.strictObject({ service, restart_after: duration.optional() }),
  /** SIGSTOP for `for`, then SIGCONT (or at the heal phase). */
  pause: z.strictObject({ service }),
  /** A graceful restart (SIGTERM, start). */
  restart: z.strictObject({ service }),
  /** The service's relay publishes each outbox row `copies` extra times with this probability. */
  duplicate: z.strictObject({
    service: relayService,
    probability: probability.default(1),
    copies: positiveInt.default(1),
  }),
  /** The service's consumer group is rewound on `topic` by `rewind` messages per partition (all: to the start). */
  redeliver: z.strictObject({
    service,
    topic,
    rewind: z.union([z.literal('all'), positiveInt]).default('all'),
  }),
  /** The service's relay dies after publishing a batch, before marking it published (`times` crashes). */
  relay_crash: z.strictObject({ service: relayService, times: positiveInt.default(1) }),
  /** Malformed events on a topic: the consumer must dead-letter them and move on. */
  poison: z.strictObject({ topic, count: positiveInt.default(1) }),
  /** The broker stops and comes back after `down` (default 2s). */
  broker_restart: z.strictObject({ down: duration.default(2000) }),
  /** Docker runtime only: the service's container is cut off the network for `for` (cli/chaos/faults/partition.ts). */
  partition: z.strictObject({ service }),
} as const;

export const FAULT_KINDS = [
  ...TOXIC_NAMES,
  ...(Object.keys(otherFaultSchemas) as Array<keyof typeof otherFaultSchemas>),
];
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Kinds that happen at one instant; `for` makes no sense on them. */
const INSTANT_KINDS: readonly FaultKind[] = [
  'kill',
  'restart',
  'redeliver',
  'relay_crash',
  'poison',
  'broker_restart',
];

const faultKindFields = Object.fromEntries(
  [...Object.entries(toxicSchemas), ...Object.entries(otherFaultSchemas)].map(([kind, schema]) => [
    kind,
    schema.optional(),
  ]),
) as {
  [K in FaultKind]: z.ZodOptional<
    K extends ToxicName
      ? (typeof toxicSchemas)[K]
      : K extends keyof typeof otherFaultSchemas
        ? (typeof otherFaultSchemas)[K]
        : never
  >;
};

const faultEntry = z
  .strictObject({ at: duration, for: duration.optional(), ...faultKindFields })
  .superRefine((entry, context) => {
    const kinds = FAULT_KINDS.filter((kind) => entry[kind] !== undefined);
    if (kinds.length !== 1)
      context.addIssue({
        code: 'custom',
        message:
          kinds.length === 0
            ? `a fault needs exactly one kind: ${FAULT_KINDS.join(', ')}`
            : `a fault has exactly one kind, found ${kinds.join(' and ')}; write them as separate entries`,
      });
    const kind = kinds[0];
    if (kind && entry.for !== undefined && INSTANT_KINDS.includes(kind))
      context.addIssue({
        code: 'custom',
        path: ['for'],
        message:
          kind === 'kill'
            ? 'kill is instant; use `restart_after` to bring the service back'
            : `${kind} is instant; \`for\` only applies to toxics, down, pause and duplicate`,
      });
  })
  .transform((entry) => {
    const kind = FAULT_KINDS.find((name) => entry[name] !== undefined)!;
    return { at: entry.at, for: entry.for, kind, options: entry[kind] } as Fault;
  });

export type ToxicFaultEntry = { at: number; for: number | undefined; kind: ToxicName; options: ToxicFault };
type OtherFaultEntry = {
  [K in keyof typeof otherFaultSchemas]: {
    at: number;
    for: number | undefined;
    kind: K;
    options: z.output<(typeof otherFaultSchemas)[K]>;
  };
}[keyof typeof otherFaultSchemas];
/** One fault of the timeline, normalised: times in ms, its kind, and its parsed options. */
export type Fault = ToxicFaultEntry | OtherFaultEntry;

export const CHECK_NAMES = [
  'sagas_terminal',
  'no_double_charge',
  'money_conserved',
  'stock_conserved',
  'outcomes_consistent',
  'outbox_drained',
  'idempotent_consumers',
  'latency_p99',
  'outcomes',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];
/** Checks that need a parameter (`{ latency_p99: { max } }`, `{ outcomes: {...} }`). */
const PARAMETERISED_CHECKS: readonly CheckName[] = ['latency_p99', 'outcomes'];
/** The checks run when `expect.checks` is not given: every one that needs no parameter. */
export const DEFAULT_CHECKS: CheckName[] = CHECK_NAMES.filter((name) => !PARAMETERISED_CHECKS.includes(name));

const OUTCOME_NAMES = ['confirmed', 'cancelled', 'pending', 'failed', 'unknown'] as const;
export type OutcomeName = (typeof OUTCOME_NAMES)[number];

const checkEntry = z.union([
  z.enum(
    CHECK_NAMES.filter((name) => name !== 'latency_p99' && name !== 'outcomes') as [
      CheckName,
      ...CheckName[],
    ],
  ),
  z.strictObject({ latency_p99: z.strictObject({ max: duration }) }),
  z.strictObject({
    outcomes: z.strictObject(
      Object.fromEntries(OUTCOME_NAMES.map((name) => [name, comparison.optional()])) as Record<
        OutcomeName,
        z.ZodOptional<typeof comparison>
      >,
    ),
  }),
]);

export type CheckSpec =
  | { name: Exclude<CheckName, 'latency_p99' | 'outcomes'> }
  | { name: 'latency_p99'; max: number }
  | { name: 'outcomes'; expected: Partial<Record<OutcomeName, { op: string; value: number }>> };

function toCheckSpec(entry: z.output<typeof checkEntry>): CheckSpec {
  if (typeof entry === 'string') return { name: entry } as CheckSpec;
  if ('latency_p99' in entry) return { name: 'latency_p99', max: entry.latency_p99.max };
  const expected = Object.fromEntries(
    Object.entries(entry.outcomes).filter(([, value]) => value !== undefined),
  );
  return { name: 'outcomes', expected };
}

const sku = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a sku is lowercase letters, digits and dashes');

export const scenarioSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a name is lowercase letters, digits and dashes'),
    description: z.string().min(1),
    seed: z.number().int().nonnegative().default(1),
    stack: z
      .strictObject({ without: z.array(z.enum(PATTERN_SWITCHES)).default([]) })
      .default({ without: [] }),
    setup: z.strictObject({
      customers: positiveInt,
      balance: money,
      products: z
        .array(z.strictObject({ sku, price: money, stock: z.number().int().nonnegative() }))
        .min(1)
        .refine((products) => new Set(products.map((product) => product.sku)).size === products.length, {
          error: 'two products have the same sku',
        }),
    }),
    workload: z.strictObject({
      orders: positiveInt,
      rate,
      concurrency: positiveInt.default(8),
      lines: z
        .strictObject({ min: positiveInt.default(1), max: positiveInt.default(3) })
        .refine((lines) => lines.min <= lines.max, { error: 'lines.min must be <= lines.max' })
        .default({ min: 1, max: 3 }),
      /** Units per line, drawn uniformly. */
      quantity: z
        .strictObject({ min: positiveInt.default(1), max: positiveInt.default(1) })
        .refine((quantity) => quantity.min <= quantity.max, { error: 'quantity.min must be <= quantity.max' })
        .default({ min: 1, max: 1 }),
      /** Client timeout of one operation; past it the outcome is unknown (the order may exist). */
      timeout: duration.default(5000),
    }),
    faults: z.array(faultEntry).default([]),
    settle: duration.default(30_000),
    expect: z
      .strictObject({
        verdict: z.enum(['valid', 'invalid']).default('valid'),
        checks: z.array(checkEntry).optional(),
        /** For `verdict: invalid`: at least one of these checks must report the anomaly. */
        detected_by: z.array(z.enum(CHECK_NAMES)).optional(),
      })
      .default({ verdict: 'valid' }),
  })
  .transform((scenario) => ({
    ...scenario,
    expect: {
      verdict: scenario.expect.verdict,
      checks: scenario.expect.checks
        ? scenario.expect.checks.map(toCheckSpec)
        : DEFAULT_CHECKS.map((name) => ({ name }) as CheckSpec),
      detectedBy: scenario.expect.detected_by,
    },
  }));

export type Scenario = z.output<typeof scenarioSchema>;
