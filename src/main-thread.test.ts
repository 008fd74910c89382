/**
 * TensorFlow.js runs in the worker only: the page's main thread (src/main.tsx and the labs' panels,
 * src/labs/<lab>/ui/index.tsx, which it loads as tabs open) must not import it, directly or through
 * any chain of value imports (`import type` is erased; dynamic `import()` inside an attack's run is not
 * followed, the page never runs one). The build checks the same on the real chunks (lint/main-thread.ts);
 * this test finds the chain fast and names it. The check's own logic is tested on made-up chunks.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { mainThreadReport } from '../lint/main-thread';
import { projectRoot } from './cli/paths';

const root = projectRoot();
const isFile = (p: string) => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

function resolveSpec(from: string, spec: string): string | null {
  const b = resolve(dirname(from), spec.replace(/[?#].*$/, ''));
  for (const c of [b, b + '.ts', b + '.tsx', join(b, 'index.ts'), join(b, 'index.tsx')]) if (isFile(c)) return c;
  return null;
}

const parsed = new Map<string, string[]>();

/** The static value imports of a file (type-only imports and exports left out). */
function valueImports(file: string): string[] {
  const hit = parsed.get(file);
  if (hit) return hit;
  const sf = ts.createSourceFile(
    file,
    readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    false,
    file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const out: string[] = [];
  const allTypes = (els: readonly { isTypeOnly: boolean }[]) => els.length > 0 && els.every((e) => e.isTypeOnly);
  for (const s of sf.statements) {
    if (ts.isImportDeclaration(s)) {
      const c = s.importClause;
      if (c?.isTypeOnly || (c && !c.name && c.namedBindings && ts.isNamedImports(c.namedBindings) && allTypes(c.namedBindings.elements)))
        continue;
      out.push((s.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(s) && s.moduleSpecifier) {
      if (s.isTypeOnly || (s.exportClause && ts.isNamedExports(s.exportClause) && allTypes(s.exportClause.elements))) continue;
      out.push((s.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  parsed.set(file, out);
  return out;
}

/** Chains of value imports from `start` to a @tensorflow package (each as 'a.ts -> b.ts -> @tensorflow/tfjs'). */
function tfChains(start: string): string[] {
  const parent = new Map<string, string | null>([[start, null]]);
  const queue = [start];
  const chains: string[] = [];
  const rel = (p: string) => relative(join(root, 'src'), p);
  while (queue.length) {
    const f = queue.shift()!;
    for (const spec of valueImports(f)) {
      if (spec.startsWith('@tensorflow/') && !/\?url$/.test(spec)) {
        const chain = [spec];
        for (let x: string | null = f; x; x = parent.get(x)!) chain.unshift(rel(x));
        chains.push(chain.join(' -> '));
      }
      if (!spec.startsWith('.')) continue;
      const t = resolveSpec(f, spec);
      if (t && !parent.has(t)) {
        parent.set(t, f);
        queue.push(t);
      }
    }
  }
  return chains;
}

describe('TensorFlow.js stays off the main thread', () => {
  it('src/main.tsx imports it through no chain of value imports', () => {
    expect(tfChains(join(root, 'src/main.tsx'))).toEqual([]);
  });

  it("no lab's panels import it", () => {
    const labs = readdirSync(join(root, 'src/labs')).filter((d) => isFile(join(root, 'src/labs', d, 'ui/index.tsx')));
    expect(labs.length).toBeGreaterThanOrEqual(4);
    for (const lab of labs) expect(tfChains(join(root, 'src/labs', lab, 'ui/index.tsx')), lab).toEqual([]);
  });

  it('the finder sees a chain (the worker imports it)', () => {
    expect(tfChains(join(root, 'src/worker/compute.worker.ts')).length).toBeGreaterThan(0);
  });
});

describe("the build's check (lint/main-thread.ts)", () => {
  const chunk = (fileName: string, o: Partial<Parameters<typeof mainThreadReport>[0][0]> = {}) => ({
    type: 'chunk' as const,
    fileName,
    isEntry: false,
    facadeModuleId: null,
    imports: [],
    moduleIds: [`/r/src/${fileName}.ts`],
    code: 'x'.repeat(100),
    ...o,
  });
  const tf = ['/r/node_modules/@tensorflow/tfjs-core/dist/index.js'];

  it('finds TensorFlow.js in a chunk a panel imports statically, not in one only an attack run reaches', () => {
    const chunks = [
      chunk('entry', { isEntry: true, facadeModuleId: '/r/index.html', imports: ['shared'] }),
      chunk('shared'),
      chunk('panels', { facadeModuleId: '/r/src/labs/alpha/ui/index.tsx', imports: ['shared', 'tf-a'] }),
      chunk('tf-a', { moduleIds: tf }),
      chunk('run', { facadeModuleId: '/r/src/labs/alpha/algorithms/x.ts', imports: ['tf-b'] }),
      chunk('tf-b', { moduleIds: tf }),
      chunk('urls', { moduleIds: ['/r/node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url'] }),
    ];
    const r = mainThreadReport(chunks);
    expect([...r.leaks.keys()]).toEqual(['tf-a']);
    expect(r.initial.sort()).toEqual(['entry', 'shared']);
    expect(r.initialGzip).toBeGreaterThan(0);
    expect(mainThreadReport(chunks.filter((c) => c.fileName !== 'panels')).leaks.size).toBe(0);
    expect(mainThreadReport([chunk('e', { isEntry: true, moduleIds: tf })]).leaks.size).toBe(1);
  });
});
