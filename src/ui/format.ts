/** Small formatting helpers for figures read from cards or computed in the worker. */
export function percent(x: number | null | undefined, digits = 1): string {
  return typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : 'not measured';
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** Whether eps is read in /255: colour images (CIFAR-10) under L-inf, as the literature writes it (8/255). */
export function epsIn255(channels: number, norm: 'linf' | 'l2'): boolean {
  return channels === 3 && norm === 'linf';
}

/** eps for display: "8/255" (to 2 decimals of the numerator) when read in /255, else the number. */
export function epsText(eps: number, in255: boolean): string {
  return in255 ? `${Number((eps * 255).toFixed(2))}/255` : String(eps);
}

/**
 * Parse a typed eps: "0.03", "8/255" (any fraction a/b), or, when read in /255, a bare "8" meaning
 * 8/255. Returns the fraction (the experiment's value), or null when it is not a number.
 */
export function parseEpsText(text: string, in255: boolean): number | null {
  const s = text.trim();
  const frac = /^([0-9]*\.?[0-9]+(?:e[-+]?[0-9]+)?)\s*\/\s*([0-9]*\.?[0-9]+)$/i.exec(s);
  if (frac) {
    const v = Number(frac[1]) / Number(frac[2]);
    return Number.isFinite(v) ? v : null;
  }
  if (s === '' || !Number.isFinite(Number(s))) return null;
  return in255 ? Number(s) / 255 : Number(s);
}
