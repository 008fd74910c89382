import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTfjsNodeBanner, withoutTfjsNodeBanner } from './quiet-node';

describe('the tfjs-node banner', () => {
  it("matches the banner TensorFlow.js's CPU backend prints (its text as installed)", () => {
    const require = createRequire(import.meta.url);
    const src = readFileSync(join(dirname(require.resolve('@tensorflow/tfjs-backend-cpu/package.json')), 'dist/backend_cpu.js'), 'utf8');
    const m = /backend_util\.warn\(([\s\S]*?)\);/.exec(src);
    expect(m).not.toBeNull();
    // the message as the backend builds it: string literals joined by +
    const text = [...m![1].matchAll(/'([^']*)'/g)].map((x) => x[1].replace(/\\n/g, '\n')).join('');
    expect(text).toContain('tfjs-node');
    expect(isTfjsNodeBanner(text)).toBe(true);
  });

  it('is dropped; every other warning passes unchanged', () => {
    const seen: unknown[][] = [];
    const warn = withoutTfjsNodeBanner((...a) => seen.push(a));
    warn('\n====\nHi, looks like you are running TensorFlow.js in Node.js. To speed things up ...');
    warn('backend wasm was already registered', 1);
    warn({ not: 'text' });
    expect(seen).toEqual([['backend wasm was already registered', 1], [{ not: 'text' }]]);
  });
});
