/**
 * rlab bench-browser: the lab's speed in headless Chromium, per backend (WebGPU, WebGL, WASM), on the
 * same job: inference img/s, input-gradient img/s and PGD image-steps/s of a zoo model over a fixed
 * batch of test images, after a warm-up. It serves the production build (`vite preview` of dist/,
 * built first when missing or with --build), opens the lab once per backend and calls the compute
 * worker's own `benchmark` (core/eval/benchmark.ts) through the page's `__rlab.benchmark` hook, so
 * the figures are those of the code the lab runs. WebGPU and WebGL run on SwiftShader here unless the
 * machine has a GPU Chromium can use: the adapter column says which.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { isModelCard } from '../../core/models/card';
import type { BenchmarkOutcome } from '../../worker/protocol';
import { isNonNegInt, isPosInt, num, parse, UsageError } from '../args';
import { chromiumNotFound, findChromium, QUIET_FLAGS, WEBGL_FLAGS, WEBGPU_FLAGS } from '../chromium';
import { projectRoot } from '../paths';

const BACKENDS = ['webgpu', 'webgl', 'wasm'] as const;
type Backend = (typeof BACKENDS)[number];

interface Row {
  backend: Backend;
  /** Null when the backend could not be used (then `error` says why). */
  result: BenchmarkOutcome | null;
  error?: string;
  /** With --certify-samples: noisy forward passes per second of the lab's certification job (one image). */
  certify?: number;
}

