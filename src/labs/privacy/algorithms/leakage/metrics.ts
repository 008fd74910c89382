/**
 * Reconstruction quality on images in [0, 1] (the reconstruction clipped to [0, 1] first, as it is
 * shown): MSE, and PSNR = 10 log10(1 / MSE) in dB. With a batch, each original is matched to a
 * distinct reconstruction (DLG recovers a batch in no particular order): the pairing of least total MSE
 * by exhaustive search up to 8 images, greedily beyond.
 */

export const clip01 = (v: Float32Array): Float32Array => v.map((a) => Math.min(1, Math.max(0, a)));

export function mse(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`mse: ${a.length} against ${b.length} values`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s / a.length;
}

/** PSNR in dB for a peak of 1 (Infinity for identical images). */
export const psnr = (m: number): number => 10 * Math.log10(1 / m);

/** Per-image MSE of the best pairing of originals with (clipped) reconstructions, batch of `n`. */
export function matchedMse(original: Float32Array, reconstruction: Float32Array, n: number): { mse: number[]; order: number[] } {
  const size = original.length / n;
  const rec = clip01(reconstruction);
  const img = (v: Float32Array, i: number) => v.subarray(i * size, (i + 1) * size);
  const cost = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => mse(img(original, i), img(rec, j))));
  let best: number[] = [];
  if (n <= 8) {
    let bestCost = Infinity;
    const perm: number[] = [];
    const used = new Array<boolean>(n).fill(false);
    const search = (i: number, acc: number) => {
      if (acc >= bestCost) return;
      if (i === n) {
        bestCost = acc;
        best = [...perm];
        return;
      }
      for (let j = 0; j < n; j++)
        if (!used[j]) {
          used[j] = true;
          perm.push(j);
          search(i + 1, acc + cost[i][j]);
          perm.pop();
          used[j] = false;
        }
    };
    search(0, 0);
  } else {
    const used = new Set<number>();
    best = cost.map((row) => {
      let j = -1;
      row.forEach((c, k) => {
        if (!used.has(k) && (j < 0 || c < row[j])) j = k;
      });
      used.add(j);
      return j;
    });
  }
  return { mse: best.map((j, i) => cost[i][j]), order: best };
}
