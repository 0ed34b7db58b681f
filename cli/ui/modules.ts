/**
 * The console's browser code, served as ES modules straight from the source tree with Node's own
 * type stripping (as the report inlines the same files): the console and the report run the same
 * diagram components, and nothing is fetched from anywhere but this process.
 */
import { readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import path from 'node:path';
import { pageStylesheet } from '../style/stylesheet.ts';

const CLI_ROOT = path.resolve(import.meta.dirname, '..');
/** Only these folders are browser code; anything else under cli/ is never served. */
const SERVED = ['ui/client/', 'report/components/'];

const cache = new Map<string, string>();

function quietly<T>(work: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = (() => {}) as typeof process.emitWarning;
  try {
    return work();
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** The JavaScript of `cli/<relative>` when it is browser code, else undefined. */
export function browserModule(relative: string): string | undefined {
  const normal = path.posix.normalize(relative);
  if (!normal.endsWith('.ts') || !SERVED.some((prefix) => normal.startsWith(prefix))) return undefined;
  const cached = cache.get(normal);
  if (cached !== undefined) return cached;
  let source: string;
  try {
    source = readFileSync(path.join(CLI_ROOT, normal), 'utf8');
  } catch {
    return undefined;
  }
  const code = quietly(() => stripTypeScriptTypes(source, { mode: 'strip' }));
  cache.set(normal, code);
  return code;
}

export function stylesheet(): string {
  const key = 'ui.css';
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const css = pageStylesheet(path.join(import.meta.dirname, 'client', 'ui.css'));
  cache.set(key, css);
  return css;
}

export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lab console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/ui.css">
<script type="module" src="/m/ui/client/app.ts"></script>
</head>
<body>
<noscript>The lab console needs JavaScript.</noscript>
<div id="app"></div>
</body>
</html>
`;
