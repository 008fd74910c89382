/**
 * The architecture rules of eslint.config.js (lint/layering.js): each forbidden import is reported, the allowed ones
 * are not. Boundaries are checked on virtual files linted with the repository's own config (the files need not
 * exist); cycles, which need the import graph on disk, on real files in a temporary tree.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from './cli/paths';

const root = projectRoot();
const eslint = new ESLint({ cwd: root });

/** The layering messages ESLint gives for `code` placed at `file` (relative to the repository). */
async function layering(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: join(root, file) });
  return r.messages.filter((m) => m.ruleId?.startsWith('layering/') || m.fatal).map((m) => `${m.ruleId}: ${m.message}`);
}

/** One import line each: the number of layering errors per line. */
async function perImport(file: string, specs: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of specs) out[s] = (await layering(file, `import '${s}';\n`)).length;
  return out;
}

const all = (specs: string[], n: number) => Object.fromEntries(specs.map((s) => [s, n]));

describe('layering/boundaries', () => {
  it('(a) core imports nothing from labs, ui, worker, cli, nor React/UI-state packages', async () => {
    const bad = [
      '../../labs/attacks/algorithms/registry',
      '../../labs/attacks',
      '../../labs/attacks/index',
      '../../labs',
      '../../labs/index',
      '../../ui/store',
      '../../worker/protocol',
      '../../cli/args',
      'react',
      'react-dom/client',
      'zustand',
      'zustand/middleware',
      'recharts',
    ];
    expect(await perImport('src/core/eval/probe.ts', bad)).toEqual(all(bad, 1));
    const ok = ['../random', './evaluate', '../data/batches', '@tensorflow/tfjs', 'node:fs', 'react-ish'];
    expect(await perImport('src/core/eval/probe.ts', ok)).toEqual(all(ok, 0));
    expect(await layering('src/core/probe.ts', "import { x } from './labs-helpers';\n")).toEqual([]);
  });

  it('(a) a core test may use a lab through its public entry only; core code may not at all', async () => {
    const entry = "import { attackRunner } from '../../labs/attacks/index';\n";
    expect(await layering('src/core/eval/evaluate.test.ts', entry)).toEqual([]);
    expect(await layering('src/core/eval/evaluate.test.ts', "import { runPgd } from '../../labs/attacks/algorithms/pgd';\n")).toHaveLength(
      1,
    );
    expect(await layering('src/core/eval/evaluate.ts', entry)).toEqual([
      'layering/boundaries: src/core/ must not import from src/labs/ ("../../labs/attacks/index" is src/labs/attacks/index.ts): core depends on nothing above it',
    ]);
  });

  it("the lab lists at the top of src/labs/ may collect each lab's parts", async () => {
    expect(await layering('src/labs/cli.ts', "import { attacksCommands } from './attacks/cli/index';\n")).toEqual([]);
  });

  it('(b) the worker imports no React/UI-state package and nothing from src/ui', async () => {
    const bad = ['react', 'react-dom', 'recharts', 'zustand', '../ui/store', '../ui/App'];
    expect(await perImport('src/worker/probe.ts', bad)).toEqual(all(bad, 1));
    const ok = ['../core/random', '../labs/attacks/algorithms/registry', '../labs/attacks', './protocol', 'comlink'];
    expect(await perImport('src/worker/probe.ts', ok)).toEqual(all(ok, 0));
  });

  it("(c) a lab imports another lab only through its index.ts, whatever the labs' names", async () => {
    const bad = ['../../beta/algorithms/x', '../../beta/ui/Panel', '../../beta/internal', '../../attacks/algorithms/registry'];
    expect(await perImport('src/labs/alpha/jobs/probe.ts', bad)).toEqual(all(bad, 1));
    const ok = ['../../beta', '../../beta/index', '../../attacks', '../algorithms/x', './sibling', '../../../core/random'];
    expect(await perImport('src/labs/alpha/jobs/probe.ts', ok)).toEqual(all(ok, 0));
    // re-exports and dynamic imports count too; the message names both labs
    expect(await layering('src/labs/alpha/index.ts', "export * from '../beta/algorithms/x';\n")).toEqual([
      'layering/boundaries: lab "alpha" must not import the internals of lab "beta" ("../beta/algorithms/x" is src/labs/beta/algorithms/x); import src/labs/beta/index.ts instead',
    ]);
    expect(await layering('src/labs/alpha/jobs/probe.ts', "export const f = () => import('../../beta/jobs/run');\n")).toHaveLength(1);
  });

  it('(d) only the ui/ folder of a lab imports src/ui', async () => {
    const bad = ['../../../ui/store', '../../../ui/ProgressBar'];
    expect(await perImport('src/labs/alpha/algorithms/probe.ts', bad)).toEqual(all(bad, 1));
    expect(await perImport('src/labs/alpha/probe.ts', ['../../ui/store'])).toEqual({ '../../ui/store': 1 });
    expect(await perImport('src/labs/alpha/ui/Panel.tsx', ['../../../ui/ProgressBar', '../algorithms/x'])).toEqual({
      '../../../ui/ProgressBar': 0,
      '../algorithms/x': 0,
    });
  });

  it('ui and cli may import every layer', async () => {
    const specs = ['../labs/attacks/algorithms/registry', '../core/random', '../worker/protocol', 'react'];
    expect(await perImport('src/ui/probe.ts', specs)).toEqual(all(specs, 0));
    expect(await perImport('src/cli/probe.ts', ['../labs/attacks/algorithms/registry', '../ui/format'])).toEqual(
      all(['../labs/attacks/algorithms/registry', '../ui/format'], 0),
    );
  });
});

