/**
 * One order's saga as a sequence diagram (SVG markup, no DOM needed): services as lanes, events as
 * arrows from the producer to each consumer that received them, in time order, with the time of
 * each step on the left. Duplicates skipped by the inbox are dashed and grey, duplicates applied
 * a second time (no inbox) red, compensations orange; charges, refunds and dead letters are notes
 * on their lane. Runs in the report page and in Node (tests, a live console).
 */
import type { OrderModel, SagaStep } from '../model.ts';

const LANE_WIDTH = 150;
const LEFT = 84;
const TOP = 46;
const ROW = 34;

/** Events that undo earlier steps of a saga. */
const COMPENSATIONS = new Set(['OrderCancelled', 'StockReleased', 'PaymentRefunded']);
/** Events that make a saga turn back. */
const REJECTIONS = new Set(['StockRejected', 'PaymentDeclined']);

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export function formatRunTime(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

/** Time since the diagram's first step: milliseconds while short, seconds after. */
function formatSince(ms: number): string {
  return ms < 10_000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function formatCents(cents: number): string {
  return (cents / 100).toFixed(2);
}

type Row =
  | {
      kind: 'arrow';
      t: number;
      from: string;
      to: string;
      label: string;
      detail: string;
      /** When the event's outbox row was written and published (drawn relative to the first step). */
      written?: number;
      published?: number;
      style: string;
      type: string;
    }
  | { kind: 'note'; t: number; lane: string; label: string; style: string; type: string };

/** The diagram's rows: the client's request and answer, each delivery as an arrow, notes for the rest. */
export function sequenceRows(order: OrderModel): Row[] {
  const rows: Row[] = [];
  const producers = new Map<string, Extract<SagaStep, { kind: 'emit' }>>();
  for (const step of order.steps) if (step.kind === 'emit') producers.set(step.event, step);
  if (order.request) {
    rows.push({
      kind: 'arrow',
      t: order.request.start,
      from: 'client',
      to: 'order',
      label: 'POST /api/order/orders',
      detail: '',
      style: 'request',
      type: 'request',
    });
    const answer =
      order.request.outcome === 'ok'
        ? `${order.request.status ?? 201} accepted`
        : order.request.outcome === 'fail'
          ? `${order.request.status ?? ''} refused`.trim()
          : 'no answer (timeout or cut connection)';
    rows.push({
      kind: 'arrow',
      t: order.request.end,
      from: 'order',
      to: 'client',
      label: answer,
      detail: '',
      style: order.request.outcome === 'ok' ? 'response' : 'failed',
      type: 'response',
    });
  }
  const delivered = new Set<string>();
  for (const step of order.steps) {
    if (step.kind === 'deliver') {
      const producer = producers.get(step.event);
      delivered.add(step.event);
      const from = producer?.service ?? '?';
      const duplicate = step.delivery > 1;
      const style = duplicate
        ? step.applied
          ? 'applied-twice'
          : 'skipped'
        : COMPENSATIONS.has(step.type)
          ? 'compensation'
          : REJECTIONS.has(step.type)
            ? 'rejection'
            : 'event';
      const detail = duplicate
        ? step.applied
          ? `copy ${step.delivery}: APPLIED AGAIN (no inbox)`
          : `copy ${step.delivery}: duplicate, skipped by the inbox`
        : '';
      rows.push({
        kind: 'arrow',
        t: step.t,
        from,
        to: step.consumer,
        label: step.type,
        detail: `${detail}${step.exact ? '' : ' (time of the last copy)'}`,
        ...(producer && !duplicate ? { written: producer.t } : {}),
        ...(producer?.published != null && !duplicate ? { published: producer.published } : {}),
        style,
        type: step.type,
      });
    } else if (step.kind === 'payment')
      rows.push({
        kind: 'note',
        t: step.t,
        lane: 'payment',
        label: `${step.payment} ${formatCents(step.cents)}`,
        style: step.payment,
        type: step.payment,
      });
    else if (step.kind === 'dead')
      rows.push({
        kind: 'note',
        t: step.t,
        lane: step.consumer,
        label: `dead letter: ${step.type ?? 'unreadable message'} (${step.error.slice(0, 60)})`,
        style: 'dead-letter',
        type: 'dead-letter',
      });
  }
  // An event nobody recorded receiving (the end of the saga, or lost) is still a step of it.
  for (const step of order.steps)
    if (step.kind === 'emit' && !delivered.has(step.event))
      rows.push({
        kind: 'note',
        t: step.published ?? step.t,
        lane: step.service,
        label: `${step.type} published${step.copies > 0 ? ` (+${step.copies} copies)` : ''}`,
        style: COMPENSATIONS.has(step.type) ? 'compensation' : 'emitted',
        type: step.type,
      });
  return rows.sort((a, b) => a.t - b.t);
}

const STYLE = `
.seq text{font:12px system-ui,sans-serif;fill:#1f2937}
.seq .lane-head rect{fill:#eef2ff;stroke:#6366f1}
.seq .lane-head text{font-weight:600;text-anchor:middle}
.seq .lifeline{stroke:#c7d2fe;stroke-dasharray:4 4}
.seq .time{fill:#6b7280;font-size:11px;font-variant-numeric:tabular-nums}
.seq .arrow line{stroke-width:1.6}
.seq .label{text-anchor:middle}
.seq .detail{text-anchor:middle;font-size:10px;fill:#6b7280}
.seq .event line,.seq .request line{stroke:#2563eb}
.seq .response line{stroke:#16a34a}
.seq .failed line{stroke:#dc2626}
.seq .rejection line{stroke:#b45309}
.seq .compensation line{stroke:#d97706}
.seq .compensation .label{fill:#b45309;font-weight:600}
.seq .skipped line{stroke:#9ca3af;stroke-dasharray:5 4}
.seq .skipped .label{fill:#6b7280}
.seq .applied-twice line{stroke:#dc2626;stroke-width:2.4}
.seq .applied-twice .label,.seq .applied-twice .detail{fill:#dc2626;font-weight:600}
.seq .note rect{stroke-width:1}
.seq .note.charge rect{fill:#dcfce7;stroke:#16a34a}
.seq .note.refund rect{fill:#f3e8ff;stroke:#9333ea}
.seq .note.dead-letter rect{fill:#fee2e2;stroke:#dc2626}
.seq .note.emitted rect{fill:#f3f4f6;stroke:#9ca3af}
.seq .note.compensation rect{fill:#ffedd5;stroke:#d97706}
`;

function markerFor(style: string): string {
  return `arrow-${style}`;
}

const MARKER_COLORS: Record<string, string> = {
  event: '#2563eb',
  request: '#2563eb',
  response: '#16a34a',
  failed: '#dc2626',
  rejection: '#b45309',
  compensation: '#d97706',
  skipped: '#9ca3af',
  'applied-twice': '#dc2626',
};

export function renderSequenceSvg(order: OrderModel, lanes: readonly string[]): string {
  const rows = sequenceRows(order);
  const used = lanes.filter(
    (lane) =>
      lane === 'client' ||
      rows.some((row) => (row.kind === 'arrow' ? row.from === lane || row.to === lane : row.lane === lane)),
  );
  for (const row of rows)
    for (const lane of row.kind === 'arrow' ? [row.from, row.to] : [row.lane])
      if (!used.includes(lane)) used.push(lane);
  const x = (lane: string) => LEFT + used.indexOf(lane) * LANE_WIDTH + LANE_WIDTH / 2;
  const width = LEFT + used.length * LANE_WIDTH + 20;
  const height = TOP + rows.length * ROW + 24;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="seq" data-order="${escapeXml(order.id)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="saga of order ${escapeXml(order.id)}">`,
  );
  parts.push(`<style>${STYLE}</style><defs>`);
  for (const [style, color] of Object.entries(MARKER_COLORS))
    parts.push(
      `<marker id="${markerFor(style)}" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="${color}"/></marker>`,
    );
  parts.push('</defs>');
  for (const lane of used) {
    const cx = x(lane);
    parts.push(
      `<g class="lane-head"><rect x="${cx - 55}" y="8" width="110" height="24" rx="5"/><text x="${cx}" y="25">${escapeXml(lane)}</text></g>`,
    );
    parts.push(`<line class="lifeline" x1="${cx}" y1="32" x2="${cx}" y2="${height - 10}"/>`);
  }
  const origin = rows[0]?.t ?? 0;
  rows.forEach((row, index) => {
    const y = TOP + index * ROW + 16;
    parts.push(
      `<text class="time" x="6" y="${y + 4}"><title>${formatRunTime(row.t)} since the run started</title>+${formatSince(row.t - origin)}</text>`,
    );
    if (row.kind === 'arrow') {
      const x1 = x(row.from);
      const x2 = x(row.to);
      const mid = (x1 + x2) / 2;
      const timing = [
        row.written !== undefined ? `written +${formatSince(row.written - origin)}` : '',
        row.published !== undefined ? `published +${formatSince(row.published - origin)}` : '',
      ]
        .filter(Boolean)
        .join(', ');
      const detail = [row.detail, timing].filter(Boolean).join(' ');
      parts.push(
        `<g class="arrow ${row.style}" data-kind="${escapeXml(row.style)}" data-type="${escapeXml(row.type)}"><line x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" marker-end="url(#${markerFor(row.style)})"/>` +
          `<text class="label" x="${mid}" y="${y - 4}">${escapeXml(row.label)}</text>` +
          (detail ? `<text class="detail" x="${mid}" y="${y + 11}">${escapeXml(detail)}</text>` : '') +
          '</g>',
      );
    } else {
      const cx = x(row.lane);
      const noteWidth = Math.min(LANE_WIDTH * 2 - 10, 16 + row.label.length * 6.4);
      parts.push(
        `<g class="note ${row.style}" data-kind="${escapeXml(row.style)}" data-type="${escapeXml(row.type)}"><rect x="${cx - noteWidth / 2}" y="${y - 11}" width="${noteWidth}" height="20" rx="4"/>` +
          `<text class="label" x="${cx}" y="${y + 3}">${escapeXml(row.label)}</text></g>`,
      );
    }
  });
  parts.push('</svg>');
  return parts.join('');
}
