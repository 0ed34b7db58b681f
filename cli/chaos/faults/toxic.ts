/**
 * Every toxic of the fault proxy is a fault kind of its own name (`latency:`, `bandwidth:` ...),
 * derived from its definition in infra/fault-proxy/toxics: a toxic added there is a scenario kind
 * here, with the same attributes and units. Applied as a named toxic on the link; healed by
 * removing it.
 *
 * Options: `link`, `stream` (downstream, the default, or upstream), `toxicity` (0-1, default 1)
 * and the toxic's attributes; millisecond attributes take durations ("300ms", "2s") or numbers.
 */
import { z } from 'zod';
import { type AttributeSpec, TOXICS, type ToxicKind } from '../../../infra/fault-proxy/toxics/index.ts';
import { link, millis, nonNegativeInt, probability } from '../fields.ts';
import { defineFault, type FaultDefinition, once } from './types.ts';

export interface ToxicOptions {
  link: string;
  stream: 'downstream' | 'upstream';
  toxicity: number;
  attributes: Record<string, number>;
}

/** Values a random schedule draws a required attribute from, by its unit. */
const SAMPLE_RANGES: Record<AttributeSpec['unit'], [number, number]> = {
  ms: [50, 1000],
  'KB/s': [8, 256],
  bytes: [64, 16_384],
  µs: [0, 1000],
};

/** Short names scenario files may use for an attribute: the docs write latency as `ms`. */
const ALIASES: Record<string, Record<string, string>> = { latency: { ms: 'latency' } };

function optionsSchema(toxic: ToxicKind): z.ZodType<ToxicOptions> {
  const aliases = ALIASES[toxic.type] ?? {};
  const attributeFields = Object.fromEntries(
    [
      ...Object.entries(toxic.attributes),
      ...Object.entries(aliases).map(([alias, name]) => [alias, toxic.attributes[name]!] as const),
    ].map(([name, spec]) => [name, (spec.unit === 'ms' ? millis : nonNegativeInt).optional()]),
  );
  return z
    .strictObject({
      link,
      stream: z.enum(['downstream', 'upstream']).default('downstream'),
      toxicity: probability.default(1),
      ...attributeFields,
    })
    .superRefine((value: Record<string, unknown>, context) => {
      for (const [name, spec] of Object.entries(toxic.attributes)) {
        const given = [name, ...Object.keys(aliases).filter((alias) => aliases[alias] === name)];
        if (spec.required && given.every((key) => value[key] === undefined))
          context.addIssue({
            code: 'custom',
            message: `${toxic.type} needs \`${given.join('` (or `')}\`${given.length > 1 ? ')' : ''}: ${spec.description}, in ${spec.unit}`,
          });
      }
    })
    .transform((value: Record<string, unknown>) => ({
      link: value.link as string,
      stream: value.stream as ToxicOptions['stream'],
      toxicity: value.toxicity as number,
      attributes: Object.fromEntries(
        Object.keys(toxic.attributes).map((name) => {
          const alias = Object.keys(aliases).find((key) => aliases[key] === name && value[key] !== undefined);
          return [name, (value[name] ?? (alias ? value[alias] : undefined) ?? 0) as number];
        }),
      ),
    })) as unknown as z.ZodType<ToxicOptions>;
}

function toxicFault(toxic: ToxicKind): FaultDefinition<ToxicOptions> {
  return defineFault<ToxicOptions>({
    kind: toxic.type,
    summary: `Toxiproxy's ${toxic.type} toxic on a link: ${toxic.description}`,
    timing: 'windowed',
    options: optionsSchema(toxic),
    target: (options) => options.link,
    targetType: 'link',
    sample: (random, target) => ({
      link: target,
      ...Object.fromEntries(
        Object.entries(toxic.attributes)
          .filter(([, spec]) => spec.required)
          .map(([name, spec]) => [name, random.int(...SAMPLE_RANGES[spec.unit])]),
      ),
    }),
    async apply(options, context) {
      const { link: target, stream, toxicity, attributes } = options;
      const name = `lab-${context.index}-${toxic.type}`;
      await context.proxy.addToxic(target, { name, type: toxic.type, stream, toxicity, attributes });
      context.log(`${toxic.type} on ${target} (${stream}, ${JSON.stringify(attributes)})`);
      return { heal: once(() => context.proxy.removeToxic(target, name)) };
    },
  });
}

export const TOXIC_FAULTS: readonly FaultDefinition<ToxicOptions>[] = [...TOXICS.values()].map(toxicFault);
