/**
 * Scenario loader: YAML text → a validated Scenario, or a LabError (exit 2) listing every problem
 * as `file:line:col: message`, before anything starts.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { closest } from 'fastest-levenshtein';
import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { badInput } from '../../common/errors.ts';
import { FAULT_KINDS } from './faults/index.ts';
import { type Scenario, scenarioSchema } from './schema.ts';

export interface ScenarioProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

export interface LoadedScenario {
  scenario: Scenario;
  file: string;
  /** The file as written, kept in the run directory as "the scenario as run". */
  source: string;
}

/** The bundled scenarios folder (scenarios/ at the repository root). */
export const BUNDLED_SCENARIOS_DIR = path.resolve(import.meta.dirname, '../../scenarios');

export function formatProblems(problems: ScenarioProblem[]): string {
  return problems
    .map((problem) => `${problem.file}:${problem.line}:${problem.col}: ${problem.message}`)
    .join('\n');
}

/** Parses and validates scenario text; returns the problems instead of throwing. */
export function parseScenario(
  source: string,
  file: string,
): { scenario: Scenario; problems: [] } | { scenario: undefined; problems: ScenarioProblem[] } {
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const position = lineCounter.linePos(offset);
    return { file, line: position.line, col: position.col };
  };
  if (document.errors.length > 0)
    return {
      scenario: undefined,
      problems: document.errors.map((error) => ({ ...at(error.pos[0]), message: firstLine(error.message) })),
    };
  const result = scenarioSchema.safeParse(document.toJS());
  if (result.success) return { scenario: result.data, problems: [] };
  // A misspelt key also shows up as the missing key it was meant to be: report it once, as the typo.
  const misspelt = new Set(
    result.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => [...issue.path, closest(key, validKeysAt(issue.path))].join('.'))
        : [],
    ),
  );
  const problems = result.error.issues
    .filter((issue) => !(issue.code === 'invalid_type' && misspelt.has(issue.path.join('.'))))
    .filter(
      (issue) =>
        !(
          issue.message.startsWith('a fault needs exactly one kind') &&
          FAULT_KINDS.some((kind) => misspelt.has([...issue.path, kind].join('.')))
        ),
    )
    .flatMap((issue) => describeIssue(issue, document.contents, at));
  problems.sort((a, b) => a.line - b.line || a.col - b.col);
  return { scenario: undefined, problems: dedupe(problems) };
}

/** Loads a scenario from a file path, refusing it with file:line:col problems (exit 2). */
export function loadScenarioFile(file: string): LoadedScenario {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw badInput('E_SCENARIO_UNREADABLE', `cannot read scenario ${file}: ${(error as Error).message}`);
  }
  const shown = path.relative(process.cwd(), file) || file;
  const parsed = parseScenario(source, shown);
  if (!parsed.scenario)
    throw badInput('E_SCENARIO_INVALID', `invalid scenario:\n${formatProblems(parsed.problems)}`);
  return { scenario: parsed.scenario, file, source };
}

/** Bundled scenario files, sorted by name. */
export function bundledScenarioFiles(): string[] {
  return readdirSync(BUNDLED_SCENARIOS_DIR)
    .filter((entry) => entry.endsWith('.yaml') || entry.endsWith('.yml'))
    .sort()
    .map((entry) => path.join(BUNDLED_SCENARIOS_DIR, entry));
}

