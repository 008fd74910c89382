/**
 * The build's check that TensorFlow.js stays in the worker (a Vite plugin, in vite.config.ts): the
 * page's main thread loads the entry chunk and, as tabs open, the labs' panel chunks (src/labs/<lab>/ui/,
 * React.lazy); none of them, nor any chunk they import statically, may hold a module of
 * @tensorflow/* (its wasm files, imported as URLs for the worker, aside). The main thread's initial
 * JavaScript (the entry and its static imports) must stay under a budget, gzipped. Chunks that only a
 * dynamic import inside an attack's run reaches (the worker and the CLI run attacks; the page does not)
 * are not loaded by the page and are not checked.
 *
 * A failure stops the build with the chain of modules that brought TensorFlow.js in.
 */
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

interface ChunkLike {
  type: 'chunk';
  fileName: string;
  isEntry: boolean;
  facadeModuleId: string | null;
  imports: string[];
  moduleIds: string[];
  code: string;
}

export interface MainThreadReport {
  /** Files of the entry and its static imports. */
  initial: string[];
  /** Their size, gzipped (level 9), in bytes. */
  initialGzip: number;
  /** Chunks the page loads (initial + the panels' static closures) holding TensorFlow.js modules: file -> modules. */
  leaks: Map<string, string[]>;
}

const isTf = (id: string) => /node_modules\/@tensorflow\//.test(id) && !/\?url$/.test(id) && !/\.wasm(\?|$)/.test(id);
const isPanels = (id: string | null) => !!id && /\/src\/labs\/[^/]+\/ui\//.test(id.replace(/\\/g, '/'));

/** The main thread's chunks and what the check finds in them (exported for the test of the check). */
export function mainThreadReport(chunks: ChunkLike[]): MainThreadReport {
  const byName = new Map(chunks.map((c) => [c.fileName, c]));
  const closure = (start: ChunkLike[]) => {
    const seen = new Set<string>();
    const stack = start.map((c) => c.fileName);
    while (stack.length) {
      const f = stack.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      for (const i of byName.get(f)?.imports ?? []) stack.push(i);
    }
    return seen;
  };
  const initial = closure(chunks.filter((c) => c.isEntry));
  const loaded = closure(chunks.filter((c) => c.isEntry || isPanels(c.facadeModuleId)));
  const leaks = new Map<string, string[]>();
  for (const f of loaded) {
    const tf = byName.get(f)!.moduleIds.filter(isTf);
    if (tf.length) leaks.set(f, tf);
  }
  const initialGzip = [...initial].reduce((s, f) => s + gzipSync(byName.get(f)!.code, { level: 9 }).length, 0);
  return { initial: [...initial], initialGzip, leaks };
}

/** The plugin: fails the build on a leak or when the initial JavaScript is over `budgetKiB` gzipped. */
export function mainThreadCheck(budgetKiB = 250): Plugin {
  return {
    name: 'rlab-main-thread-check',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((c) => c.type === 'chunk') as unknown as ChunkLike[];
      if (!chunks.some((c) => c.isEntry && /index\.html$|main\.tsx$/.test(c.facadeModuleId ?? ''))) return; // not the page's build
      const r = mainThreadReport(chunks);
      if (r.leaks.size) {
        const [file, mods] = [...r.leaks][0];
        this.error(
          `TensorFlow.js leaked into the page's main thread: ${file} holds ${mods.length} of its modules (${mods[0].replace(/.*node_modules\//, '')}, ...). ` +
            'Import it only from code the worker runs (see ARCHITECTURE.md, "Main thread and worker").',
        );
      }
      const kib = r.initialGzip / 1024;
      if (kib > budgetKiB)
        this.error(`the main thread's initial JavaScript is ${kib.toFixed(1)} KiB gzipped, over the ${budgetKiB} KiB budget`);
      this.info(`main thread: initial JavaScript ${kib.toFixed(1)} KiB gzipped in ${r.initial.length} files, no TensorFlow.js`);
    },
  };
}
