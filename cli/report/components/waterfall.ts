/**
 * One order's trace as a waterfall (SVG markup, no DOM needed): one bar per span on a common time
 * axis, children indented under their parent (across processes: the parent link the trace context
 * carries through the outbox and the broker), coloured by service, errors and marked spans (a
 * duplicate the inbox skipped, a dead letter) outlined red.
 */
import type { ReportSpan } from '../model.ts';
import { escapeXml } from './sequence.ts';

const ROW = 20;
const LABEL_WIDTH = 320;
const BAR_WIDTH = 560;

const SERVICE_COLORS = [
  '#6366f1',
  '#0ea5e9',
  '#10b981',
  '#f59e0b',
  '#ec4899',
  '#8b5cf6',
  '#14b8a6',
  '#ef4444',
];

/** Spans in tree order (a parent before its children, siblings by start), each with its depth. */
export function spanTree(spans: readonly ReportSpan[]): Array<{ span: ReportSpan; depth: number }> {
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map<string, ReportSpan[]>();
  const roots: ReportSpan[] = [];
  for (const span of spans) {
    if (span.parentSpanId && ids.has(span.parentSpanId)) {
      const list = children.get(span.parentSpanId) ?? [];
      list.push(span);
      children.set(span.parentSpanId, list);
    } else roots.push(span);
  }
  const ordered: Array<{ span: ReportSpan; depth: number }> = [];
  const visit = (span: ReportSpan, depth: number) => {
    ordered.push({ span, depth });
    for (const child of (children.get(span.spanId) ?? []).sort((a, b) => a.start - b.start))
      visit(child, depth + 1);
  };
  for (const root of roots.sort((a, b) => a.start - b.start)) visit(root, 0);
  return ordered;
}

export function renderWaterfallSvg(spans: readonly ReportSpan[]): string {
  const rows = spanTree(spans);
  if (rows.length === 0) return '';
  const start = Math.min(...spans.map((span) => span.start));
  const end = Math.max(...spans.map((span) => span.end));
  const scale = BAR_WIDTH / Math.max(end - start, 1);
  const services = [...new Set(spans.map((span) => span.service))];
  const color = (service: string) => SERVICE_COLORS[services.indexOf(service) % SERVICE_COLORS.length];
  const width = LABEL_WIDTH + BAR_WIDTH + 90;
  const height = rows.length * ROW + 30;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="waterfall" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="trace waterfall">`,
    '<style>.waterfall text{font:11px system-ui,sans-serif;fill:#1f2937}.waterfall .dur{fill:#6b7280}.waterfall .axis{stroke:#e5e7eb}.waterfall .bad{stroke:#dc2626;stroke-width:2}</style>',
    `<text x="${LABEL_WIDTH}" y="12" class="dur">0 ms</text><text x="${LABEL_WIDTH + BAR_WIDTH}" y="12" class="dur" text-anchor="end">${(end - start).toFixed(1)} ms</text>`,
  ];
  rows.forEach(({ span, depth }, index) => {
    const y = 20 + index * ROW;
    const barX = LABEL_WIDTH + (span.start - start) * scale;
    const barWidth = Math.max(2, (span.end - span.start) * scale);
    const bad = span.error || span.mark ? ' class="bad"' : '';
    parts.push(
      `<g class="span" data-service="${escapeXml(span.service)}"><line class="axis" x1="0" y1="${y + ROW - 2}" x2="${width}" y2="${y + ROW - 2}"/>` +
        `<text x="${4 + depth * 12}" y="${y + 13}"><tspan font-weight="600">${escapeXml(span.service)}</tspan> ${escapeXml(span.name)}${span.mark ? ` [${escapeXml(span.mark)}]` : ''}</text>` +
        `<rect${bad} x="${barX}" y="${y + 3}" width="${barWidth}" height="${ROW - 8}" rx="2" fill="${color(span.service)}"/>` +
        `<text class="dur" x="${barX + barWidth + 4}" y="${y + 13}">${(span.end - span.start).toFixed(1)} ms</text></g>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}
