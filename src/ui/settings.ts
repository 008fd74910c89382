/**
 * Display settings of this browser, apart from the experiment (never in a link): the colour theme
 * (follow the system's prefers-color-scheme, or light, or dark) and the diverging colour map of the
 * perturbation and similarity views. Kept in localStorage (zustand's persist middleware); the theme is
 * applied as `data-theme` on <html>, which styles.css reads.
 */
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { DIVERGING_MAPS, type DivergingMap } from './colormap';

export type ThemeChoice = 'system' | 'light' | 'dark';

export interface DisplaySettings {
  theme: ThemeChoice;
  colourMap: DivergingMap;
}

export const DEFAULT_SETTINGS: DisplaySettings = { theme: 'system', colourMap: 'blue-red' };

/** A stored value as settings, anything unknown or malformed replaced by its default. */
export function sanitizeSettings(raw: unknown): DisplaySettings {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const theme = r.theme === 'light' || r.theme === 'dark' || r.theme === 'system' ? r.theme : DEFAULT_SETTINGS.theme;
  const colourMap =
    typeof r.colourMap === 'string' && Object.hasOwn(DIVERGING_MAPS, r.colourMap)
      ? (r.colourMap as DivergingMap)
      : DEFAULT_SETTINGS.colourMap;
  return { theme, colourMap };
}

export const SETTINGS_KEY = 'rlab-display';

export const useSettings = create<DisplaySettings>()(
  persist(() => ({ ...DEFAULT_SETTINGS }), {
    name: SETTINGS_KEY,
    version: 1,
    storage: createJSONStorage(() => localStorage),
    merge: (persisted, current) => ({ ...current, ...sanitizeSettings(persisted) }),
  }),
);

export function setTheme(theme: ThemeChoice): void {
  useSettings.setState({ theme });
}

export function setColourMap(colourMap: DivergingMap): void {
  useSettings.setState({ colourMap });
}

/** The theme in force: the choice, or the system's when the choice is 'system'. */
export function resolveTheme(choice: ThemeChoice, systemDark: boolean): 'light' | 'dark' {
  return choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;
}

/** Keep <html data-theme> on the theme in force, following the system while the choice is 'system'. */
export function applyTheme(): void {
  const media = window.matchMedia('(prefers-color-scheme: dark)');
  const apply = () => {
    const t = resolveTheme(useSettings.getState().theme, media.matches);
    document.documentElement.dataset.theme = t;
    document.documentElement.style.colorScheme = t;
  };
  apply();
  media.addEventListener('change', apply);
  useSettings.subscribe(apply);
}
