/**
 * The project's architecture, as ESLint rules (a local plugin: no extra dependency).
 *
 *   layering/boundaries  which folder of src/ may import which (see LAYERS below)
 *   layering/no-cycle    no import cycle between files of src/ (`import type` and `import()` included)
 *
 * Both rules resolve each import to a file (relative specifiers; bare specifiers are packages), so they work for
 * any lab name. Resolution follows the project's conventions: extensionless relative imports of .ts/.tsx files or
 * of a folder's index.ts, and vite's `?query` suffixes.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const DEFAULT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const EXTENSIONS = ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'];

/** UI packages: not allowed in src/core/ nor in src/worker/. */
const UI_PACKAGES = ['react', 'react-dom', 'zustand', 'recharts'];

function rootOf(context) {
  return resolve(context.settings?.layering?.root ?? DEFAULT_ROOT);
}

const toPosix = (p) => p.split(sep).join('/');

function isDir(p) {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p) {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The file a relative specifier names (best effort; the extensionless path if nothing exists on disk). */
function resolveRelative(fromFile, spec) {
  const base = resolve(dirname(fromFile), spec.replace(/[?#].*$/, ''));
  if (isFile(base)) return base;
  for (const ext of EXTENSIONS) if (isFile(base + ext)) return base + ext;
  for (const ext of EXTENSIONS) if (isFile(join(base, 'index' + ext))) return join(base, 'index' + ext);
  return base;
}

/** Package name of a bare specifier ('react-dom/client' -> 'react-dom', '@scope/x/y' -> '@scope/x'). */
function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Where a file sits: { layer: 'core' | 'labs' | 'labs-index' | 'ui' | 'worker' | 'cli' | 'src' | null, lab?, labUi?, labEntry? }.
 * `path` is absolute; with or without an extension (an import that does not exist on disk still classifies).
 */
function classify(root, path) {
  const rel = toPosix(relative(join(root, 'src'), path));
  if (rel.startsWith('..') || rel === '') return { layer: null, rel };
  const parts = rel.replace(/\.(tsx?|jsx?|mjs|cjs)$/, '').split('/');
  const [top] = parts;
  if (top === 'labs') {
    // the lab lists at the top of src/labs/ (index.ts, cli.ts, experiment.ts, ...): the app's side of the labs
    if (parts.length === 1 || (parts.length === 2 && !isDir(join(root, 'src', 'labs', parts[1])))) return { layer: 'labs-index', rel };
    const lab = parts[1];
    // src/labs/<lab> (the folder) and src/labs/<lab>/index are the lab's public entry
    const labEntry = parts.length === 2 || (parts.length === 3 && parts[2] === 'index');
    return { layer: 'labs', lab, labUi: parts[2] === 'ui' && parts.length > 3, labEntry, rel };
  }
  if (['core', 'ui', 'worker', 'cli'].includes(top) && parts.length > 1) return { layer: top, rel };
  return { layer: 'src', rel };
}

/** Every import of the file being linted: { node (to report on), spec }. */
function importsOf(context, onImport) {
  const check = (node, source) => {
    if (source && source.type === 'Literal' && typeof source.value === 'string') onImport(node, source.value);
  };
  return {
    ImportDeclaration: (n) => check(n, n.source),
    ExportNamedDeclaration: (n) => check(n, n.source),
    ExportAllDeclaration: (n) => check(n, n.source),
    ImportExpression: (n) => check(n, n.source),
  };
}

/** @type {import('eslint').Rule.RuleModule} */
const boundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the layering of src/: core, labs, worker, ui, cli' },
    schema: [
      {
        type: 'object',
        properties: {
          exceptions: {
            description: 'Temporary, exact exceptions: { from, to } paths relative to the repository root',
            type: 'array',
            items: {
              type: 'object',
              properties: { from: { type: 'string' }, to: { type: 'string' } },
              required: ['from', 'to'],
              additionalProperties: false,
            },
          },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      corePackage: 'src/core/ must not import "{{spec}}" (core is shared by the browser, the worker and the CLI: no React/UI state)',
      coreLayer: 'src/core/ must not import from src/{{layer}}/ ("{{spec}}" is {{target}}): core depends on nothing above it',
      workerPackage: 'src/worker/ must not import "{{spec}}" (the worker runs jobs, it has no UI)',
      workerUi: 'src/worker/ must not import from src/ui/ ("{{spec}}" is {{target}})',
      labInternals:
        'lab "{{lab}}" must not import the internals of lab "{{other}}" ("{{spec}}" is {{target}}); import src/labs/{{other}}/index.ts instead',
      labUi:
        'src/labs/{{lab}}/ must not import from src/ui/ outside its ui/ folder ("{{spec}}" is {{target}}); move this code to src/labs/{{lab}}/ui/',
    },
  },
  create(context) {
    const root = rootOf(context);
    const file = context.physicalFilename;
    const from = classify(root, file);
    if (!from.layer || from.layer === 'src' || from.layer === 'cli' || from.layer === 'ui' || from.layer === 'labs-index') return {};
    const fromRel = toPosix(relative(root, file));
    const exceptions = (context.options[0]?.exceptions ?? []).filter((e) => e.from === fromRel).map((e) => e.to);
    return importsOf(context, (node, spec) => {
      if (!spec.startsWith('.')) {
        const pkg = packageName(spec);
        if (!UI_PACKAGES.includes(pkg)) return;
        if (from.layer === 'core') context.report({ node, messageId: 'corePackage', data: { spec } });
        if (from.layer === 'worker') context.report({ node, messageId: 'workerPackage', data: { spec } });
        return;
      }
      const targetPath = resolveRelative(file, spec);
      const to = classify(root, targetPath);
      if (!to.layer) return;
      if (exceptions.includes(toPosix(relative(root, targetPath)))) return;
      const data = { spec, target: `src/${to.rel}`, layer: to.layer === 'labs-index' ? 'labs' : to.layer };
      if (from.layer === 'core') {
        // a core test may exercise core with a lab's real algorithms, through the lab's public entry only
        const testOfLab = /\.test\.tsx?$/.test(file) && to.layer === 'labs' && to.labEntry;
        if (['labs', 'labs-index', 'ui', 'worker', 'cli'].includes(to.layer) && !testOfLab)
          context.report({ node, messageId: 'coreLayer', data });
      } else if (from.layer === 'worker') {
        if (to.layer === 'ui') context.report({ node, messageId: 'workerUi', data });
      } else if (from.layer === 'labs') {
        if (to.layer === 'labs' && to.lab !== from.lab && !to.labEntry)
          context.report({ node, messageId: 'labInternals', data: { ...data, lab: from.lab, other: to.lab } });
        if (to.layer === 'ui' && !from.labUi) context.report({ node, messageId: 'labUi', data: { ...data, lab: from.lab } });
      }
    });
  },
};

/** Relative imports of a file on disk, resolved; cached by mtime (one lint run reads each file once). */
const depsCache = new Map();
function diskDeps(file) {
  let mtime;
  try {
    mtime = statSync(file).mtimeMs;
  } catch {
    return [];
  }
  const hit = depsCache.get(file);
  if (hit && hit.mtime === mtime) return hit.deps;
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const deps = info.importedFiles
    .map((f) => f.fileName)
    .filter((s) => s.startsWith('.'))
    .map((s) => resolveRelative(file, s))
    .filter(isFile);
  depsCache.set(file, { mtime, deps });
  return deps;
}

/** A path of imports from `start` back to `goal` (both inside `scope`), or null. Depth-first, each file visited once. */
function findPath(start, goal, scope) {
  const seen = new Set();
  const stack = [[start, [start]]];
  while (stack.length) {
    const [f, path] = stack.pop();
    if (f === goal) return path;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const d of diskDeps(f)) if (d.startsWith(scope) && !seen.has(d)) stack.push([d, [...path, d]]);
  }
  return null;
}

/** @type {import('eslint').Rule.RuleModule} */
const noCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'No import cycles between the files of src/ (type-only and dynamic imports count)' },
    schema: [],
    messages: { cycle: 'import cycle: {{cycle}}' },
  },
  create(context) {
    const root = rootOf(context);
    const scope = join(root, 'src') + sep;
    const file = context.physicalFilename;
    if (!file.startsWith(scope)) return {};
    const reported = new Set();
    return importsOf(context, (node, spec) => {
      if (!spec.startsWith('.')) return;
      const target = resolveRelative(file, spec);
      if (!target.startsWith(scope) || !isFile(target) || reported.has(target)) return;
      // the file being linted is read from its AST here and from disk further along the cycle
      const back = target === file ? [file] : findPath(target, file, scope);
      if (!back) return;
      reported.add(target);
      const cycle = [file, ...back].map((p) => toPosix(relative(root, p))).join(' -> ');
      context.report({ node, messageId: 'cycle', data: { cycle } });
    });
  },
};

export default {
  meta: { name: 'layering' },
  rules: { boundaries, 'no-cycle': noCycle },
};
