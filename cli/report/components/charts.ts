/// <reference lib="dom" />
/**
 * The run's charts (uPlot, in the browser): the client operations as a timeline, their latency,
 * and completions per second, on one time axis (seconds since the run started) with the same
 * cursor, every fault window shaded and labelled on each. The bands are HTML elements over the
 * plot, so they can be read (and tested) as text.
 */
import type UPlot from 'uplot';
import type { FaultWindow, ReportModel } from '../model.ts';

declare const uPlot: typeof UPlot;

const OUTCOME_COLORS = { ok: '#16a34a', fail: '#dc2626', info: '#d97706' } as const;
const OUTCOME_LABELS = { ok: 'ok', fail: 'failed', info: 'unknown' } as const;
const FAULT_COLORS = ['#6366f1', '#0ea5e9', '#f59e0b', '#ec4899', '#10b981', '#8b5cf6', '#ef4444', '#14b8a6'];
const OUTCOMES = ['ok', 'fail', 'info'] as const;

export function faultColor(index: number): string {
  return FAULT_COLORS[index % FAULT_COLORS.length]!;
}

export function faultLabel(fault: FaultWindow): string {
  return `${fault.kind} ${fault.target}`.trim();
}

/** Height of one fault's bar at the top of a plot, and the room the bars take above the data. */
const BAR_PX = 17;

/**
 * Draws each fault window as a light tint over the plot and a bar of its own in a row at the top
 * (faults overlap in time; rows keep them apart), labelled with its kind and target.
 */
function bandsPlugin(faults: FaultWindow[], windowEnd: number): UPlot.Plugin {
  const place = (u: UPlot) => {
    u.over.querySelectorAll('.fault-band').forEach((band) => {
      band.remove();
    });
    faults.forEach((fault, row) => {
      const left = u.valToPos(fault.start / 1000, 'x');
      const right = u.valToPos((fault.end ?? windowEnd) / 1000, 'x');
      const band = document.createElement('div');
      band.className = 'fault-band';
      band.dataset.fault = String(fault.index);
      band.style.left = `${left}px`;
      band.style.width = `${Math.max(3, right - left)}px`;
      band.style.setProperty('--band', faultColor(fault.index));
      band.title = `fault ${fault.index}: ${faultLabel(fault)} from ${(fault.start / 1000).toFixed(1)} s${fault.end !== null ? ` to ${(fault.end / 1000).toFixed(1)} s` : ''}`;
      const label = document.createElement('span');
      label.className = 'fault-label';
      label.style.top = `${2 + row * BAR_PX}px`;
      label.textContent = faultLabel(fault);
      band.appendChild(label);
      u.over.appendChild(band);
    });
  };
  return { hooks: { ready: place, setSize: place, setScale: (u, key) => key === 'x' && place(u) } };
}

function baseOptions(model: ReportModel, title: string, width: number, yLabel: string) {
  const height = 200 + model.faults.length * BAR_PX;
  // Room above the data for the fault bars: they must not hide the points under them.
  const headroom = (model.faults.length * BAR_PX + 6) / (height - 60);
  return {
    title,
    width,
    height,
    legend: { live: false },
    cursor: { sync: { key: 'run' }, drag: { x: true, y: false } },
    scales: {
      x: { time: false, range: [model.window.start / 1000, model.window.end / 1000] as [number, number] },
      y: {
        range: (_u: UPlot, min: number, max: number): [number, number] => {
          const low = Math.min(0, min);
          const high = Math.max(max, low + 1);
          return [low, high + (high - low) * (headroom / (1 - headroom))];
        },
      },
    },
    axes: [
      {
        label: 'seconds since the run started',
        values: (_u: UPlot, ticks: number[]) => ticks.map((tick) => `${tick}s`),
      },
      { label: yLabel, size: 60 },
    ],
    plugins: [bandsPlugin(model.faults, model.window.end)],
  };
}

function pointSeries(outcome: (typeof OUTCOMES)[number]): UPlot.Series {
  return {
    label: OUTCOME_LABELS[outcome],
    stroke: OUTCOME_COLORS[outcome],
    fill: OUTCOME_COLORS[outcome],
    paths: () => null,
    points: { show: true, size: 4, fill: OUTCOME_COLORS[outcome] },
  };
}

/** Operations sorted by end time, with one y column per outcome (null where another outcome). */
function byOutcome(model: ReportModel, y: (index: number) => number) {
  const { start, end, outcome } = model.operations;
  const order = start.map((_, index) => index).sort((a, b) => end[a]! - end[b]!);
  const xs = order.map((index) => end[index]! / 1000);
  const columns = OUTCOMES.map((kind) => order.map((index) => (outcome[index] === kind ? y(index) : null)));
  return { order, data: [xs, ...columns] as UPlot.AlignedData };
}

/** Each operation as a line from its start to its end, at its sequence number; dots mark completions. */
export function timelineChart(model: ReportModel, target: HTMLElement, width: number): UPlot {
  const { start, end, outcome } = model.operations;
  const { data } = byOutcome(model, (index) => index);
  const options: UPlot.Options = {
    ...baseOptions(
      model,
      'Client operations (each line: one order request, from sent to answered)',
      width,
      'operation #',
    ),
    series: [{ label: 'time' }, ...OUTCOMES.map(pointSeries)],
    hooks: {
      draw: [
        (u) => {
          const context = u.ctx;
          context.save();
          context.lineWidth = Math.max(1, devicePixelRatio);
          for (let index = 0; index < start.length; index++) {
            context.strokeStyle = OUTCOME_COLORS[outcome[index]!];
            const y = u.valToPos(index, 'y', true);
            context.beginPath();
            context.moveTo(u.valToPos(start[index]! / 1000, 'x', true), y);
            context.lineTo(u.valToPos(end[index]! / 1000, 'x', true), y);
            context.stroke();
          }
          context.restore();
        },
      ],
    },
  };
  return new uPlot(options, data, target);
}

export function latencyChart(model: ReportModel, target: HTMLElement, width: number): UPlot {
  const { start, end } = model.operations;
  const { data } = byOutcome(model, (index) => end[index]! - start[index]!);
  const options: UPlot.Options = {
    ...baseOptions(model, 'Latency of each request (by the time it was answered)', width, 'ms'),
    series: [{ label: 'time' }, ...OUTCOMES.map(pointSeries)],
  };
  return new uPlot(options, data, target);
}

export function throughputChart(model: ReportModel, target: HTMLElement, width: number): UPlot {
  const seconds = Math.ceil(model.window.end / 1000) + 1;
  const first = Math.floor(model.window.start / 1000);
  const counts = OUTCOMES.map(() => new Array<number>(seconds).fill(0));
  model.operations.end.forEach((end, index) => {
    const kind = OUTCOMES.indexOf(model.operations.outcome[index]!);
    counts[kind]![Math.min(seconds - 1, Math.floor(end / 1000))]!++;
  });
  const xs = Array.from({ length: seconds }, (_, second) => second + 0.5).slice(first);
  for (const [index, column] of counts.entries()) counts[index] = column.slice(first);
  const options: UPlot.Options = {
    ...baseOptions(model, 'Completions per second', width, 'per second'),
    series: [
      { label: 'time' },
      ...OUTCOMES.map((kind) => ({
        label: OUTCOME_LABELS[kind],
        stroke: OUTCOME_COLORS[kind],
        width: 2,
        points: { show: false },
        paths: uPlot.paths.stepped?.({ align: 1 }),
      })),
    ],
  };
  return new uPlot(options, [xs, ...counts] as UPlot.AlignedData, target);
}
