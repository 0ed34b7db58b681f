/// <reference lib="dom" />
/**
 * The console page: one live snapshot of the stack (Server-Sent Events, one batch per 250 ms at
 * most) drawn into cards, actions as small forms that POST to the console, and one order's saga
 * drawn with the run report's own components (one implementation for report and console).
 * Cards redraw only their data regions, so a form being filled in is never reset by an update.
 */
import { escapeXml, renderSequenceSvg } from '../../report/components/sequence.ts';
import { renderWaterfallSvg } from '../../report/components/waterfall.ts';
import type { OrderModel } from '../../report/model.ts';
import type { Batch, Snapshot } from '../hub.ts';
import type { TappedEvent } from '../tap.ts';

interface ToxicInfo {
  type: string;
  description: string;
  attributes: Array<{ name: string; unit: string; description: string }>;
}

interface Session {
  authorised: boolean;
  toxics: ToxicInfo[];
  patterns: string[];
  scenarios: string[];
}

const RELAY_SERVICES = ['order', 'inventory', 'payment', 'shipping', 'auth', 'catalog'];
const TOPICS = ['orders', 'inventory', 'payments', 'shipping', 'users', 'catalog'];
const STATUS_CLASS: Record<string, string> = { CONFIRMED: 'ok', CANCELLED: 'bad', PENDING: 'wait' };

let session: Session = { authorised: false, toxics: [], patterns: [], scenarios: [] };
let snapshot: Snapshot | undefined;
const recentEvents: TappedEvent[] = [];
let openOrder: string | undefined;
let orderTimer: number | undefined;

const esc = (value: unknown) => escapeXml(String(value ?? ''));
const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const money = (cents: number) => `$${(cents / 100).toFixed(2)}`;
const clock = (iso: string | number) => new Date(iso).toTimeString().slice(0, 8);

function toast(message: string, level: 'ok' | 'error' = 'ok'): void {
  const box = $('toast');
  box.textContent = message;
  box.className = `toast toast-${level}`;
  box.hidden = false;
  window.clearTimeout(Number(box.dataset.timer));
  box.dataset.timer = String(window.setTimeout(() => (box.hidden = true), level === 'error' ? 8000 : 3000));
}

async function post(route: string, body: unknown): Promise<Record<string, unknown> | undefined> {
  const response = await fetch(route, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const error = answer.error as { message?: string } | undefined;
    toast(error?.message ?? `HTTP ${response.status}`, 'error');
    return undefined;
  }
  return answer;
}

function card(id: string, title: string, hint: string, body: string): string {
  return `<section class="card" id="${id}"><h2>${title}</h2><p class="hint">${hint}</p>${body}</section>`;
}

