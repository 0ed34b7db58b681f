/**
 * report.html: one self-contained page. The header, the faults and the check table are plain HTML
 * (readable even with scripts off); the model is embedded as JSON; uPlot and the page's own
 * components are inlined, so the file opens from file:// and makes no request at all.
 */
import { readFileSync } from 'node:fs';
import { createRequire, stripTypeScriptTypes } from 'node:module';
import path from 'node:path';
import { pageStylesheet } from '../style/stylesheet.ts';
import { escapeXml as esc, formatRunTime } from './components/sequence.ts';
import type { ReportCheck, ReportModel } from './model.ts';

const require = createRequire(import.meta.url);

/** The browser modules, dependencies first; they import only each other (and types). */
const CLIENT_MODULES = [
  'components/sequence.ts',
  'components/waterfall.ts',
  'components/charts.ts',
  'client/app.ts',
];

let cachedAssets: { script: string; style: string } | undefined;

/** Runs `work` without Node's "experimental feature" warning, which would land in the CLI's output. */
function quietly<T>(work: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning).includes('stripTypeScriptTypes')) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return work();
  } finally {
    process.emitWarning = emitWarning;
  }
}

/**
 * One browser module as a function scope: its `export`s become the returned object, its relative
 * imports read the objects of the modules before it (CLIENT_MODULES is in dependency order).
 */
function wrapModule(file: string): string {
  const source = quietly(() =>
    stripTypeScriptTypes(readFileSync(path.join(import.meta.dirname, file), 'utf8'), { mode: 'strip' }),
  );
  const exported: string[] = [];
  const body = source
    .replace(
      /^import\s*\{([^}]*)\}\s*from\s*['"](\.[^'"]+)['"];?/gm,
      (_, names: string, specifier: string) => {
        const target = path.posix.join(path.posix.dirname(file), specifier);
        const bindings = names
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean)
          .map((name) => name.replace(/\s+as\s+/, ': '));
        return `const { ${bindings.join(', ')} } = modules[${JSON.stringify(target)}];`;
      },
    )
    .replace(/^import\s[^;]*;?$/gm, '')
    .replace(
      /^export\s+((?:async\s+)?(?:function|const|let|class)\s+)([A-Za-z_$][\w$]*)/gm,
      (_, keyword: string, name: string) => {
        exported.push(name);
        return `${keyword}${name}`;
      },
    );
  return `modules[${JSON.stringify(file)}] = (() => {\n${body}\nreturn { ${exported.join(', ')} };\n})();`;
}

/** The page's script and styles: uPlot's browser build and CSS, then the client modules. */
function assets(): { script: string; style: string } {
  if (cachedAssets) return cachedAssets;
  const uplotDir = path.dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  const ownCode = CLIENT_MODULES.map(wrapModule).join('\n');
  const script = `${readFileSync(path.join(uplotDir, 'uPlot.iife.min.js'), 'utf8')}\n(() => {\n'use strict';\nconst modules = {};\n${ownCode}\n})();`;
  cachedAssets = {
    script: script.replace(/<\/script/gi, '<\\/script'),
    style: `${readFileSync(path.join(uplotDir, 'uPlot.min.css'), 'utf8')}\n${pageStylesheet(path.join(import.meta.dirname, 'report.css'))}`,
  };
  return cachedAssets;
}

const VERDICT_TEXT: Record<string, string> = { valid: 'valid', invalid: 'invalid', unknown: 'unknown' };

function isOrderId(value: unknown, model: ReportModel): value is string {
  return (
    typeof value === 'string' &&
    /^[0-9a-f-]{36}$/.test(value) &&
    model.orders.some((order) => order.id === value)
  );
}

function evidenceValue(key: string, value: unknown, model: ReportModel): string {
  if (isOrderId(value, model))
    return `<a class="order-link" href="#order/${value}" data-order="${value}">${value}</a>`;
  if (Array.isArray(value)) return value.map((item) => evidenceValue(key, item, model)).join(', ');
  if (value !== null && typeof value === 'object') return esc(JSON.stringify(value));
  return esc(String(value));
}

function evidenceTable(check: ReportCheck, model: ReportModel): string {
  const items = check.evidence.items;
  if (items.length === 0) return '';
  const columns = [...new Set(items.flatMap((item) => Object.keys(item)))];
  const head = columns.map((column) => `<th>${esc(column)}</th>`).join('');
  const rows = items
    .map(
      (item) =>
        `<tr>${columns.map((column) => `<td>${column in item ? evidenceValue(column, item[column], model) : ''}</td>`).join('')}</tr>`,
    )
    .join('');
  const more =
    check.evidence.total > items.length
      ? `<p class="hint">and ${check.evidence.total - items.length} more</p>`
      : '';
  return `<details class="evidence" ${check.verdict === 'invalid' ? 'open' : ''}><summary>evidence (${check.evidence.total})</summary><div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>${more}</details>`;
}

function checkTable(model: ReportModel): string {
  if (model.checks.length === 0)
    return '<p class="hint">No check ran (the run stopped before the checks).</p>';
  return checkRows(model.checks, model);
}