/** A free TCP port on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no free port'))));
    });
  });
}

async function waitForServer(url: string, server: ChildProcess, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (server.exitCode !== null) throw new Error(`vite preview exited with code ${server.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`vite preview did not answer at ${url} within ${timeoutMs / 1000} s`);
}

const rowCertify = (rows: Row[], backend: Backend) => rows.find((r) => r.backend === backend)?.certify ?? null;

const fmt = (v: number) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(3));

export async function runBenchBrowser(args: string[]): Promise<number> {
  const { values } = parse(args, {
    model: { type: 'string', default: 'mnist-cnn' },
    backends: { type: 'string', default: BACKENDS.join(',') },
    'batch-size': { type: 'string' },
    warmup: { type: 'string' },
    reps: { type: 'string' },
    'pgd-steps': { type: 'string' },
    'pgd-reps': { type: 'string' },
    build: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'certify-samples': { type: 'string' },
  });
  // randomized smoothing: the defences lab's certify job on test image 0 (n0 = 100, n = this, batch 100, no attack)
  const certifySamples =
    values['certify-samples'] === undefined ? 0 : num(values['certify-samples'], 'certify-samples', 0, isPosInt, 'a whole number >= 1');
  const backends = values.backends!.split(',').map((s) => s.trim());
  for (const b of backends)
    if (!(BACKENDS as readonly string[]).includes(b)) throw new UsageError(`--backends: "${b}" is not one of ${BACKENDS.join(', ')}`);
  const settings = {
    batchSize: num(values['batch-size'], 'batch-size', 16, (v) => isPosInt(v) && v <= 1000, 'a whole number from 1 to 1000'),
    warmup: num(values.warmup, 'warmup', 1, isNonNegInt, 'a whole number >= 0'),
    reps: num(values.reps, 'reps', 3, isPosInt, 'a whole number >= 1'),
    pgdSteps: num(values['pgd-steps'], 'pgd-steps', 40, isPosInt, 'a whole number >= 1'),
    pgdReps: num(values['pgd-reps'], 'pgd-reps', 1, isPosInt, 'a whole number >= 1'),
  };
  const root = projectRoot();
  const cardPath = join(root, 'models', values.model!, 'card.json');
  if (!/^[a-z0-9-]+$/.test(values.model!) || !existsSync(cardPath)) throw new UsageError(`--model ${values.model} is not a zoo model`);
  const card = JSON.parse(readFileSync(cardPath, 'utf8')) as unknown;
  if (!isModelCard(card)) throw new Error(`models/${values.model}/card.json is not a valid model card`);
  const chromiumPath = await findChromium();
  if (!chromiumPath) throw new Error(chromiumNotFound());
  if (!existsSync(join(root, 'public', 'data', 'index.json'))) throw new Error('the data sets are not prepared: npm run prepare-data');

  const log = (s: string) => process.stderr.write(`${s}\n`);
  if (values.build || !existsSync(join(root, 'dist', 'index.html'))) {
    log('bench-browser: building the lab (vite build)');
    const b = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: ['ignore', 2, 2] });
    if (b.status !== 0) throw new Error('vite build failed');
  }
  if (!existsSync(join(root, 'dist', 'models', card.id, 'model.json')))
    throw new Error(`dist/ has no models/${card.id}: run npm run prepare-data, then bench-browser --build`);

  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let serverErr = '';
  server.stderr?.on('data', (d: Buffer) => (serverErr += d.toString()));
  const stopServer = () => {
    if (server.exitCode === null && server.pid !== undefined) {
      try {
        process.kill(-server.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  const { chromium } = await import('@playwright/test');
  const rows: Row[] = [];
  let browserVersion = '';
  try {
    await waitForServer(url, server, 60_000).catch((e: Error) => {
      throw new Error(`${e.message}${serverErr ? `: ${serverErr.trim().split('\n')[0]}` : ''}`);
    });
    for (const backend of backends as Backend[]) {
      log(`bench-browser: ${backend} ...`);
      const browser = await chromium.launch({
        executablePath: chromiumPath,
        headless: true,
        args: [...QUIET_FLAGS, ...(backend === 'webgpu' ? WEBGPU_FLAGS : WEBGL_FLAGS)],
      });
      browserVersion = browser.version();
      try {
        const page = await browser.newPage();
        const pageErrors: string[] = [];
        page.on('pageerror', (e) => pageErrors.push(e.message));
        await page.goto(`${url}#v=1&ds=${card.dataset}&model=${card.id}&backend=${backend}`);
        // the worker has picked a backend and loaded the data set and the model
        await page.locator('[data-testid="lab"][data-settled="true"]').waitFor({ timeout: 300_000 });
        await page.getByTestId('predicted-label').waitFor({ timeout: 300_000 });
        const running = (await page.getByTestId('backend-name').textContent())?.trim() ?? '';
        if (running !== backend) {
          const why = (await page.getByTestId('notice').allTextContents()).join(' ');
          rows.push({
            backend,
            result: null,
            error: `not available (the lab fell back to ${running || 'nothing'}${why ? `: ${why}` : ''})`,
          });
          continue;
        }
        const hasHook = await page.evaluate(() => typeof (window as unknown as { __rlab?: { benchmark?: unknown } }).__rlab?.benchmark);
        if (hasHook !== 'function') throw new Error('dist/ was built before the benchmark hook existed: run bench-browser --build');
        const result = await page.evaluate(
          (s) => (window as unknown as { __rlab: { benchmark: (o: typeof s) => Promise<BenchmarkOutcome> } }).__rlab.benchmark(s),
          settings,
        );
        let certify: number | undefined;
        if (certifySamples > 0) {
          log(`bench-browser: ${backend}: certifying test image 0 with n = ${certifySamples} ...`);
          await page.evaluate(
            (h) => (location.hash = h),
            `#v=2&lab=defences&ds=${card.dataset}&model=${card.id}&backend=${backend}&def.n0=100&def.n=${certifySamples}&def.ni=1&def.i0=0&def.b=100&def.as=0`,
          );
          await page.getByTestId('certify-run').click();
          await page.getByTestId('certify-speed').waitFor({ timeout: 600_000 });
          certify = Number(await page.getByTestId('certify-speed').getAttribute('data-rate'));
        }
        rows.push({ backend, result, certify });
        if (pageErrors.length > 0) log(`bench-browser: page errors on ${backend}: ${pageErrors.join('; ')}`);
      } catch (e) {
        rows.push({ backend, result: null, error: (e as Error).message.split('\n')[0] });
      } finally {
        await browser.close();
      }
    }
  } finally {
    stopServer();
  }

  const job = `${card.id}, first ${settings.batchSize} ${card.dataset} test images as one batch, ${settings.warmup} warm-up run(s), mean of ${settings.reps} timed runs (PGD-${settings.pgdSteps}: ${settings.pgdReps})`;
  if (values.json) {
    process.stdout.write(
      JSON.stringify({
        model: card.id,
        dataset: card.dataset,
        batch_size: settings.batchSize,
        warmup: settings.warmup,
        reps: settings.reps,
        pgd_steps: settings.pgdSteps,
        pgd_reps: settings.pgdReps,
        browser: `Chromium ${browserVersion}, headless`,
        results: rows.map(({ backend, result, error }) =>
          result
            ? {
                backend,
                adapter: result.adapter,
                inference_images_per_second: result.inference.imagesPerSecond,
                input_gradient_images_per_second: result.inputGradient.imagesPerSecond,
                pgd_image_steps_per_second: result.pgd.imageStepsPerSecond,
                ...(result && certifySamples > 0 ? { certify_noisy_forward_passes_per_second: rowCertify(rows, backend) } : {}),
                ms_per_batch: {
                  inference: result.inference.msPerRun,
                  input_gradient: result.inputGradient.msPerRun,
                  pgd: result.pgd.msPerRun,
                },
              }
            : { backend, error },
        ),
      }) + '\n',
    );
  } else {
    console.log(`Browser benchmark: ${job}; headless Chromium ${browserVersion}`);
    const header = ['backend', 'inference img/s', 'input-gradient img/s', `PGD-${settings.pgdSteps} image-steps/s`, 'adapter'];
    const table = rows.map(({ backend, result, error }) =>
      result
        ? [
            backend,
            fmt(result.inference.imagesPerSecond),
            fmt(result.inputGradient.imagesPerSecond),
            fmt(result.pgd.imageStepsPerSecond),
            result.adapter,
          ]
        : [backend, '-', '-', '-', error ?? 'failed'],
    );
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
    const line = (r: string[]) =>
      r.map((c, i) => (i === r.length - 1 ? c : i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    console.log(line(header));
    for (const r of table) console.log(line(r));
    for (const r of rows)
      if (r.certify !== undefined)
        console.log(
          `${r.backend}: certification (randomized smoothing, n0 100 + n ${certifySamples}, batch 100) ${fmt(r.certify)} noisy forward passes/s`,
        );
    if (rows.some((r) => r.result && /swiftshader/i.test(r.result.adapter)))
      console.log('(SwiftShader is a CPU emulation of the GPU: these are not GPU figures)');
  }
  return rows.every((r) => r.result) ? 0 : 1;
}
