/**
 * Random fault schedules, after Jepsen's nemesis generators: a `random:` entry of `faults:` names
 * the kinds and targets it may use, how many faults (`count`, at random times) or how often
 * (`every`), how long each lasts and in which window of the run. Before a run starts it is
 * expanded, from the run's seed, into plain fixed entries: the same seed gives the same schedule,
 * the run directory keeps the fixed scenario (replayable as a file with no randomness left) and
 * decisions.jsonl says what was drawn.
 */
import { isMap, isSeq, parseDocument } from 'yaml';
import { FAULTS } from './faults/index.ts';
import { candidatesFor, type RandomSchedule } from './faults/random.ts';
import { type LoadedScenario, parseScenario } from './loader.ts';
import { createRandom, type Random } from './random.ts';

/** One fault the schedule drew, as a scenario file writes it. */
function drawEntry(
  kind: string,
  target: string,
  atMs: number,
  windowMs: number,
  random: Random,
): Record<string, unknown> {
  const definition = FAULTS.get(kind)!;
  const options = definition.sample!(random, target, windowMs);
  return {
    at: `${atMs}ms`,
    ...(definition.timing === 'windowed' ? { for: `${windowMs}ms` } : {}),
    [kind]: options,
  };
}

/** The fixed entries one `random:` entry expands into, in time order. */
export function expandSchedule(spec: RandomSchedule, random: Random): Record<string, unknown>[] {
  const { start, end } = spec.between;
  const times =
    spec.count !== undefined
      ? Array.from({ length: spec.count }, () => random.int(start, end - 1)).sort((a, b) => a - b)
      : Array.from(
          { length: Math.ceil((end - start) / spec.every!) },
          (_, index) => start + index * spec.every!,
        );
  return times.map((atMs) => {
    const kind = random.pick(spec.kinds);
    const target = random.pick(candidatesFor(kind, spec.targets));
    return drawEntry(kind, target, atMs, random.int(spec.for.min, spec.for.max), random);
  });
}

export interface FixedSchedule {
  /** The scenario with every random entry replaced by what it drew (itself when it had none). */
  loaded: LoadedScenario;
  decisions: Array<Record<string, unknown>>;
}

/**
 * Expands every `random:` entry of a loaded scenario with the run's seed. The fixed source keeps
 * the file's comments and every other entry as written, and is parsed again, so the run sees
 * exactly what a replay of the fixed file would.
 */
export function fixSchedule(loaded: LoadedScenario, seed: number): FixedSchedule {
  const schedules = loaded.scenario.randomFaults;
  if (schedules.length === 0) return { loaded, decisions: [] };
  const document = parseDocument(loaded.source);
  const faults = document.get('faults', true);
  if (!isSeq(faults)) throw new Error('a scenario with random faults has a faults list');
  const decisions: Array<Record<string, unknown>> = [];
  const items: unknown[] = [];
  for (const [position, item] of faults.items.entries()) {
    const schedule = schedules.find((candidate) => candidate.position === position);
    if (!schedule || !isMap(item)) {
      items.push(item);
      continue;
    }
    const drawn = expandSchedule(schedule.spec, createRandom(seed).fork(`schedule:${position}`));
    for (const entry of drawn) {
      decisions.push({ source: 'schedule', entry: position, ...entry });
      const node = document.createNode(entry);
      node.flow = true;
      items.push(node);
    }
  }
  faults.items = items as typeof faults.items;
  const source = document.toString({ lineWidth: 0 });
  const parsed = parseScenario(source, loaded.file);
  if (!parsed.scenario)
    throw new Error(
      `the expanded schedule does not parse: ${parsed.problems.map((p) => p.message).join('; ')}`,
    );
  return { loaded: { ...loaded, scenario: parsed.scenario, source }, decisions };
}
