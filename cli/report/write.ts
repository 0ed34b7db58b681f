/** Writes report.html into a run directory, from that directory alone. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildReportModel } from './build.ts';
import { renderReportHtml } from './html.ts';

export interface WrittenReport {
  file: string;
  bytes: number;
  ms: number;
}

export function writeReport(runDir: string): WrittenReport {
  const started = performance.now();
  const html = renderReportHtml(buildReportModel(runDir));
  const file = path.join(runDir, 'report.html');
  writeFileSync(file, html);
  return { file, bytes: Buffer.byteLength(html), ms: Math.round(performance.now() - started) };
}
