/**
 * `npm test`: every check, in order, with one closing line "N passed, M failed".
 *   prepare data -> type-check -> lint -> unit tests (vitest) -> real-browser tests (Playwright)
 * Stops at the first failing stage (its output is shown as it runs). A stage that prints nothing while
 * it works (type-check, lint, format; the browser tests' build) gets a line every PROGRESS_S seconds.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './paths';

const root = projectRoot();
const results = join(root, 'test-results');
const unitJson = join(results, 'unit.json');
const e2eJson = join(results, 'e2e.json');

interface Stage {
  name: string;
  cmd: string[];
  count?: () => { passed: number; failed: number };
  env?: Record<string, string>;
  /** Prints nothing for long stretches: a progress line every PROGRESS_S seconds. */
  quiet?: boolean;
}

const PROGRESS_S = 20;

/** Runs a stage's command with its output shown; resolves to its exit status. */
function run(s: Stage): Promise<number | string> {
  return new Promise((done) => {
    const t0 = Date.now();
    const child = spawn(s.cmd[0], s.cmd.slice(1), { cwd: root, stdio: 'inherit', env: { ...process.env, ...s.env } });
    const tick = s.quiet
      ? setInterval(() => console.log(`=== ${s.name}: still running (${((Date.now() - t0) / 1000).toFixed(0)} s)`), PROGRESS_S * 1000)
      : undefined;
    child.on('close', (code, signal) => {
      clearInterval(tick);
      done(code ?? signal ?? 1);
    });
  });
}

function vitestCounts() {
  const r = JSON.parse(readFileSync(unitJson, 'utf8')) as { numPassedTests: number; numFailedTests: number };
  return { passed: r.numPassedTests, failed: r.numFailedTests };
}

function playwrightCounts() {
  const r = JSON.parse(readFileSync(e2eJson, 'utf8')) as { stats: { expected: number; unexpected: number; flaky: number } };
  return { passed: r.stats.expected + r.stats.flaky, failed: r.stats.unexpected };
}

const stages: Stage[] = [
  { name: 'prepare data', cmd: ['npx', 'tsx', 'src/cli/prepare.ts'] },
  { name: 'type-check', cmd: ['npx', 'tsc', '--noEmit', '-p', 'tsconfig.json'], quiet: true },
  { name: 'lint', cmd: ['npx', 'eslint', '.'], quiet: true },
  { name: 'format', cmd: ['npx', 'prettier', '--check', '--log-level', 'warn', '.'], quiet: true },
  {
    name: 'unit tests',
    cmd: ['npx', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${unitJson}`],
    count: vitestCounts,
  },
  { name: 'browser tests', cmd: ['node', 'e2e/run.mjs'], count: playwrightCounts, env: { PLAYWRIGHT_JSON_OUTPUT_NAME: e2eJson } },
];

let passed = 0;
let failed = 0;
rmSync(unitJson, { force: true });
rmSync(e2eJson, { force: true });
for (const s of stages) {
  console.log(`\n=== ${s.name}: ${s.cmd.join(' ')}`);
  const t0 = Date.now();
  const status = await run(s);
  const secs = ((Date.now() - t0) / 1000).toFixed(0);
  let counted = false;
  if (s.count) {
    const file = s.name === 'unit tests' ? unitJson : e2eJson;
    if (existsSync(file)) {
      const c = s.count();
      passed += c.passed;
      failed += c.failed;
      counted = true;
      console.log(`=== ${s.name}: ${c.passed} passed, ${c.failed} failed (${secs} s)`);
    }
  }
  if (status !== 0) {
    if (!counted) failed += 1;
    console.log(`=== ${s.name} FAILED (exit ${status}, ${secs} s)`);
    console.log(`\ntests: ${passed} passed, ${failed} failed`);
    process.exit(1);
  }
  if (!s.count) console.log(`=== ${s.name}: ok (${secs} s)`);
}
console.log(`\ntests: ${passed} passed, ${failed} failed`);
