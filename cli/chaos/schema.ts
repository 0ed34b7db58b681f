/**
 * The scenario file format of docs/ARCHITECTURE.md ("Scenarios") and scenarios/README.md as zod schemas. Every object is strict,
 * so a typo is an error naming the closest valid key (see loader.ts), and every unit (durations,
 * rates, money) is parsed here, so the engine only sees milliseconds, per-second rates and cents.
 */
import { z } from 'zod';
import { MAX_CLOCK_SPEED, resolveClockStart } from '../../common/clock.ts';
import { DEFAULT_KIT, KITS, PATTERN_SWITCHES } from '../../common/roster.ts';
import { BakeSchedule } from '../../services/kit/contracts.ts';
import { CHECK_DEFINITIONS, CHECKS } from './checks/index.ts';
import type { OUTCOME_NAMES } from './checks/outcomes.ts';
import { FAULT_KINDS, FAULTS } from './faults/index.ts';
import { type RandomSchedule, randomSchedule } from './faults/random.ts';
import { duration, money, positiveInt, rate } from './fields.ts';

/**
 * One entry of `faults:`: `at`, an optional `for`, and exactly one kind's options, the kind's own
 * schema from the registry (cli/chaos/faults); or a `random:` schedule (cli/chaos/schedule.ts),
 * which brings its own times.
 */
const faultEntry = z
  .strictObject({
    at: duration.optional(),
    for: duration.optional(),
    random: randomSchedule.optional(),
    ...Object.fromEntries([...FAULTS].map(([kind, definition]) => [kind, definition.options.optional()])),
  })
  .superRefine((entry: Record<string, unknown>, context) => {
    if (entry.random !== undefined) {
      const others = Object.keys(entry).filter((key) => key !== 'random' && entry[key] !== undefined);
      if (others.length > 0)
        context.addIssue({
          code: 'custom',
          message: `a random entry stands alone (its faults get their own times and kinds); found ${others.join(', ')}`,
        });
      return;
    }
    if (entry.at === undefined)
      context.addIssue({ code: 'custom', message: 'a fault needs `at`, e.g. at: 2s' });
    const kinds = FAULT_KINDS.filter((kind) => entry[kind] !== undefined);
    if (kinds.length !== 1)
      context.addIssue({
        code: 'custom',
        message:
          kinds.length === 0
            ? `a fault needs exactly one kind: ${FAULT_KINDS.join(', ')}`
            : `a fault has exactly one kind, found ${kinds.join(' and ')}; write them as separate entries`,
      });
    const definition = kinds[0] === undefined ? undefined : FAULTS.get(kinds[0]);
    if (definition?.timing === 'instant' && entry.for !== undefined)
      context.addIssue({
        code: 'custom',
        path: ['for'],
        message: `${definition.kind} is instant; ${definition.instead ?? '`for` only applies to faults that last (toxics, down, pause, duplicate, partition)'}`,
      });
  })
  .transform((entry: Record<string, unknown>): Fault | RandomSchedule => {
    if (entry.random !== undefined) return entry.random as RandomSchedule;
    const kind = FAULT_KINDS.find((name) => entry[name] !== undefined)!;
    return { at: entry.at as number, for: entry.for as number | undefined, kind, options: entry[kind] };
  });

/** One fault of the timeline, normalised: times in ms, its kind, and the options its schema parsed. */
export interface Fault {
  at: number;
  for: number | undefined;
  kind: string;
  options: unknown;
}

/** Every check's name (each check's own file defines it; checks/index.ts lists them). */
export const CHECK_NAMES = [
  'sagas_terminal',
  'no_double_charge',
  'money_conserved',
  'stock_conserved',
  'outcomes_consistent',
  'outbox_drained',
  'idempotent_consumers',
  'no_stale_sold',
  'discount_consistent',
  'latency_p99',
  'outcomes',
  'acknowledged_orders_durable',
  'event_order_per_aggregate',
  'no_lost_event',
  'dlq_accounted',
  'read_model_converges',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];
/** Checks that need a parameter (`{ latency_p99: { max } }`, `{ outcomes: {...} }`): those with options. */
const PARAMETERISED_CHECKS = CHECK_DEFINITIONS.filter((definition) => definition.options).map(
  (definition) => definition.name,
);
/** Checks a scenario names to run (not in the default set); see CheckDefinition.optIn. */
const OPT_IN_CHECKS = CHECK_DEFINITIONS.filter((definition) => definition.optIn).map(
  (definition) => definition.name,
);
/** The checks run when `expect.checks` is not given: every one that needs no parameter and is not opt-in. */
export const DEFAULT_CHECKS: CheckName[] = CHECK_NAMES.filter(
  (name) => !PARAMETERISED_CHECKS.includes(name) && !OPT_IN_CHECKS.includes(name),
);
/** The checks a scenario may name without parameters. */
const PLAIN_CHECKS: CheckName[] = CHECK_NAMES.filter((name) => !PARAMETERISED_CHECKS.includes(name));

