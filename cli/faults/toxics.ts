/**
 * Turning `lab fault add <link> <toxic> --attr k=v ...` into a Toxiproxy toxic body, with clear
 * errors (and the closest valid name) for unknown toxics and attributes.
 */
import { closest } from 'fastest-levenshtein';
import { badInput } from '../../common/errors.ts';
import { TOXICS, type ToxicKind } from '../../infra/fault-proxy/toxics/index.ts';

export const TOXIC_TYPES: readonly string[] = [...TOXICS.keys()];

export interface ToxicRequest {
  type: string;
  /** Absent: Toxiproxy names it `<type>_<stream>`. */
  name?: string;
  stream: 'upstream' | 'downstream';
  toxicity: number;
  attributes: Record<string, number>;
}

export function toxicKind(type: string): ToxicKind {
  const kind = TOXICS.get(type);
  if (kind) return kind;
  if (type === 'down') {
    throw badInput(
      'E_UNKNOWN_TOXIC',
      "'down' is not a toxic.",
      'Use `lab fault down <link>` (and `lab fault up <link>`).',
    );
  }
  throw badInput(
    'E_UNKNOWN_TOXIC',
    `unknown toxic '${type}'.`,
    `The closest is '${closest(type, [...TOXIC_TYPES])}'. Toxics: ${TOXIC_TYPES.join(', ')}.`,
  );
}

/** "500", or "500ms" when the attribute is in ms: an integer in the attribute's unit. */
function parseAttributeValue(kind: ToxicKind, key: string, raw: string): number {
  const spec = kind.attributes[key];
  const units = spec?.unit === 'µs' ? ['µs', 'us'] : spec ? [spec.unit] : [];
  const unit = units.find((candidate) => raw.endsWith(candidate));
  const digits = unit ? raw.slice(0, -unit.length) : raw;
  const value = Number(digits);
  if (digits.trim() === '' || !Number.isSafeInteger(value) || value < 0) {
    throw badInput(
      'E_BAD_ATTRIBUTE',
      `${kind.type} ${key}=${raw}: expected a whole number of ${spec?.unit ?? 'units'} (0 or more).`,
    );
  }
  return value;
}

/** `--attr k=v` values (each may also hold several, comma-separated) into attributes. */
export function parseAttributes(kind: ToxicKind, pairs: readonly string[]): Record<string, number> {
  const names = Object.keys(kind.attributes);
  const attributes: Record<string, number> = {};
  for (const pair of pairs.flatMap((item) => item.split(',')).filter((item) => item.trim() !== '')) {
    const equals = pair.indexOf('=');
    if (equals <= 0)
      throw badInput('E_BAD_ATTRIBUTE', `--attr ${pair}: expected key=value, e.g. ${names[0]}=100.`);
    const key = pair.slice(0, equals).trim();
    if (!names.includes(key)) {
      throw badInput(
        'E_UNKNOWN_ATTRIBUTE',
        `${kind.type} has no attribute '${key}'.`,
        `The closest is '${closest(key, names)}'. ${kind.type} attributes: ${describeAttributes(kind)}.`,
      );
    }
    attributes[key] = parseAttributeValue(kind, key, pair.slice(equals + 1).trim());
  }
  return attributes;
}

export function describeAttributes(kind: ToxicKind): string {
  return Object.entries(kind.attributes)
    .map(([name, spec]) => `${name} (${spec.unit})`)
    .join(', ');
}

export function parseToxicity(raw: string | undefined): number {
  if (raw === undefined) return 1;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw badInput('E_BAD_TOXICITY', `--toxicity ${raw}: expected a probability between 0 and 1.`);
  }
  return value;
}

export function parseToxicRequest(options: {
  type: string;
  attrs?: readonly string[];
  upstream?: boolean;
  toxicity?: string;
  name?: string;
}): ToxicRequest {
  const kind = toxicKind(options.type);
  const toxicity = parseToxicity(options.toxicity);
  const attributes = parseAttributes(kind, options.attrs ?? []);
  const missing = Object.entries(kind.attributes).filter(
    ([name, spec]) => spec.required && attributes[name] === undefined,
  );
  if (missing.length > 0) {
    const [name, spec] = missing[0]!;
    throw badInput(
      'E_MISSING_ATTRIBUTE',
      `${kind.type} needs ${missing.map(([each]) => `'${each}'`).join(' and ')}: ${spec.description}, in ${spec.unit}.`,
      `Add ${missing.map(([each, { unit }]) => `--attr ${each}=<${unit}>`).join(' ')}, e.g. --attr ${name}=${spec.unit === 'ms' ? '500' : '100'}. ${kind.type} attributes: ${describeAttributes(kind)}.`,
    );
  }
  return {
    type: kind.type,
    ...(options.name ? { name: options.name } : {}),
    stream: options.upstream ? 'upstream' : 'downstream',
    toxicity,
    attributes,
  };
}

/** "latency=500ms, jitter=50ms": the attributes that were set or are not zero, with units. */
export function formatAttributes(
  type: string,
  attributes: Record<string, number>,
  set: readonly string[] = [],
): string {
  const kind = TOXICS.get(type);
  return Object.entries(attributes)
    .filter(([name, value]) => value !== 0 || set.includes(name))
    .map(([name, value]) => {
      const unit = kind?.attributes[name]?.unit;
      return unit === 'ms' || unit === 'µs'
        ? `${name}=${value}${unit}`
        : `${name}=${value}${unit ? ` ${unit}` : ''}`;
    })
    .join(', ');
}
