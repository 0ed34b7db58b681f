/**
 * The `random:` entry of `faults:` (cli/chaos/schedule.ts expands it): which kinds and targets a
 * random schedule may use, how many faults or how often, how long each lasts, and when.
 */
import { z } from 'zod';
import { LINKS, SERVICES, TOPICS } from '../../../common/roster.ts';
import { duration, positiveInt } from '../fields.ts';
import { FAULT_KINDS, FAULTS } from './index.ts';
import type { TargetType } from './types.ts';

/** The relays a scheduled relay fault may hit: the saga's, which publish all through a run. */
const SAGA_RELAYS: readonly string[] = ['order', 'inventory', 'payment'];

const CANDIDATES: Record<TargetType, readonly string[]> = {
  link: LINKS,
  service: SERVICES,
  relay: SAGA_RELAYS,
  route: LINKS.filter((link) => link.startsWith('gateway.')),
  topic: TOPICS,
  stack: ['stack'],
};

const SCHEDULABLE_KINDS = FAULT_KINDS.filter((kind) => FAULTS.get(kind)?.sample !== undefined);

/** Every name `targets:` may list: links, services and topics. */
const TARGET_NAMES = new Set([...LINKS, ...SERVICES, ...TOPICS]);

export function candidatesFor(kind: string, targets: readonly string[] | undefined): string[] {
  const type = FAULTS.get(kind)!.targetType;
  const all = CANDIDATES[type];
  if (type === 'stack' || targets === undefined) return [...all];
  return all.filter((name) => targets.includes(name));
}

export const randomSchedule = z
  .strictObject({
    kinds: z.array(z.enum(SCHEDULABLE_KINDS as [string, ...string[]])).min(1),
    targets: z
      .array(
        z.string().refine((name) => TARGET_NAMES.has(name), {
          error: (issue) => `unknown target '${String(issue.input)}' (a link, a service or a topic)`,
        }),
      )
      .min(1)
      .optional(),
    count: positiveInt.optional(),
    every: duration.optional(),
    for: z.strictObject({ min: duration, max: duration }).default({ min: 1000, max: 5000 }),
    between: z.strictObject({ start: duration.default(0), end: duration }),
  })
  .superRefine((spec, context) => {
    if ((spec.count === undefined) === (spec.every === undefined))
      context.addIssue({
        code: 'custom',
        message: 'a random schedule needs exactly one of `count` or `every`',
      });
    if (spec.for.min > spec.for.max)
      context.addIssue({ code: 'custom', path: ['for'], message: 'for.min must be <= for.max' });
    if (spec.between.start >= spec.between.end)
      context.addIssue({
        code: 'custom',
        path: ['between'],
        message: 'between.start must be before between.end',
      });
    if (spec.every !== undefined && spec.every <= 0)
      context.addIssue({ code: 'custom', path: ['every'], message: 'every must be more than 0' });
    for (const kind of spec.kinds)
      if (candidatesFor(kind, spec.targets).length === 0)
        context.addIssue({
          code: 'custom',
          path: ['targets'],
          message: `no target of ${kind} (a ${FAULTS.get(kind)!.targetType}) among ${spec.targets!.join(', ')}`,
        });
  });
export type RandomSchedule = z.output<typeof randomSchedule>;