/** `order-saga` (a bundled name) or a path to a file. */
export function resolveScenario(nameOrFile: string): string {
  if (existsSync(nameOrFile) && statSync(nameOrFile).isFile()) return path.resolve(nameOrFile);
  const bundled = bundledScenarioFiles();
  const byName = bundled.find((file) => path.basename(file).replace(/\.ya?ml$/, '') === nameOrFile);
  if (byName) return byName;
  const names = bundled.map((file) => path.basename(file).replace(/\.ya?ml$/, ''));
  throw badInput(
    'E_SCENARIO_NOT_FOUND',
    `no scenario '${nameOrFile}': not a file, not a bundled scenario`,
    names.length > 0
      ? `the closest bundled scenario is '${closest(nameOrFile, names)}' (see \`lab scenarios\`)`
      : undefined,
  );
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function dedupe(problems: ScenarioProblem[]): ScenarioProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.line}:${problem.col}:${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

type Position = { file: string; line: number; col: number };
type PathKey = PropertyKey;

/** The YAML node at `issuePath`, or the deepest existing ancestor (a missing key points at its map). */
function nodeAt(root: unknown, issuePath: readonly PathKey[]): { node: Node | undefined; found: boolean } {
  let current = root as Node | undefined;
  for (const key of issuePath) {
    let next: unknown;
    if (isMap(current)) next = current.items.find((pair) => keyText(pair.key) === String(key))?.value;
    else if (isSeq(current) && typeof key === 'number') next = current.items[key];
    if (!next || typeof next !== 'object') return { node: current, found: false };
    current = next as Node;
  }
  return { node: current, found: true };
}

function keyText(key: unknown): string | undefined {
  if (key && typeof key === 'object' && 'value' in key) return String((key as { value: unknown }).value);
  return key === undefined || key === null ? undefined : String(key);
}

function pathText(issuePath: readonly PathKey[]): string {
  let text = '';
  for (const key of issuePath)
    text += typeof key === 'number' ? `[${key}]` : `${text ? '.' : ''}${String(key)}`;
  return text || 'the scenario';
}

function describeIssue(
  issue: z.core.$ZodIssue,
  root: unknown,
  at: (offset: number) => Position,
): ScenarioProblem[] {
  const { node, found } = nodeAt(root, issue.path);
  const offset = node?.range?.[0] ?? 0;
  const where = pathText(issue.path);

  if (issue.code === 'unrecognized_keys') {
    const valid = validKeysAt(issue.path);
    return issue.keys.map((key) => {
      const pair = isMap(node) ? node.items.find((item) => keyText(item.key) === key) : undefined;
      const keyNode = pair?.key as Node | undefined;
      const suggestion = valid.length > 0 ? `; did you mean '${closest(key, valid)}'?` : '';
      return {
        ...at(keyNode?.range?.[0] ?? offset),
        message: `unknown key '${key}' in ${where}${suggestion} (valid keys: ${valid.join(', ')})`,
      };
    });
  }
  if (issue.code === 'invalid_union') {
    // Report the branch that got furthest: the one whose first issue has the longest path.
    const branches = issue.errors.filter((branch) => branch.length > 0);
    const best = branches.sort((a, b) => (b[0]?.path.length ?? 0) - (a[0]?.path.length ?? 0))[0];
    const input = found && node && 'value' in node ? (node as { value: unknown }).value : undefined;
    if (best && (best[0]?.path.length ?? 0) > 0)
      return best.flatMap((inner) =>
        describeIssue({ ...inner, path: [...issue.path, ...inner.path] }, root, at),
      );
    const choices = branches.flatMap((branch) =>
      branch.flatMap((inner) => (inner.code === 'invalid_value' ? inner.values.map(String) : [])),
    );
    if (typeof input === 'string' && choices.length > 0)
      return [
        {
          ...at(offset),
          message: `invalid value '${input}' at ${where}; did you mean '${closest(input, choices)}'? (expected one of: ${choices.join(', ')})`,
        },
      ];
    return [{ ...at(offset), message: `invalid value at ${where}: ${unionExpectation(branches)}` }];
  }
  if (issue.code === 'invalid_value') {
    const input = found && node && 'value' in node ? (node as { value: unknown }).value : undefined;
    const choices = issue.values.map(String);
    const suggestion =
      typeof input === 'string' && choices.length > 1 ? `; did you mean '${closest(input, choices)}'?` : '';
    return [
      {
        ...at(offset),
        message: `invalid value${input === undefined ? '' : ` '${String(input)}'`} at ${where}${suggestion} (expected one of: ${choices.join(', ')})`,
      },
    ];
  }
  if (issue.code === 'invalid_type' && !found)
    return [{ ...at(offset), message: `missing ${where} (expected ${issue.expected})` }];
  return [{ ...at(offset), message: `${where}: ${issue.message}` }];
}

function unionExpectation(branches: z.core.$ZodIssue[][]): string {
  const messages = new Set(branches.flatMap((branch) => branch.map((issue) => issue.message)));
  return [...messages].join(' or ');
}

/** The keys a strict object at this path accepts, found by walking the schema. */
function validKeysAt(issuePath: readonly PathKey[]): string[] {
  let schemas: z.core.$ZodType[] = [scenarioSchema];
  for (const key of issuePath) schemas = schemas.flatMap((schema) => childSchemas(schema, key));
  return [...new Set(schemas.flatMap((schema) => objectKeys(schema)))];
}

/** Looks through wrappers (pipe, default, optional, transform) to the schemas that give the shape. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType[] {
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  switch (def.type) {
    case 'pipe':
      return [...unwrap(def.in as z.core.$ZodType), ...unwrap(def.out as z.core.$ZodType)];
    case 'default':
    case 'optional':
    case 'nullable':
    case 'prefault':
      return unwrap(def.innerType as z.core.$ZodType);
    case 'union':
      return (def.options as z.core.$ZodType[]).flatMap(unwrap);
    default:
      return [schema];
  }
}

function objectKeys(schema: z.core.$ZodType): string[] {
  return unwrap(schema).flatMap((inner) => {
    const def = inner._zod.def as unknown as { type: string; shape?: Record<string, unknown> };
    return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
  });
}

function childSchemas(schema: z.core.$ZodType, key: PathKey): z.core.$ZodType[] {
  return unwrap(schema).flatMap((inner) => {
    const def = inner._zod.def as unknown as {
      type: string;
      shape?: Record<string, z.core.$ZodType>;
      element?: z.core.$ZodType;
    };
    if (def.type === 'object' && def.shape && typeof key === 'string' && def.shape[key])
      return [def.shape[key]];
    if (def.type === 'array' && def.element && typeof key === 'number') return [def.element];
    return [];
  });
}