/** The steady-state probes: before any fault, and after settling (they joined the verdict). */
function steadyStateSection(model: ReportModel): string {
  const steady = model.steadyState;
  if (!steady) return '';
  const part = (title: string, probes: ReportCheck[], none: string) =>
    `<h3>${title}</h3>${probes.length > 0 ? checkRows(probes, model) : `<p class="hint">${none}</p>`}`;
  return `<section id="steady-state"><h2>Steady state</h2>${part('Before any fault', steady.before, 'No probe before the faults.')}${part('After settling', steady.after, 'No probe after settling (or the run stopped before).')}</section>`;
}

function checkRows(checks: ReportCheck[], model: ReportModel): string {
  const rows = checks
    .map(
      (check) =>
        `<tr class="check" data-check="${esc(check.name)}"><td><code>${esc(check.name)}</code><div class="hint">${esc(check.description)}</div></td>` +
        `<td><span class="verdict verdict-${check.verdict}">${VERDICT_TEXT[check.verdict] ?? check.verdict}</span></td>` +
        `<td>${esc(check.summary)}${evidenceTable(check, model)}</td></tr>`,
    )
    .join('');
  return `<table class="checks"><thead><tr><th>check</th><th>verdict</th><th>what it found</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function faultTable(model: ReportModel): string {
  if (model.faults.length === 0) return '<p class="hint">This scenario injects no fault.</p>';
  const rows = model.faults
    .map(
      (fault) =>
        `<tr><td><span class="swatch" style="--band:var(--fault-${fault.index % 8})"></span>${fault.index}</td><td>${esc(fault.kind)}</td><td>${esc(fault.target)}</td>` +
        `<td class="num">${formatRunTime(fault.start)}</td><td class="num">${fault.end === null ? '—' : formatRunTime(fault.end)}</td><td>${esc(fault.error ?? '')}</td></tr>`,
    )
    .join('');
  return `<table class="faults"><thead><tr><th>#</th><th>kind</th><th>target</th><th>from</th><th>healed</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
}

function header(model: ReportModel): string {
  const run = model.run;
  const met = run.expectationMet ? 'expectation met' : run.error ? 'run stopped' : 'expectation NOT met';
  const facts: Array<[string, string]> = [
    ['seed', String(run.seed)],
    ['runtime', run.runtime],
    ['kit', run.kit],
    ['clock', run.clock],
    ['switches', run.without.length > 0 ? `without ${run.without.join(', ')}` : 'all patterns on'],
    ['expected', run.expected],
    ['started', run.startedAt],
    ['took', `${(run.durationMs / 1000).toFixed(1)} s`],
    [
      'orders',
      Object.entries(run.counts)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => `${key} ${value}`)
        .join(', '),
    ],
  ];
  return (
    `<header><div class="title"><h1>${esc(run.scenario)}</h1><span class="verdict verdict-${run.verdict}">${esc(run.verdict)}</span>` +
    `<span class="met ${run.expectationMet ? 'met-yes' : 'met-no'}">${met}</span></div>` +
    `<p class="description">${esc(run.description)}</p><p class="explanation">${esc(run.explanation)}</p>` +
    `<dl>${facts.map(([key, value]) => `<div><dt>${key}</dt><dd>${esc(value)}</dd></div>`).join('')}</dl>` +
    `<p class="replay">replay: <code>${esc(run.replay)}</code> <span class="hint">run ${esc(run.id)}</span></p></header>`
  );
}

export function renderReportHtml(model: ReportModel): string {
  const { script, style } = assets();
  const data = JSON.stringify(model).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(model.run.scenario)} — ${esc(model.run.verdict)} — lab report</title>
<style>${style}</style></head>
<body><main>
${header(model)}
<section><h2>Faults</h2>${faultTable(model)}</section>
<section id="charts"><h2>Client operations, latency and throughput</h2>
<p class="hint">Shaded bands are the fault windows. Drag across a chart to zoom (double-click to reset); the cursor is shared.</p>
<div id="timeline" class="chart"></div><div id="latency" class="chart"></div><div id="throughput" class="chart"></div></section>
${steadyStateSection(model)}<section><h2>Checks</h2>${checkTable(model)}</section>
<section id="order-detail" hidden></section>
<section><h2>Orders</h2>
<div class="controls"><input id="order-filter" type="search" placeholder="filter by id or status"> <select id="order-only"><option value="">all orders</option><option value="notable">anything notable</option><option value="duplicate">duplicate skipped</option><option value="applied-twice">applied twice</option><option value="double-charge">charged twice</option><option value="dead-letter">dead letter</option><option value="cancelled">cancelled</option><option value="pending">pending</option></select> <span id="order-count" class="hint"></span></div>
<div class="scroll orders-scroll"><table id="orders"><thead><tr><th>order</th><th>status</th><th>total</th><th>placed</th><th>saga took</th><th></th></tr></thead><tbody></tbody></table></div></section>
</main>
<script type="application/json" id="lab-data">${data}</script>
<script>${script}</script>
</body></html>
`;
}
