/**
 * The header's display settings (this browser only, src/ui/settings.ts): colour theme (system, light,
 * dark) and the diverging colour map of the perturbation and similarity views.
 */
import { DIVERGING_MAPS, divergingGradient, type DivergingMap } from './colormap';
import { setColourMap, setTheme, useSettings, type ThemeChoice } from './settings';

const THEMES: { value: ThemeChoice; label: string }[] = [
  { value: 'system', label: 'as the system' },
  { value: 'light', label: 'light' },
  { value: 'dark', label: 'dark' },
];

export function DisplaySettings() {
  const theme = useSettings((s) => s.theme);
  const map = useSettings((s) => s.colourMap);
  return (
    <div className="display-settings" role="group" aria-label="Display settings" data-testid="display-settings">
      <label className="status-item">
        <span className="status-key">Theme</span>
        <select value={theme} onChange={(e) => setTheme(e.target.value as ThemeChoice)} data-testid="theme-select">
          {THEMES.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </select>
      </label>
      <label className="status-item">
        <span className="status-key">Colour map</span>
        <select value={map} onChange={(e) => setColourMap(e.target.value as DivergingMap)} data-testid="colour-map-select">
          {Object.entries(DIVERGING_MAPS).map(([id, m]) => (
            <option key={id} value={id}>
              {m.label}
            </option>
          ))}
        </select>
        <span className="map-swatch" style={{ background: divergingGradient(map) }} aria-hidden="true" />
      </label>
    </div>
  );
}
