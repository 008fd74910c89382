/**
 * Fixed-point encoding of float vectors in the ring Z_2^32 for secure aggregation (Bonawitz et al.
 * 2017 sum their inputs in Z_R; they take R = 2^(b + log2 n) for b-bit inputs of n users, so that the
 * sum cannot wrap). Here the ring is always Z_2^32 (one Uint32 per coordinate, JavaScript's `>>> 0`
 * arithmetic) and the scale is chosen for the number of clients instead:
 *
 *   q = clamp(round(x * scale), -L, L) with L = floor(range * scale), stored as q mod 2^32
 *   scale = floor((2^31 - 1) / (clients * range))
 *
 * so |sum of n encodings| <= n * L <= 2^31 - 1 and the sum read back as a signed 32-bit integer is
 * exact: overflow is impossible for up to `clients` inputs. Values outside [-range, range] are clipped
 * to it (the caller counts them); the rounding error of one coordinate is at most 1 / (2 scale).
 */

export interface FixedPoint {
  /** Inputs are clipped to [-range, range]. */
  range: number;
  /** The largest number of encodings summed. */
  clients: number;
  /** Ring units per 1.0 (resolution 1 / scale). */
  scale: number;
  /** The largest magnitude of one encoding: floor(range * scale). */
  limit: number;
}

export function fixedPoint(range: number, clients: number): FixedPoint {
  if (!(range > 0) || !Number.isFinite(range)) throw new Error(`the fixed-point range must be a positive number, not ${range}`);
  if (!Number.isInteger(clients) || clients < 1) throw new Error(`the fixed-point encoding needs 1 or more clients, not ${clients}`);
  const scale = Math.floor((2 ** 31 - 1) / (clients * range));
  if (scale < 1) throw new Error(`range ${range} x ${clients} clients does not fit the 32-bit ring`);
  return { range, clients, scale, limit: Math.floor(range * scale) };
}

/** Encodes `x` into the ring; `clipped` counts the coordinates outside [-range, range]. */
export function encode(fp: FixedPoint, x: ArrayLike<number>): { ring: Uint32Array; clipped: number } {
  const out = new Uint32Array(x.length);
  let clipped = 0;
  for (let j = 0; j < x.length; j++) {
    let q = Math.round(x[j] * fp.scale);
    if (q > fp.limit) {
      q = fp.limit;
      clipped++;
    } else if (q < -fp.limit) {
      q = -fp.limit;
      clipped++;
    } else if (Number.isNaN(q)) throw new Error(`coordinate ${j} is not a number`);
    out[j] = q >>> 0;
  }
  return { ring: out, clipped };
}

/** Decodes a ring vector (one encoding or a sum of at most `clients` of them) back to floats. */
export function decode(fp: FixedPoint, ring: Uint32Array): Float64Array {
  const out = new Float64Array(ring.length);
  for (let j = 0; j < ring.length; j++) out[j] = (ring[j] | 0) / fp.scale;
  return out;
}

/** a += b in Z_2^32 (sign -1: a -= b). */
export function addRing(a: Uint32Array, b: Uint32Array, sign: 1 | -1 = 1): void {
  if (a.length !== b.length) throw new Error(`ring vectors of lengths ${a.length} and ${b.length}`);
  if (sign === 1) for (let j = 0; j < a.length; j++) a[j] = (a[j] + b[j]) >>> 0;
  else for (let j = 0; j < a.length; j++) a[j] = (a[j] - b[j]) >>> 0;
}
