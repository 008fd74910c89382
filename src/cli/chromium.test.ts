import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chromiumNotFound, findChromium } from './chromium';

describe('findChromium', () => {
  const saved = process.env.CHROMIUM_PATH;
  afterEach(() => {
    if (saved === undefined) delete process.env.CHROMIUM_PATH;
    else process.env.CHROMIUM_PATH = saved;
  });

  it('takes CHROMIUM_PATH when it exists, and nothing else when it does not', async () => {
    const fake = join(mkdtempSync(join(tmpdir(), 'rlab-chromium-')), 'chromium');
    writeFileSync(fake, '');
    process.env.CHROMIUM_PATH = fake;
    expect(await findChromium()).toBe(fake);
    process.env.CHROMIUM_PATH = `${fake}-missing`;
    expect(await findChromium()).toBeNull();
  });

  it('says in one line why nothing was found and how to get a Chromium', () => {
    const wrong = chromiumNotFound({ CHROMIUM_PATH: '/nowhere/chromium' });
    expect(wrong).toContain('CHROMIUM_PATH=/nowhere/chromium does not exist');
    expect(wrong).toContain('apt-get install chromium');
    const none = chromiumNotFound({});
    expect(none).toContain('apt-get install chromium');
    expect(none).toContain('CHROMIUM_PATH');
    for (const m of [wrong, none]) expect(m).not.toContain('\n');
  });
});
