/** A page's stylesheet: the shared base (base.css beside this file), then the page's own rules. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function pageStylesheet(pageCss: string): string {
  return `${readFileSync(path.join(import.meta.dirname, 'base.css'), 'utf8')}\n${readFileSync(pageCss, 'utf8')}`;
}
