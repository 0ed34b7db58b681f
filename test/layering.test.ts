/**
 * The layout is the architecture (docs/ARCHITECTURE.md "Layers"): every relative import in the
 * repository is read and checked against the allowed directions, so an upward import (services
 * reaching into the CLI, infra into the CLI, a runtime into the chaos engine) fails here.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * What each layer may import, besides itself and npm packages (first matching prefix wins); a
 * test file may also use the shared helpers in test/.
 */
const RULES: Array<{ layer: string; mayImport: string[]; productionOnly?: boolean }> = [
  { layer: 'common/', mayImport: [] },
  { layer: 'services/kit/', mayImport: ['common/'] },
  { layer: 'services/', mayImport: ['services/kit/', 'common/'] },
  { layer: 'infra/', mayImport: ['common/'] },
  // A runtime runs the stack; faults, chaos and commands drive it from above.
  {
    layer: 'cli/runtime/',
    mayImport: ['common/', 'cli/home.ts', 'infra/', 'services/'],
    productionOnly: true,
  },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    if (entry === 'node_modules' || entry.startsWith('.')) return [];
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx|mts|js|mjs)$/.test(entry) ? [full] : [];
  });
}

/** Every relative module specifier of a file: static imports, re-exports and dynamic imports. */
function relativeImports(source: string): string[] {
  const specifiers = [
    ...source.matchAll(/(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]/g),
    ...source.matchAll(/import\s*\(\s*['"](\.[^'"]+)['"]\s*\)/g),
    ...source.matchAll(/new URL\(\s*['"](\.[^'"]+\.ts)['"]/g),
  ];
  return specifiers.map((match) => match[1]!);
}

/** Where the layering breaks: "file → imported" for each import a rule forbids. */
function violations(root: string): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(root)) {
    const from = path.relative(root, file).split(path.sep).join('/');
    const rule = RULES.find((candidate) => from.startsWith(candidate.layer));
    if (!rule) continue;
    const isTest = /\.test\.ts$/.test(from);
    if (rule.productionOnly && isTest) continue;
    for (const specifier of relativeImports(readFileSync(file, 'utf8'))) {
      const to = path
        .relative(root, path.resolve(path.dirname(file), specifier))
        .split(path.sep)
        .join('/');
      const allowed =
        to.startsWith(rule.layer) ||
        rule.mayImport.some((prefix) => to.startsWith(prefix)) ||
        (isTest && to.startsWith('test/'));
      if (!allowed) found.push(`${from} → ${to}`);
    }
  }
  return found;
}

describe('layering', () => {
  it('no module imports a layer above its own', () => {
    expect(violations(ROOT)).toEqual([]);
  });

  it('services import only the kit and common, never another service', () => {
    const serviceImports = sourceFiles(path.join(ROOT, 'services'))
      .filter((file) => !file.includes(`${path.sep}kit${path.sep}`))
      .flatMap((file) => {
        const service = path.relative(path.join(ROOT, 'services'), file).split(path.sep)[0]!;
        return relativeImports(readFileSync(file, 'utf8'))
          .map((specifier) => path.relative(ROOT, path.resolve(path.dirname(file), specifier)))
          .filter((to) => to.startsWith('services') && !to.startsWith(`services${path.sep}kit`))
          .filter((to) => !to.startsWith(`services${path.sep}${service}${path.sep}`))
          .map((to) => `${service} → ${to}`);
      });
    expect(serviceImports).toEqual([]);
  });

  it('catches an upward import (the check itself can fail)', () => {
    const tree = mkdtempSync(path.join(tmpdir(), 'lab-layering-'));
    try {
      mkdirSync(path.join(tree, 'infra/postgres'), { recursive: true });
      mkdirSync(path.join(tree, 'services/kit'), { recursive: true });
      writeFileSync(
        path.join(tree, 'infra/postgres/cluster.ts'),
        "import { x } from '../../cli/errors.ts';\nimport { y } from './binaries.ts';\n",
      );
      writeFileSync(
        path.join(tree, 'services/kit/db.ts'),
        "const m = await import('../../infra/ports.ts');\n",
      );
      expect(violations(tree)).toEqual([
        'infra/postgres/cluster.ts → cli/errors.ts',
        'services/kit/db.ts → infra/ports.ts',
      ]);
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });
});
