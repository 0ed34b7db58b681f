/**
 * Units used in scenario files: durations (`300ms`, `5s`, `1.5m`), rates (`50/s`, `600/m`) and money
 * (`100.00`, kept as integer cents so sums never drift).
 */

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;
const DURATION_FACTORS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration in milliseconds, or an error message. A bare number is refused (is `5` seconds or
 * milliseconds?), except 0, which means "now" in any unit.
 */
export function parseDuration(value: unknown): number | string {
  if (value === 0) return 0;
  if (typeof value !== 'string') return 'expected a duration like 300ms, 5s or 1m';
  const match = DURATION.exec(value.trim());
  if (!match) return `expected a duration like 300ms, 5s or 1m, got '${value}'`;
  return Math.round(Number(match[1]) * DURATION_FACTORS[match[2]!]!);
}

const RATE = /^(\d+(?:\.\d+)?)\s*\/\s*(s|m|h)$/;
const RATE_FACTORS: Record<string, number> = { s: 1, m: 1 / 60, h: 1 / 3600 };

/** A rate in operations per second, or an error message. A bare number means per second. */
export function parseRate(value: unknown): number | string {
  if (typeof value === 'number' && value > 0) return value;
  if (typeof value !== 'string') return 'expected a rate like 50/s or 600/m';
  const match = RATE.exec(value.trim());
  if (!match || Number(match[1]) <= 0) return `expected a positive rate like 50/s or 600/m, got '${value}'`;
  return Number(match[1]) * RATE_FACTORS[match[2]!]!;
}

/** Money in integer cents, or an error message. At most two decimals: no sub-cent amounts. */
export function parseMoney(value: unknown): number | string {
  const text =
    typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  if (text === undefined || !/^\d+(\.\d{1,2})?$/.test(text))
    return `expected an amount like 100.00 (at most two decimals), got '${String(value)}'`;
  const [whole, fraction = ''] = text.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

/** 850ms, 12.3s, 5m57s, 6m: rounded before it is split, so 359.7 s reads 6m, never 5m60s. */
export function formatDuration(ms: number): string {
  if (Math.round(ms) < 1000) return `${Math.round(ms)}ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(tenths % 10 === 0 ? 0 : 1)}s`;
  const seconds = Math.round(ms / 1000);
  const rest = seconds % 60;
  return `${Math.floor(seconds / 60)}m${rest > 0 ? `${rest}s` : ''}`;
}

export function formatMoney(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** `">= 200"`, `"< 5"`, `"== 0"`, or a bare number (meaning ==): a comparison for the outcomes check. */
export interface Comparison {
  op: '>=' | '<=' | '>' | '<' | '==';
  value: number;
}

const COMPARISON = /^(>=|<=|==|>|<|=)?\s*(\d+)$/;

export function parseComparison(value: unknown): Comparison | string {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return { op: '==', value };
  const match = typeof value === 'string' ? COMPARISON.exec(value.trim()) : null;
  if (!match) return `expected a comparison like ">= 200", "< 5" or a count, got '${String(value)}'`;
  const op = match[1] === '=' || match[1] === undefined ? '==' : (match[1] as Comparison['op']);
  return { op, value: Number(match[2]) };
}

export function compare(actual: number, comparison: Comparison): boolean {
  switch (comparison.op) {
    case '>=':
      return actual >= comparison.value;
    case '<=':
      return actual <= comparison.value;
    case '>':
      return actual > comparison.value;
    case '<':
      return actual < comparison.value;
    case '==':
      return actual === comparison.value;
  }
}
