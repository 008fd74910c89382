/**
 * Display settings (src/ui/settings.ts) and the diverging colour maps (src/ui/colormap.ts): stored
 * values are checked and repaired, the theme follows the system only when asked to, and the second
 * diverging map is ColorBrewer's PuOr (orange to purple through near-white), not the blue-red one.
 */
import { describe, expect, it } from 'vitest';
import { diverging, divergingGradient, perturbationRgba } from './colormap';
import { DEFAULT_SETTINGS, resolveTheme, sanitizeSettings } from './settings';

describe('display settings', () => {
  it('keeps valid stored values and replaces anything else by the default', () => {
    expect(sanitizeSettings({ theme: 'dark', colourMap: 'orange-purple' })).toEqual({ theme: 'dark', colourMap: 'orange-purple' });
    expect(sanitizeSettings({ theme: 'purple', colourMap: 'rainbow' })).toEqual(DEFAULT_SETTINGS);
    expect(sanitizeSettings('{"theme":"dark"}')).toEqual(DEFAULT_SETTINGS);
    expect(sanitizeSettings(null)).toEqual(DEFAULT_SETTINGS);
    expect(sanitizeSettings({ theme: 'light', colourMap: '__proto__' })).toEqual({ theme: 'light', colourMap: 'blue-red' });
  });
  it('follows the system only while the choice is "system"', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    expect(resolveTheme('light', true)).toBe('light');
    expect(resolveTheme('dark', false)).toBe('dark');
  });
});

describe('the orange-purple diverging map (ColorBrewer PuOr)', () => {
  it('has PuOr at its ends and middle, and interpolates between the classes', () => {
    expect(diverging(-1, 'orange-purple')).toEqual([127, 59, 8]);
    expect(diverging(0, 'orange-purple')).toEqual([247, 247, 247]);
    expect(diverging(1, 'orange-purple')).toEqual([45, 0, 75]);
    // halfway between class 5 (0) and class 6 (+0.2)
    expect(diverging(0.1, 'orange-purple')).toEqual([232, 233, 241]);
    expect(diverging(7, 'orange-purple')).toEqual([45, 0, 75]);
    expect(diverging(Number.NaN, 'orange-purple')).toEqual([247, 247, 247]);
  });
  it('is a different map from blue-red, used by the perturbation view when chosen', () => {
    const delta = [0.1, -0.1, 0, 0.05];
    const br = Array.from(perturbationRgba(delta, [2, 2, 1], 0.1));
    const po = Array.from(perturbationRgba(delta, [2, 2, 1], 0.1, 'orange-purple'));
    expect(br.slice(0, 4)).toEqual([255, 0, 0, 255]);
    expect(po.slice(0, 4)).toEqual([45, 0, 75, 255]);
    expect(po.slice(4, 8)).toEqual([127, 59, 8, 255]);
  });
  it('gives legends a gradient of the map from -1 to +1', () => {
    const g = divergingGradient('orange-purple');
    expect(g.startsWith('linear-gradient(to right, rgb(127, 59, 8) 0%')).toBe(true);
    expect(g.endsWith('rgb(45, 0, 75) 100%)')).toBe(true);
    expect(divergingGradient('blue-red', 'to top')).toContain('rgb(255, 255, 255) 50%');
  });
});
