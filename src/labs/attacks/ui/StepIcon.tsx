/**
 * Media-control icons for the attack stepper as inline SVG: the Unicode glyphs (U+23EE, U+23F8, U+23ED)
 * are missing from the fonts of a plain Debian Chromium and render as empty boxes. Decorative: the
 * button's text names it.
 */
const PATHS = {
  reset: 'M2 2h2.5v12H2zM14 2 5.5 8l8.5 6z',
  play: 'M4 2l10 6-10 6z',
  pause: 'M3 2h3.5v12H3zM9.5 2H13v12H9.5z',
  step: 'M2 2l8.5 6L2 14zM11.5 2H14v12h-2.5z',
} as const;

export function StepIcon({ name }: { name: keyof typeof PATHS }) {
  return (
    <svg className="icon" viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} fill="currentColor" />
    </svg>
  );
}
