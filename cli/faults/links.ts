/**
 * Turning a typed link name into a known one (or a clear error with the closest). The links
 * themselves are common/roster.ts; finding the running stack's fault proxy is proxy-url.ts.
 */
import { closest } from 'fastest-levenshtein';
import { badInput } from '../../common/errors.ts';
import { LINKS } from '../../common/roster.ts';

/**
 * `typed` if the fault proxy has that link; otherwise a bad-input error naming the closest link
 * (among the proxy's, or the stack's when the proxy has none).
 */
export function resolveLink(typed: string, available: readonly string[]): string {
  if (available.includes(typed)) return typed;
  const candidates = available.length > 0 ? available : LINKS;
  const nearest = closest(typed, [...candidates]);
  const known = LINKS.includes(typed);
  throw badInput(
    'E_UNKNOWN_LINK',
    known ? `the fault proxy has no link '${typed}' (is the stack up?).` : `unknown link '${typed}'.`,
    `The closest is '${nearest}'. Links: ${candidates.join(', ')}.`,
  );
}
