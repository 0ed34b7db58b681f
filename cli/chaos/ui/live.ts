/**
 * The live ink view on a TTY: phase, a progress bar of orders, outcome counts, active faults and
 * elapsed time. Written with React.createElement (no JSX in this codebase).
 */
import { Box, render, Text } from 'ink';
import React from 'react';
import type { EngineEvent } from '../engine.ts';
import { PHASES } from '../engine.ts';
import { formatDuration } from '../units.ts';
import { type Progress, ProgressStore } from './progress.ts';

const h = React.createElement;
const BAR_WIDTH = 30;

function bar(done: number, total: number): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * BAR_WIDTH);
  return `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
}

function LiveView(props: { store: ProgressStore }): React.ReactElement {
  const [progress, setProgress] = React.useState<Progress>(props.store.get());
  const [now, setNow] = React.useState(Date.now());
  React.useEffect(() => props.store.subscribe(setProgress), [props.store]);
  React.useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, []);
  const phaseLine = PHASES.filter((phase) => phase !== 'done').map((phase) =>
    h(
      Text,
      {
        key: phase,
        color: phase === progress.phase ? 'cyan' : undefined,
        dimColor: phase !== progress.phase,
        bold: phase === progress.phase,
      },
      ` ${phase} `,
    ),
  );
  return h(
    Box,
    { flexDirection: 'column' },
    h(
      Text,
      null,
      h(Text, { bold: true }, progress.scenario ?? 'scenario'),
      `  seed ${progress.seed ?? '?'}  elapsed ${formatDuration(now - progress.startedAt)}`,
    ),
    h(Box, null, ...phaseLine),
    h(
      Text,
      null,
      `orders ${bar(progress.done, progress.totalOrders)} ${progress.done}/${progress.totalOrders}  `,
      h(Text, { color: 'green' }, `ok ${progress.outcomes.ok}`),
      '  ',
      h(Text, { color: 'red' }, `fail ${progress.outcomes.fail}`),
      '  ',
      h(Text, { color: 'yellow' }, `unknown ${progress.outcomes.info}`),
    ),
    h(
      Text,
      { color: progress.faults.length > 0 ? 'magenta' : undefined, dimColor: progress.faults.length === 0 },
      progress.faults.length === 0
        ? 'faults: none active'
        : `faults: ${progress.faults.map((fault) => `${fault.kind} ${fault.target}`).join(', ')}`,
    ),
    h(Text, { dimColor: true }, progress.lastLog ?? ''),
  );
}

export interface LiveHandle {
  onEvent(event: EngineEvent): void;
  stop(): Promise<void>;
}

export function startLiveView(): LiveHandle {
  const store = new ProgressStore();
  const instance = render(h(LiveView, { store }), { exitOnCtrlC: false, patchConsole: false });
  return {
    onEvent: (event) => store.dispatch(event),
    stop: async () => {
      instance.unmount();
      await instance.waitUntilExit().catch(() => {});
    },
  };
}
