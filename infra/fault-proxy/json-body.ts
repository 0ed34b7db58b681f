/**
 * Decoding request bodies the way Go's encoding/json decodes them into Toxiproxy's structs:
 * unknown keys are ignored, keys match case-insensitively, null leaves a field unset, and a value
 * of the wrong type is refused with Go's message.
 */
import { errors } from './api-error.ts';

export type GoType = 'string' | 'bool' | 'int64' | 'int' | 'float32';

/** Parses a body; an empty body is Go's "EOF". */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw errors.badRequestBody.with('EOF');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw errors.badRequestBody.with((error as Error).message);
  }
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return `number ${value}`;
  if (typeof value === 'boolean') return 'bool';
  return typeof value; // string, object
}

function fits(value: unknown, type: GoType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'bool':
      return typeof value === 'boolean';
    case 'float32':
      return typeof value === 'number';
    case 'int64':
    case 'int':
      return typeof value === 'number' && Number.isSafeInteger(value);
  }
}

/**
 * The fields of `value` named in `fields`, checked against their Go types. `where` names the Go
 * struct for messages ("Proxy", "ToxicWrapper", "LatencyToxic.attributes").
 */
export function decodeStruct(
  value: unknown,
  where: string,
  fields: Readonly<Record<string, GoType>>,
): Record<string, string | number | boolean> {
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw errors.badRequestBody.with(
      `json: cannot unmarshal ${jsonKind(value)} into Go value of type ${where}`,
    );
  }
  const decoded: Record<string, string | number | boolean> = {};
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [field, type] of Object.entries(fields)) {
    const entry =
      entries.find(([key]) => key === field) ??
      entries.find(([key]) => key.toLowerCase() === field.toLowerCase());
    if (entry === undefined || entry[1] === null) continue;
    if (!fits(entry[1], type)) {
      throw errors.badRequestBody.with(
        `json: cannot unmarshal ${jsonKind(entry[1])} into Go struct field ${where}.${field} of type ${type}`,
      );
    }
    decoded[field] = entry[1] as string | number | boolean;
  }
  return decoded;
}

/** The raw value under `field` (case-insensitive, as Go matches it), or undefined. */
export function rawField(value: unknown, field: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  const entry =
    entries.find(([key]) => key === field) ??
    entries.find(([key]) => key.toLowerCase() === field.toLowerCase());
  return entry?.[1];
}
