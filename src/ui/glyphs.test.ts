import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Symbols a plain Debian Chromium (DejaVu and Liberation fonts, no emoji font) draws as empty boxes:
 * the media-control glyphs U+23E9..U+23FA (skip, play/pause, pause, record …), emoji and the emoji variation selector.
 * The UI uses inline SVG (StepIcon) or words instead.
 */
const BOXED = /[\u23e9-\u23fa\u{1f000}-\u{1faff}]|\ufe0f/u;

describe('UI text', () => {
  const dir = __dirname;
  const files = [...readdirSync(dir).filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.test.ts')), '../../index.html'];
  it.each(files)('%s has no glyph that plain Debian Chromium cannot draw', (f) => {
    const lines = readFileSync(join(dir, f), 'utf8').split('\n');
    const bad = lines.flatMap((line, i) => (BOXED.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : []));
    expect(bad).toEqual([]);
  });
});