export type OutcomeName = (typeof OUTCOME_NAMES)[number];

/** An entry of `expect.checks`: a check's name, or `{ <name>: <its options> }` for one with parameters. */
const checkEntry = z.union([
  z.enum(PLAIN_CHECKS as [CheckName, ...CheckName[]]),
  ...CHECK_DEFINITIONS.flatMap((definition) =>
    definition.options ? [z.strictObject({ [definition.name]: definition.options.schema })] : [],
  ),
]);

export type CheckSpec =
  | { name: Exclude<CheckName, 'latency_p99' | 'outcomes'> }
  | { name: 'latency_p99'; max: number }
  | { name: 'outcomes'; expected: Partial<Record<OutcomeName, { op: string; value: number }>> };

function toCheckSpec(entry: z.output<typeof checkEntry>): CheckSpec {
  if (typeof entry === 'string') return { name: entry } as CheckSpec;
  const [name, value] = Object.entries(entry)[0] as [CheckName, unknown];
  return CHECKS[name].options!.toSpec(value);
}

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day is "HH:MM" (UTC)');

/**
 * `stack.clock`: the lab clock the stack runs (common/clock.ts). A scenario with a clock always
 * gets a stack started for it, so its day begins at `start`. `from` holds the workload (and the
 * fault timeline, which counts from it) until lab time reaches that time of day, so the day's
 * events fall at the same lab times however long the stack took to start; `until` makes the run
 * wait after the workload until lab time reaches that time (e.g. past closing, for the throw-out).
 */
const clockSchema = z.strictObject({
  speed: z.number().positive().max(MAX_CLOCK_SPEED),
  start: z
    .string()
    .refine(
      (start) => {
        try {
          resolveClockStart(start, Date.now());
          return true;
        } catch {
          return false;
        }
      },
      { error: 'a clock start is "HH:MM" (UTC) or an ISO time' },
    )
    .optional(),
  from: timeOfDay.optional(),
  until: timeOfDay.optional(),
});

/** A product's bake schedule in a scenario, as the admin API takes it (BakeSchedule). */
const scheduleSchema = z
  .strictObject({
    every_minutes: BakeSchedule.shape.every_minutes,
    batch: BakeSchedule.shape.batch,
    shelf_life_minutes: BakeSchedule.shape.shelf_life_minutes.default(null),
    discount_percent: BakeSchedule.shape.discount_percent.default(0),
    discount_from: timeOfDay.nullable().default(null),
    opens: timeOfDay,
    closes: timeOfDay,
  })
  .refine((schedule) => schedule.closes > schedule.opens, { error: 'closes must be after opens' });

const sku = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a sku is lowercase letters, digits and dashes');

export const scenarioSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a name is lowercase letters, digits and dashes'),
    description: z.string().min(1),
    seed: z.number().int().nonnegative().default(1),
    stack: z
      .strictObject({
        without: z.array(z.enum(PATTERN_SWITCHES)).default([]),
        kit: z.enum(KITS).default(DEFAULT_KIT),
        clock: clockSchema.optional(),
      })
      .default({ without: [], kit: DEFAULT_KIT }),
    setup: z.strictObject({
      customers: positiveInt,
      balance: money,
      products: z
        .array(
          z.strictObject({
            sku,
            price: money,
            stock: z.number().int().nonnegative(),
            schedule: scheduleSchema.optional(),
          }),
        )
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
    /**
     * Chaos Toolkit's steady-state hypothesis: checks that must hold before any fault (else the
     * stack was not healthy to begin with: the run is unknown, not a failed hypothesis) and again
     * after settling (they join the verdict).
     */
    steady_state: z
      .strictObject({
        before: z.array(checkEntry).default([]),
        after: z.array(checkEntry).default([]),
      })
      .refine((steady) => steady.before.length + steady.after.length > 0, {
        error: 'steady_state needs at least one probe in `before` or `after`',
      })
      .optional(),
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
    faults: scenario.faults.filter((entry): entry is Fault => 'kind' in entry),
    /** `random:` entries by their position in `faults:`; a run expands them first (schedule.ts). */
    randomFaults: scenario.faults.flatMap((entry, position) =>
      'kind' in entry ? [] : [{ position, spec: entry as RandomSchedule }],
    ),
    steadyState: {
      before: (scenario.steady_state?.before ?? []).map(toCheckSpec),
      after: (scenario.steady_state?.after ?? []).map(toCheckSpec),
    },
    expect: {
      verdict: scenario.expect.verdict,
      checks: scenario.expect.checks
        ? scenario.expect.checks.map(toCheckSpec)
        : DEFAULT_CHECKS.map((name) => ({ name }) as CheckSpec),
      detectedBy: scenario.expect.detected_by,
    },
  }));

export type Scenario = z.output<typeof scenarioSchema>;