function layout(): string {
  const toxicOptions = session.toxics
    .map((toxic) => `<option value="${toxic.type}">${toxic.type}</option>`)
    .join('');
  const scenarioOptions = session.scenarios
    .map((name) => `<option${name === 'order-saga' ? ' selected' : ''}>${esc(name)}</option>`)
    .join('');
  const relayOptions = RELAY_SERVICES.map((service) => `<option>${service}</option>`).join('');
  const topicOptions = TOPICS.map((topic) => `<option>${topic}</option>`).join('');
  const lock = session.authorised ? '' : ' disabled title="read-only: open the URL `lab ui` prints"';
  return `
<header class="top">
  <div class="brand"><span class="logo">◆</span> lab console</div>
  <div id="stack-line" class="stack-line"></div>
  <div class="access ${session.authorised ? 'access-ok' : 'access-ro'}">${
    session.authorised
      ? 'admin: you may break things'
      : 'read-only — open the URL <code>lab ui</code> prints to act'
  }</div>
</header>
<div id="busy" class="busy" hidden></div>
<div id="toast" class="toast" hidden></div>
<div id="chaos-run" class="chaos-run" hidden></div>
<main class="grid">
  <div class="col">
    ${card(
      'shop',
      'Shop',
      'Place orders as the learner customer (registered for you). Watch them move in Orders.',
      `<div id="catalog" class="catalog"></div>
       <form id="load-form" class="row">
         <label>Load <input name="orders" type="number" min="1" max="10000" value="50"> orders</label>
         <label>at <input name="rate" type="number" min="1" max="200" value="10">/s</label>
         <button${lock}>Start load</button><button type="button" data-action="stop-load"${lock}>Stop</button>
       </form>
       <div id="load" class="muted"></div>`,
    )}
    ${card('orders', 'Orders', 'Newest first. Click one to see its saga as a sequence diagram.', '<div id="order-counts" class="counts"></div><div id="order-list"></div>')}
  </div>
  <div class="col">
    ${card('stack', 'Services and infrastructure', 'Health from the runtime. Kill, pause or restart any piece.', '<div id="processes"></div>')}
    ${card(
      'links',
      'Network links (fault proxy)',
      'Every connection goes through a link. Add a toxic, or take a link down.',
      `<form id="toxic-form" class="row wrap">
         <select name="link" id="toxic-link"></select>
         <select name="type" id="toxic-type">${toxicOptions}</select>
         <span id="toxic-attributes" class="row"></span>
         <select name="stream"><option>downstream</option><option>upstream</option></select>
         <button${lock}>Add toxic</button>
       </form>
       <div id="link-list"></div>`,
    )}
  </div>
  <div class="col">
    ${card('events', 'Events on the broker', 'A tap on every topic (not the logs), batched every 250 ms.', '<div id="topic-counts" class="topics"></div><div id="event-list" class="events"></div>')}
    ${card('counters', 'What the patterns did', 'From each service’s /metrics.', '<div id="counter-table"></div>')}
  </div>
</main>
<main class="grid grid-lower">
  <section id="order-detail" class="card detail"><h2>Saga</h2><p class="hint">Click an order (or place one) to see its saga as a sequence diagram, live.</p></section>
  <div class="col">
    ${card(
      'app-faults',
      'App-level faults',
      'Faults inside the shop: duplicates from a relay, a rewound consumer, a relay crash, a poison message.',
      `<form id="fault-form" class="row wrap">
         <select name="kind" id="fault-kind">
           <option value="duplicate">duplicate</option><option value="redeliver">redeliver</option>
           <option value="relay_crash">relay crash</option><option value="poison">poison</option>
         </select>
         <select name="service" id="fault-service">${relayOptions}</select>
         <select name="topic" id="fault-topic">${topicOptions}</select>
         <button${lock}>Inject</button>
       </form>
       <div id="fault-list"></div>`,
    )}
    ${card(
      'patterns',
      'Patterns',
      'Switch a pattern off to see what it protects against. This recreates the stack: every service restarts.',
      `<form id="pattern-form" class="row wrap">${session.patterns
        .map(
          (pattern) =>
            `<label class="check"><input type="checkbox" name="${pattern}"> without ${pattern}</label>`,
        )
        .join('')}
         <button${lock}>Recreate stack</button></form>
       <div id="pattern-confirm" class="warning" hidden></div>`,
    )}
    ${card(
      'scenario',
      'Scenarios',
      'Run a bundled scenario against this stack: load, faults, then the checks’ verdict.',
      `<form id="scenario-form" class="row"><select name="name">${scenarioOptions}</select><button${lock}>Run</button></form>
       <div id="scenario-progress"></div>`,
    )}
    ${card('activity', 'Activity', 'What the console did, newest first.', '<ol id="activity-list" class="activity"></ol>')}
  </div>
</main>`;
}

function healthDot(state: string, healthy: boolean): string {
  const kind = state !== 'running' ? (state === 'paused' ? 'wait' : 'bad') : healthy ? 'ok' : 'wait';
  const label = state !== 'running' ? state : healthy ? 'healthy' : 'starting';
  return `<span class="dot dot-${kind}"></span><span class="state state-${kind}">${label}</span>`;
}

