/// <reference lib="dom" />
/**
 * The report page's script: reads the embedded model, draws the charts, lists the orders and
 * shows one order (its saga diagram and trace waterfall) when a link names it (#order/<id>).
 * Everything it needs is inlined in the page: it makes no request.
 */
import { latencyChart, throughputChart, timelineChart } from '../components/charts.ts';
import { escapeXml, formatRunTime, renderSequenceSvg } from '../components/sequence.ts';
import { renderWaterfallSvg } from '../components/waterfall.ts';
import type { OrderModel, ReportModel } from '../model.ts';

function readModel(): ReportModel {
  const element = document.getElementById('lab-data');
  return JSON.parse(element?.textContent ?? '{}') as ReportModel;
}

function drawCharts(model: ReportModel): void {
  const host = document.getElementById('charts');
  if (!host || model.operations.start.length === 0) return;
  const width = Math.max(600, host.clientWidth - 8);
  const charts = [
    timelineChart(model, document.getElementById('timeline')!, width),
    latencyChart(model, document.getElementById('latency')!, width),
    throughputChart(model, document.getElementById('throughput')!, width),
  ];
  let pending = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => {
      const next = Math.max(600, host.clientWidth - 8);
      for (const chart of charts) chart.setSize({ width: next, height: chart.height });
    });
  });
}

const FLAG_TEXT: Record<string, string> = {
  duplicate: 'duplicate skipped',
  'applied-twice': 'applied twice',
  'double-charge': 'charged twice',
  'dead-letter': 'dead letter',
  cancelled: 'cancelled',
  pending: 'pending',
};

function orderRow(order: OrderModel): string {
  const flags = order.flags
    .map((flag) => `<span class="flag flag-${flag}">${escapeXml(FLAG_TEXT[flag] ?? flag)}</span>`)
    .join(' ');
  return (
    `<tr data-order="${order.id}"><td><a class="order-link" href="#order/${order.id}">${order.id}</a></td>` +
    `<td><span class="status status-${order.status.toLowerCase()}">${order.status}</span></td>` +
    `<td class="num">${(order.totalCents / 100).toFixed(2)}</td><td class="num">${formatRunTime(order.created)}</td>` +
    `<td class="num">${order.completed === null ? '' : `${((order.completed - order.created) / 1000).toFixed(2)} s`}</td><td>${flags}</td></tr>`
  );
}

function listOrders(model: ReportModel): void {
  const body = document.querySelector<HTMLTableSectionElement>('#orders tbody');
  const filter = document.getElementById('order-filter') as HTMLInputElement | null;
  const only = document.getElementById('order-only') as HTMLSelectElement | null;
  if (!body) return;
  const render = () => {
    const text = filter?.value.trim().toLowerCase() ?? '';
    const flag = only?.value ?? '';
    const shown = model.orders.filter(
      (order) =>
        (text === '' || order.id.includes(text) || order.status.toLowerCase().includes(text)) &&
        (flag === '' || order.flags.includes(flag) || (flag === 'notable' && order.flags.length > 0)),
    );
    body.innerHTML = shown.map(orderRow).join('');
    const count = document.getElementById('order-count');
    if (count) count.textContent = `${shown.length} of ${model.orders.length} orders`;
  };
  filter?.addEventListener('input', render);
  only?.addEventListener('change', render);
  render();
}

function showOrder(model: ReportModel, id: string): void {
  const panel = document.getElementById('order-detail');
  if (!panel) return;
  const order = model.orders.find((candidate) => candidate.id === id);
  if (!order) {
    panel.hidden = false;
    panel.innerHTML = `<h2>Order ${escapeXml(id)}</h2><p>This order is not among the run's rows (it may never have been created).</p>`;
    return;
  }
  const charges = order.steps.filter((step) => step.kind === 'payment' && step.payment === 'charge').length;
  const facts = [
    `<span class="status status-${order.status.toLowerCase()}">${order.status}</span>`,
    `total ${(order.totalCents / 100).toFixed(2)}`,
    `created ${formatRunTime(order.created)}`,
    order.completed === null ? 'not finished' : `finished ${formatRunTime(order.completed)}`,
    `${charges} charge${charges === 1 ? '' : 's'}`,
    order.reason ? `reason: ${escapeXml(order.reason)}` : '',
  ].filter(Boolean);
  const waterfall = renderWaterfallSvg(order.spans);
  panel.hidden = false;
  panel.innerHTML =
    `<h2>Order <code>${order.id}</code></h2><p class="facts">${facts.join(' · ')}</p>` +
    '<h3>Saga</h3><p class="hint">Time runs down; each arrow is one delivery of an event from the service that published it to a consumer. Dashed grey: a duplicate the inbox skipped; red: a duplicate applied again; orange: compensation.</p>' +
    `<div class="diagram">${renderSequenceSvg(order, model.lanes)}</div>` +
    '<h3>Trace</h3>' +
    (waterfall
      ? `<div class="diagram">${waterfall}</div>`
      : '<p class="hint">No spans were recorded for this order (the services export spans when tracing is on).</p>');
  panel.scrollIntoView({ block: 'start' });
}

function route(model: ReportModel): void {
  const match = /^#order\/(.+)$/.exec(location.hash);
  if (match?.[1]) showOrder(model, decodeURIComponent(match[1]));
}

export function startReport(): void {
  const model = readModel();
  drawCharts(model);
  listOrders(model);
  window.addEventListener('hashchange', () => route(model));
  route(model);
}

startReport();