describe('layering/no-cycle', () => {
  let tmp: string;
  const files: Record<string, string> = {
    // a two-file cycle through a type-only import (the shape of the old cifar.ts <-> datasets.ts)
    'src/core/data/a.ts': "import { B } from './b';\nexport type A = { b: typeof B };\n",
    'src/core/data/b.ts': "import type { A } from './a';\nexport const B = 1;\nexport type AB = A;\n",
    // a three-file cycle across folders, closed by a re-export
    'src/core/eval/e.ts': "import { t } from '../train/t';\nexport const e = t;\n",
    'src/core/train/t.ts': "import { m } from '../data/m';\nexport const t = m;\n",
    'src/core/data/m.ts': "export * from '../eval/e';\nexport const m = 1;\n",
    // no cycle: a diamond
    'src/core/top.ts': "import { l } from './left';\nimport { r } from './right';\nexport const top = l + r;\n",
    'src/core/left.ts': "import { base } from './base';\nexport const l = base;\n",
    'src/core/right.ts': "import { base } from './base';\nexport const r = base;\n",
    'src/core/base.ts': 'export const base = 1;\n',
  };

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'rlab-layering-'));
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(dirname(join(tmp, f)), { recursive: true });
      writeFileSync(join(tmp, f), text);
    }
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  async function cycles(): Promise<Record<string, string[]>> {
    const lint = new ESLint({
      cwd: tmp,
      overrideConfigFile: join(root, 'eslint.config.js'),
      overrideConfig: { settings: { layering: { root: tmp } } },
    });
    const out: Record<string, string[]> = {};
    for (const r of await lint.lintFiles(['src/**/*.ts'])) {
      const f = r.filePath.slice(tmp.length + 1);
      out[f] = r.messages.filter((m) => m.ruleId === 'layering/no-cycle' || m.fatal).map((m) => m.message);
    }
    return out;
  }

  it('reports every import that closes a cycle, and nothing else', async () => {
    expect(await cycles()).toEqual({
      'src/core/data/a.ts': ['import cycle: src/core/data/a.ts -> src/core/data/b.ts -> src/core/data/a.ts'],
      'src/core/data/b.ts': ['import cycle: src/core/data/b.ts -> src/core/data/a.ts -> src/core/data/b.ts'],
      'src/core/eval/e.ts': ['import cycle: src/core/eval/e.ts -> src/core/train/t.ts -> src/core/data/m.ts -> src/core/eval/e.ts'],
      'src/core/train/t.ts': ['import cycle: src/core/train/t.ts -> src/core/data/m.ts -> src/core/eval/e.ts -> src/core/train/t.ts'],
      'src/core/data/m.ts': ['import cycle: src/core/data/m.ts -> src/core/eval/e.ts -> src/core/train/t.ts -> src/core/data/m.ts'],
      'src/core/top.ts': [],
      'src/core/left.ts': [],
      'src/core/right.ts': [],
      'src/core/base.ts': [],
    });
  });

  it('is on, as an error, for every file of src/ in the real config', async () => {
    for (const f of ['src/core/data/batches.ts', 'src/labs/attacks/algorithms/pgd.ts', 'src/ui/App.tsx', 'src/cli/rlab.ts']) {
      const c = (await eslint.calculateConfigForFile(join(root, f))) as { rules: Record<string, unknown[]> };
      expect([f, c.rules['layering/no-cycle']?.[0], c.rules['layering/boundaries']?.[0]]).toEqual([f, 2, 2]);
    }
  });
});
