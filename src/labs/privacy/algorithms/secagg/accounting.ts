/**
 * Communication per client of secure aggregation against sending the update in the clear.
 *
 * The paper's accounting (Bonawitz et al. 2017, section 6.1, client communication): a client sends and
 * receives 2n a_K + (5n - 4) a_S + m R bits, with a_K the bits of a public key, a_S of a secret share,
 * m the vector's length and R = b + ceil(log2 n) the bits of a ring element for b-bit inputs (so that n
 * inputs sum without wrapping); in the clear it sends m b bits. With a_K = a_S = 256, b = 16:
 * n = 2^10, m = 2^20 -> 1.73x; n = 2^14, m = 2^24 -> 1.98x (the paper's figures).
 *
 * Ours (protocol.ts) from its message sizes: keys 2 x 65 bytes sent and (n - 1)(4 + 130) received;
 * one sealed share pair per peer each way; 4 m bytes of masked vector (Z_2^32); one share (+ id) per
 * peer at unmasking; against 4 m bytes of a float32 update.
 */
import { GCM_TAG_BYTES, IV_BYTES, PUBLIC_KEY_BYTES, PRIVATE_KEY_BYTES } from './crypto';

export interface PaperAccounting {
  bits: number;
  clearBits: number;
  ringBits: number;
  expansion: number;
}

export function paperAccounting(n: number, m: number, inputBits = 16, keyBits = 256, shareBits = 256): PaperAccounting {
  const ringBits = inputBits + Math.ceil(Math.log2(n));
  const bits = 2 * n * keyBits + (5 * n - 4) * shareBits + m * ringBits;
  const clearBits = m * inputBits;
  return { bits, clearBits, ringBits, expansion: bits / clearBits };
}

export interface OurAccounting {
  sent: number;
  received: number;
  clear: number;
  /** (sent + received) / clear, as the paper counts both directions. */
  expansion: number;
  /** sent / clear: the upload alone. */
  uploadExpansion: number;
}

const ID = 4;
/** Bytes of one Shamir share of a secret of k bytes (shamir-secret-sharing appends its x coordinate). */
const SHARE = (k: number) => k + 1;
/** One sealed share pair: IV, (u, v, s share, b share), GCM tag. */
export const SEALED_PAIR_BYTES = IV_BYTES + 2 * ID + SHARE(PRIVATE_KEY_BYTES) + SHARE(32) + GCM_TAG_BYTES;

/** Our protocol's bytes per client with no dropouts (every peer survives: one b share per peer at unmasking). */
export function ourAccounting(n: number, m: number): OurAccounting {
  const keys = 2 * PUBLIC_KEY_BYTES;
  const sent = keys + (n - 1) * (ID + SEALED_PAIR_BYTES) + 4 * m + (n - 1) * (ID + SHARE(32));
  const received = (n - 1) * (ID + keys) + n * ID + (n - 1) * (ID + SEALED_PAIR_BYTES) + n * ID;
  const clear = 4 * m;
  return { sent, received, clear, expansion: (sent + received) / clear, uploadExpansion: sent / clear };
}