function renderProcesses(view: Snapshot): void {
  const lock = session.authorised ? '' : ' disabled';
  $('processes').innerHTML = `<table><tbody>${view.processes
    .map(
      (
        process,
      ) => `<tr data-process="${esc(process.name)}" data-health="${process.state === 'running' && process.healthy ? 'healthy' : process.state}">
        <td class="name">${esc(process.name)}<span class="kind">${process.kind}</span></td>
        <td>${healthDot(process.state, process.healthy)}</td>
        <td class="actions">${['kill', 'pause', 'resume', 'restart']
          .map(
            (action) =>
              `<button class="small${action === 'kill' ? ' danger' : ''}" data-action="process" data-verb="${action}" data-target="${esc(process.name)}"${lock}>${action}</button>`,
          )
          .join('')}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

function renderLinks(view: Snapshot): void {
  const lock = session.authorised ? '' : ' disabled';
  const select = $<HTMLSelectElement>('toxic-link');
  const names = view.links.map((link) => link.name);
  if (select.options.length !== names.length) {
    const chosen = select.value || 'payment.db';
    select.innerHTML = names.map((name) => `<option>${esc(name)}</option>`).join('');
    if (names.includes(chosen)) select.value = chosen;
  }
  const interesting = view.links.filter((link) => !link.enabled || link.toxics.length > 0);
  const quiet = view.links.length - interesting.length;
  $('link-list').innerHTML =
    interesting
      .map(
        (link) => `<div class="link${link.enabled ? '' : ' link-down'}" data-link="${esc(link.name)}">
          <span class="name">${esc(link.name)}</span>
          ${link.enabled ? '' : '<span class="badge bad">down</span>'}
          ${link.toxics
            .map(
              (toxic) =>
                `<span class="chip" data-toxic="${esc(toxic.name)}">${esc(toxic.type)} ${Object.entries(
                  toxic.attributes,
                )
                  .map(([key, value]) => `${esc(key)}=${value}`)
                  .join(' ')} <span class="muted">${toxic.stream}</span>
                  <button class="chip-x" data-action="remove-toxic" data-link="${esc(link.name)}" data-name="${esc(toxic.name)}" title="remove"${lock}>×</button></span>`,
            )
            .join('')}
          <button class="small" data-action="link" data-link="${esc(link.name)}" data-enabled="${!link.enabled}"${lock}>${link.enabled ? 'take down' : 'bring up'}</button>
        </div>`,
      )
      .join('') +
    `<details class="quiet"><summary>${quiet} healthy link${quiet === 1 ? '' : 's'}</summary>${view.links
      .filter((link) => link.enabled && link.toxics.length === 0)
      .map(
        (link) =>
          `<div class="link" data-link="${esc(link.name)}"><span class="name">${esc(link.name)}</span><button class="small" data-action="link" data-link="${esc(link.name)}" data-enabled="false"${lock}>take down</button></div>`,
      )
      .join('')}</details>`;
}

function renderToxicAttributes(): void {
  const type = $<HTMLSelectElement>('toxic-type').value;
  const toxic = session.toxics.find((candidate) => candidate.type === type);
  const defaults: Record<string, number> = {
    latency: 300,
    jitter: 50,
    rate: 64,
    delay: 1000,
    timeout: 2000,
    bytes: 1024,
    average_size: 64,
  };
  $('toxic-attributes').innerHTML = (toxic?.attributes ?? [])
    .map(
      (attribute) =>
        `<label title="${esc(attribute.description)}">${esc(attribute.name)} <input name="attr:${esc(attribute.name)}" type="number" min="0" value="${defaults[attribute.name] ?? 0}"> ${esc(attribute.unit)}</label>`,
    )
    .join('');
}

function renderShop(view: Snapshot): void {
  const lock = session.authorised ? '' : ' disabled';
  const catalog = $('catalog');
  const signature = view.catalog.map((product) => product.sku).join();
  if (catalog.dataset.signature !== signature || !catalog.innerHTML) {
    catalog.dataset.signature = signature;
    catalog.innerHTML = view.catalog.length
      ? view.catalog
          .map(
            (product) =>
              `<button class="product" data-action="order" data-sku="${esc(product.sku)}"${lock}><strong>${esc(product.name)}</strong><span>${money(product.price_cents)}</span></button>`,
          )
          .join('')
      : `<button class="product" data-action="order" data-sku=""${lock}><strong>Seed the demo menu</strong><span>and place a first order</span></button>`;
  }
  const load = view.load;
  $('load').innerHTML = load
    ? `${load.running ? 'running' : 'finished'}: ${load.placed} placed, ${load.failed} failed of ${load.orders} at ${load.rate}/s`
    : '';
}

function renderOrders(view: Snapshot): void {
  const counts = view.orders.counts;
  $('order-counts').innerHTML = ['PENDING', 'CONFIRMED', 'CANCELLED']
    .map(
      (status) =>
        `<span class="count count-${STATUS_CLASS[status]}"><b>${counts[status] ?? 0}</b> ${status.toLowerCase()}</span>`,
    )
    .join('');
  $('order-list').innerHTML = view.orders.recent.length
    ? `<table class="orders"><tbody>${view.orders.recent
        .map(
          (
            order,
          ) => `<tr class="order-row${order.id === openOrder ? ' selected' : ''}" data-action="open-order" data-order="${order.id}" data-status="${order.status}">
            <td><code>${order.id.slice(0, 8)}</code></td>
            <td><span class="badge ${STATUS_CLASS[order.status] ?? ''}">${order.status}</span>${order.charges > 1 ? ' <span class="badge bad">charged twice</span>' : ''}</td>
            <td class="num">${money(order.totalCents)}</td><td class="muted">${clock(order.createdAt)}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p class="muted">No orders yet: place one in the shop.</p>';
}

function renderEvents(view: Snapshot): void {
  const max = Math.max(1, ...Object.values(view.topics));
  $('topic-counts').innerHTML = TOPICS.map((topic) => {
    const count = view.topics[topic] ?? 0;
    const dead = view.topics[`${topic}.dlq`] ?? 0;
    return `<div class="topic"><span class="name">${topic}</span><span class="bar"><span style="width:${(100 * count) / max}%"></span></span><span class="num">${count}</span>${dead ? `<span class="badge bad">${dead} dead</span>` : ''}</div>`;
  }).join('');
  $('event-list').innerHTML = recentEvents
    .slice(0, 12)
    .map(
      (event) =>
        `<div class="event${event.topic.endsWith('.dlq') ? ' event-dead' : ''}"><span class="muted">${clock(event.time)}</span> <span class="topic-tag">${esc(event.topic)}</span> <b>${esc(event.type)}</b> <code>${esc((event.key ?? '').slice(0, 8))}</code></div>`,
    )
    .join('');
}

function renderCounters(view: Snapshot): void {
  const rows = view.counters
    .map(
      (
        counter,
      ) => `<tr><td class="name">${esc(counter.service)}${counter.up ? '' : ' <span class="badge bad">no answer</span>'}</td>
        <td class="num">${counter.duplicatesSkipped}</td><td class="num${counter.appliedTwice ? ' alarm' : ''}">${counter.appliedTwice}</td>
        <td class="num${counter.deadLetters ? ' alarm' : ''}">${counter.deadLetters}</td><td class="num">${counter.outboxBacklog}</td>
        <td class="num">${counter.relayLagMs === null ? '–' : `${counter.relayLagMs} ms`}</td>
        <td class="num${counter.projectionLag?.events ? ' alarm' : ''}">${counter.projectionLag === null ? '–' : `${counter.projectionLag.events} ev, ${counter.projectionLag.seconds.toFixed(1)} s`}</td></tr>`,
    )
    .join('');
  $('counter-table').innerHTML =
    `<table class="counters"><thead><tr><th></th><th title="duplicates the inbox skipped">dup. skipped</th><th title="events applied twice (no inbox)">applied twice</th><th>dead letters</th><th>outbox backlog</th><th title="mean outbox → broker time">relay lag</th><th title="search projection: events and lab seconds behind its topics">read lag</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function renderFaults(view: Snapshot): void {
  const lock = session.authorised ? '' : ' disabled';
  $('fault-list').innerHTML = view.appFaults
    .map(
      (fault) =>
        `<div class="link" data-fault="${fault.kind}"><span class="badge wait">${esc(fault.kind)}</span> on <b>${esc(fault.target)}</b> <span class="muted">since ${clock(fault.since)}</span> <button class="small" data-action="heal" data-id="${fault.id}"${lock}>heal</button></div>`,
    )
    .join('');
}

function renderChaosRun(view: Snapshot): void {
  const run = view.chaosRun;
  const box = $('chaos-run');
  box.hidden = !run;
  box.innerHTML = run
    ? `<b>lab chaos</b> run <code>${esc(run.id)}</code> in progress: phase <span class="badge wait">${esc(run.phase)}</span><ul>${run.lines
        .map((line) => `<li>${esc(line)}</li>`)
        .join('')}</ul>`
    : '';
}

function renderScenario(view: Snapshot): void {
  const run = view.scenario;
  $('scenario-progress').innerHTML = run
    ? `<div class="scenario"><b>${esc(run.name)}</b>: phase <span class="badge">${esc(run.phase)}</span> · ${run.done} ok, ${run.failed} failed${
        run.verdict
          ? ` · verdict <span class="badge ${run.verdict === 'valid' ? 'ok' : 'bad'}">${esc(run.verdict)}</span> ${run.expectationMet ? '(as expected)' : '(not as expected)'}<div class="muted">${esc(run.runDir)}</div>`
          : ''
      }${run.error ? `<div class="alarm">${esc(run.error)}</div>` : ''}</div>`
    : '';
}

const drawn = new Map<string, string>();

/** Whether a card's data differs from what it shows: unchanged cards are not redrawn (busy stacks stay cheap). */
function changed(card: string, data: unknown): boolean {
  const json = JSON.stringify(data);
  if (drawn.get(card) === json) return false;
  drawn.set(card, json);
  return true;
}

function render(view: Snapshot): void {
  $('stack-line').innerHTML = `${esc(view.runtime)} runtime · ${
    view.without.length
      ? `<span class="badge bad">without ${esc(view.without.join(', '))}</span>`
      : '<span class="badge ok">every pattern on</span>'
  }`;
  const busy = $('busy');
  busy.hidden = !view.busy;
  busy.textContent = view.busy ? `⏳ ${view.busy}…` : '';
  if (changed('processes', view.processes)) renderProcesses(view);
  if (changed('links', view.links)) renderLinks(view);
  if (changed('shop', [view.catalog, view.load])) renderShop(view);
  if (changed('orders', [view.orders, openOrder])) renderOrders(view);
  if (changed('events', [view.topics, recentEvents[0]])) renderEvents(view);
  if (changed('counters', view.counters)) renderCounters(view);
  if (changed('faults', view.appFaults)) renderFaults(view);
  if (changed('scenario', view.scenario)) renderScenario(view);
  if (changed('chaos-run', view.chaosRun)) renderChaosRun(view);
  if (!changed('activity', view.activity)) return;
  $('activity-list').innerHTML = view.activity
    .slice(0, 12)
    .map(
      (entry) =>
        `<li class="activity-${entry.level}"><span class="muted">${clock(entry.time)}</span> ${esc(entry.message)}</li>`,
    )
    .join('');
}

async function showOrder(id: string): Promise<void> {
  openOrder = id;
  window.clearTimeout(orderTimer);
  const response = await fetch(`/api/orders/${encodeURIComponent(id)}`);
  if (openOrder !== id) return;
  const panel = $('order-detail');
  if (!response.ok) {
    panel.innerHTML = `<h2>Order ${esc(id)}</h2><p class="muted">Not found.</p>`;
    return;
  }
  const { order, lanes } = (await response.json()) as { order: OrderModel; lanes: string[] };
  const charges = order.steps.filter((step) => step.kind === 'payment' && step.payment === 'charge').length;
  const waterfall = renderWaterfallSvg(order.spans);
  panel.dataset.order = order.id;
  panel.dataset.status = order.status;
  panel.dataset.charges = String(charges);
  panel.innerHTML = `<div class="detail-head"><h2>Order <code>${esc(order.id)}</code></h2><button class="small" data-action="close-order">close</button></div>
    <p class="facts"><span class="badge ${STATUS_CLASS[order.status] ?? ''}">${esc(order.status)}</span> · total ${money(order.totalCents)} ·
    <span class="${charges > 1 ? 'alarm' : ''}">${charges} charge${charges === 1 ? '' : 's'}</span>${order.reason ? ` · reason: ${esc(order.reason)}` : ''}</p>
    <p class="hint">Time runs down; each arrow is one delivery of an event from the service that published it to a consumer. Dashed grey: a duplicate the inbox skipped; red: a duplicate applied again; orange: compensation.</p>
    <div class="diagram">${renderSequenceSvg(order, lanes)}</div>
    ${waterfall ? `<h3>Trace</h3><div class="diagram">${waterfall}</div>` : ''}`;
  // A saga still moving is drawn again until it settles (and a little after, for late duplicates).
  const settledFor = order.status === 'PENDING' ? 0 : Number(panel.dataset.settled ?? 0) + 1;
  panel.dataset.settled = String(settledFor);
  if (settledFor < 4) orderTimer = window.setTimeout(() => void showOrder(id), 1000);
}

function formValues(form: HTMLFormElement): Record<string, string> {
  return Object.fromEntries([...new FormData(form)].map(([key, value]) => [key, String(value)]));
}

async function onSubmit(event: SubmitEvent): Promise<void> {
  const form = event.target as HTMLFormElement;
  event.preventDefault();
  const values = formValues(form);
  if (form.id === 'load-form') {
    if (await post('/api/load', { orders: Number(values.orders), rate: Number(values.rate) }))
      toast('load started');
  } else if (form.id === 'toxic-form') {
    const attributes = Object.fromEntries(
      Object.entries(values)
        .filter(([key]) => key.startsWith('attr:'))
        .map(([key, value]) => [key.slice(5), Number(value)]),
    );
    const answer = await post('/api/links/toxics', {
      link: values.link,
      type: values.type,
      stream: values.stream,
      attributes,
    });
    if (answer) toast(`${values.type} added on ${values.link}`);
  } else if (form.id === 'fault-form') {
    const options: Record<string, unknown> =
      values.kind === 'poison'
        ? { topic: values.topic }
        : values.kind === 'redeliver'
          ? { service: values.service, topic: values.topic }
          : values.kind === 'duplicate'
            ? { service: values.service, probability: 1, copies: 1 }
            : { service: values.service };
    if (await post('/api/faults', { kind: values.kind, options })) toast(`${values.kind} injected`);
  } else if (form.id === 'pattern-form') {
    const without = session.patterns.filter((pattern) => values[pattern] === 'on');
    const confirm = $('pattern-confirm');
    confirm.hidden = false;
    confirm.innerHTML = `<p><b>Recreate the stack ${without.length ? `without ${esc(without.join(', '))}` : 'with every pattern on'}?</b> Every service and the infrastructure restart (about a minute); data is kept, in-flight sagas may be interrupted${without.length ? ' and the checks will catch anomalies the missing pattern no longer prevents' : ''}.</p>
      <button class="danger" data-action="confirm-patterns" data-without="${esc(without.join(','))}">Yes, recreate it</button> <button data-action="cancel-patterns">Cancel</button>`;
  } else if (form.id === 'scenario-form') {
    if (await post('/api/scenarios', { name: values.name })) toast(`scenario ${values.name} started`);
  }
}

async function onClick(event: MouseEvent): Promise<void> {
  const target = (event.target as HTMLElement).closest<HTMLElement>('[data-action]');
  if (!target) return;
  const data = target.dataset;
  switch (data.action) {
    case 'order': {
      const product =
        snapshot?.catalog.find((candidate) => candidate.sku === data.sku) ?? snapshot?.catalog[0];
      const answer = await post('/api/orders', { sku: product?.sku ?? 'bread', quantity: 1 });
      const order = answer?.order as { id: string } | undefined;
      if (order) {
        toast(`order ${order.id.slice(0, 8)} placed`);
        void showOrder(order.id);
      }
      break;
    }
    case 'stop-load':
      await post('/api/load/stop', {});
      break;
    case 'process':
      target.textContent = '…';
      if (await post('/api/processes', { action: data.verb, target: data.target }))
        toast(`${data.verb} ${data.target}: done`);
      break;
    case 'remove-toxic':
      await post('/api/links/toxics/remove', { link: data.link, name: data.name });
      break;
    case 'link':
      await post('/api/links/enabled', { link: data.link, enabled: data.enabled === 'true' });
      break;
    case 'heal':
      await post('/api/faults/heal', { id: Number(data.id) });
      break;
    case 'confirm-patterns':
      $('pattern-confirm').hidden = true;
      if (await post('/api/patterns', { without: (data.without ?? '').split(',').filter(Boolean) }))
        toast('recreating the stack…');
      break;
    case 'cancel-patterns':
      $('pattern-confirm').hidden = true;
      break;
    case 'open-order':
      if (data.order) {
        $('order-detail').dataset.settled = '0';
        void showOrder(data.order);
      }
      break;
    case 'close-order':
      openOrder = undefined;
      window.clearTimeout(orderTimer);
      $('order-detail').innerHTML = '<h2>Saga</h2><p class="hint">Click an order to see its saga.</p>';
      break;
  }
}

function updateFaultForm(): void {
  const kind = $<HTMLSelectElement>('fault-kind').value;
  $('fault-service').hidden = kind === 'poison';
  $('fault-topic').hidden = kind !== 'poison' && kind !== 'redeliver';
}

function connect(): void {
  const stream = new EventSource('/api/stream');
  stream.onmessage = (message) => {
    const batch = JSON.parse(message.data) as Batch & { snapshot: Snapshot | null };
    for (const event of batch.events) recentEvents.unshift(event);
    recentEvents.length = Math.min(recentEvents.length, 50);
    if (batch.snapshot) snapshot = batch.snapshot;
    if (snapshot) render(snapshot);
    document.body.dataset.live = 'true';
  };
}

async function start(): Promise<void> {
  session = (await (await fetch('/api/session')).json()) as Session;
  $('app').innerHTML = layout();
  renderToxicAttributes();
  updateFaultForm();
  document.addEventListener('submit', (event) => void onSubmit(event));
  document.addEventListener('click', (event) => void onClick(event));
  $('toxic-type').addEventListener('change', renderToxicAttributes);
  $('fault-kind').addEventListener('change', updateFaultForm);
  connect();
}

void start();
