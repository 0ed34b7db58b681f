/**
 * The value types scenario files are made of (durations, rates, money, services, links, topics),
 * as zod schemas. The scenario schema and every fault kind's options are built from these, so a
 * unit is parsed in one place and the engine only sees milliseconds, per-second rates and cents.
 */
import { closest } from 'fastest-levenshtein';
import { z } from 'zod';
import { DATABASE_SERVICES, LINKS, SERVICES, TOPICS } from '../../common/roster.ts';
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

export const duration = unit(parseDuration);
/** Toxic attributes are milliseconds in Toxiproxy: a bare number is accepted here, as Toxiproxy does. */
export const millis = unit((value) =>
  typeof value === 'number'
    ? Number.isInteger(value) && value >= 0
      ? value
      : `expected whole milliseconds, got ${value}`
    : parseDuration(value),
);
export const rate = unit(parseRate);
export const money = unit(parseMoney);
export const comparison = unit(parseComparison);
export const probability = z.number().min(0).max(1);
export const positiveInt = z.number().int().positive();
export const nonNegativeInt = z.number().int().nonnegative();

export const service = z.enum(SERVICES);
/** Services with a database, hence an outbox and a relay. */
export const relayService = z.enum(DATABASE_SERVICES);
export const topic = z.enum(TOPICS);

export const link = z.string().refine((value) => LINKS.includes(value), {
  error: (issue) =>
    `unknown link '${String(issue.input)}'; did you mean '${closest(String(issue.input), [...LINKS])}'? (links are <service>.db, <service>.kafka, gateway.<service>)`,
});
