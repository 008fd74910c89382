/**
 * Secure aggregation, the semi-honest protocol of Bonawitz et al. 2017 (CCS, "Practical Secure
 * Aggregation for Privacy-Preserving Machine Learning", figure 4 without the signatures and the
 * consistency check that only the actively secure variant needs). Every client u of n holds a vector
 * x_u of the ring Z_2^32 (fixed-point.ts); the server learns sum_{u in U3} x_u and nothing else.
 *
 *   Round 0 AdvertiseKeys: u makes two P-256 key pairs (c_u for encrypting to peers, s_u for masks)
 *     and sends both public keys. U1: those who did (|U1| >= t or abort).
 *   Round 1 ShareKeys: u draws a self-mask seed b_u, splits b_u and s_u's private scalar t-of-|U1| with
 *     Shamir, and sends each peer v its two shares, AES-GCM-encrypted under KA(c_u, c_v), through the
 *     server. U2: those who did (>= t).
 *   Round 2 MaskedInputCollection: u sends y_u = x_u + PRG(b_u) + sum_{v in U2, v != u} sign(u, v)
 *     PRG(s_uv), s_uv = KA(s_u, s_v), sign +1 for u < v and -1 for u > v, so pairwise masks cancel.
 *     U3: those who did (>= t).
 *   Round 4 Unmasking: each survivor (U5, >= t) decrypts its shares and sends the server b_v's share for
 *     v in U3 and s_v's share for v in U2 \ U3 (never both for one v). The server rebuilds b_v and
 *     removes PRG(b_v) for v in U3, and rebuilds s_v's private key for a dropped v and removes the
 *     masks it shared with every survivor. The sum is exact in Z_2^32.
 *
 * Dropouts: `dropouts` says after which step a client goes silent ('start': before AdvertiseKeys;
 * 'keys': after it; 'shares': after ShareKeys, so its pairwise masks are in its peers' vectors and must
 * be rebuilt; 'masked': after sending y_u, so its input counts and its self-mask is rebuilt). With
 * fewer than t clients left at any step the server aborts (SecAggAbort) and nothing is recovered:
 * Shamir's combine returns garbage below the threshold, so the count is checked first.
 *
 * Bytes: every message is counted as serialised (raw public keys of 65 bytes, IV + ciphertext + tag of
 * each encrypted share pair, 4 bytes per ring element, 4-byte client ids), sent and received per client.
 * Differences from the paper: shares are in GF(2^8) (shamir-secret-sharing, audited; at most 255
 * holders) rather than a prime field; the ring is Z_2^32 for every n (fixed-point.ts).
 */
import { combine, split } from 'shamir-secret-sharing';
import { addRing } from './fixed-point';
import { agree, exportPrivate, generateKeyPair, importPrivate, open, prg, randomBytes, seal, type KeyPair } from './crypto';

export type DropStage = 'start' | 'keys' | 'shares' | 'masked';
export const DROP_STAGES: readonly DropStage[] = ['start', 'keys', 'shares', 'masked'];

export interface SecAggOptions {
  /** Shamir threshold t (2 <= t <= n). The paper tolerates a third dropping: t = floor(2n/3) + 1. */
  threshold: number;
  /** Client index -> the step after which it drops. */
  dropouts?: ReadonlyMap<number, DropStage>;
}

export interface ClientBytes {
  /** Bytes sent by step: public keys, encrypted shares, the masked vector, shares for unmasking. */
  keys: number;
  shares: number;
  masked: number;
  unmask: number;
  sent: number;
  /** Bytes received from the server (peers' keys, shares addressed to it, id lists). */
  received: number;
}

export interface SecAggResult {
  /** The sum over U3 in Z_2^32. */
  sum: Uint32Array;
  /** Client indices whose input is in the sum (U3), and the survivors who helped unmask (U5). */
  included: number[];
  survivors: number[];
  /** What the server saw of each client in U3: its masked vector y_u (same order as `included`). */
  masked: Uint32Array[];
  /** Per client (index = client), zeros for bytes never sent. */
  bytes: ClientBytes[];
  /** Shares the server combined: self-masks (b) and mask keys (s) rebuilt. */
  rebuilt: { selfMasks: number; maskKeys: number };
}

export class SecAggAbort extends Error {
  constructor(
    readonly step: string,
    readonly alive: number,
    readonly threshold: number,
  ) {
    super(
      `secure aggregation aborted at ${step}: ${alive} clients left, fewer than the threshold t = ${threshold}; ` +
        'the server cannot rebuild the masks and recovers nothing',
    );
    this.name = 'SecAggAbort';
  }
}

export const defaultThreshold = (n: number): number => Math.max(2, Math.floor((2 * n) / 3) + 1);

const ID_BYTES = 4;

function u32(x: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, x, true);
  return b;
}

interface ClientState {
  c: KeyPair;
  s: KeyPair;
  b: Uint8Array;
  /** Decrypted shares received: peer -> [s share, b share]. */
  held: Map<number, [Uint8Array, Uint8Array]>;
}

export async function secureAggregate(inputs: readonly Uint32Array[], opts: SecAggOptions): Promise<SecAggResult> {
  const n = inputs.length;
  const t = opts.threshold;
  const m = n > 0 ? inputs[0].length : 0;
  if (inputs.some((x) => x.length !== m)) throw new Error('secure aggregation: the inputs differ in length');
  if (n > 255) throw new Error(`secure aggregation of ${n} clients: the Shamir library shares among at most 255`);
  if (!Number.isInteger(t) || t < 2 || t > Math.max(2, n))
    throw new Error(`threshold ${t}: it must be a whole number from 2 to the ${n} clients`);
  const drop = opts.dropouts ?? new Map<number, DropStage>();
  const gone = (u: number, after: DropStage) => {
    const d = drop.get(u);
    return d !== undefined && DROP_STAGES.indexOf(d) <= DROP_STAGES.indexOf(after);
  };
  const bytes: ClientBytes[] = Array.from({ length: n }, () => ({ keys: 0, shares: 0, masked: 0, unmask: 0, sent: 0, received: 0 }));
  const all = Array.from({ length: n }, (_, u) => u);

  // Round 0: AdvertiseKeys
  const U1 = all.filter((u) => !gone(u, 'start'));
  if (U1.length < t) throw new SecAggAbort('AdvertiseKeys', U1.length, t);
  const st = new Map<number, ClientState>();
  for (const u of U1) {
    st.set(u, { c: await generateKeyPair(), s: await generateKeyPair(), b: randomBytes(32), held: new Map() });
    bytes[u].keys += 2 * st.get(u)!.c.publicRaw.length;
  }
  // the server broadcasts U1's keys (id + two keys per peer)
  for (const u of U1) bytes[u].received += (U1.length - 1) * (ID_BYTES + 2 * st.get(u)!.c.publicRaw.length);

  // Round 1: ShareKeys
  const U2 = U1.filter((u) => !gone(u, 'keys'));
  if (U2.length < t) throw new SecAggAbort('ShareKeys', U2.length, t);
  const mailbox = new Map<number, { from: number; sealed: Uint8Array }[]>();
  for (const u of U2) {
    const me = st.get(u)!;
    const sShares = await split(await exportPrivate(me.s.privateKey), U1.length, t);
    const bShares = await split(me.b, U1.length, t);
    for (const [i, v] of U1.entries()) {
      const plain = new Uint8Array(2 * ID_BYTES + sShares[i].length + bShares[i].length);
      plain.set(u32(u), 0);
      plain.set(u32(v), ID_BYTES);
      plain.set(sShares[i], 2 * ID_BYTES);
      plain.set(bShares[i], 2 * ID_BYTES + sShares[i].length);
      if (v === u) {
        me.held.set(u, [sShares[i], bShares[i]]);
        continue;
      }
      const key = await agree(me.c.privateKey, st.get(v)!.c.publicRaw);
      const sealed = await seal(key, plain);
      bytes[u].shares += ID_BYTES + sealed.length;
      const box = mailbox.get(v) ?? [];
      box.push({ from: u, sealed });
      mailbox.set(v, box);
    }
  }

  // Round 2: MaskedInputCollection
  const U3 = U2.filter((u) => !gone(u, 'shares'));
  if (U3.length < t) throw new SecAggAbort('MaskedInputCollection', U3.length, t);
  const masked: Uint32Array[] = [];
  for (const u of U3) {
    const me = st.get(u)!;
    bytes[u].received += U2.length * ID_BYTES;
    for (const { from, sealed } of mailbox.get(u) ?? []) {
      if (!U2.includes(from)) continue;
      bytes[u].received += ID_BYTES + sealed.length;
      const plain = await open(await agree(me.c.privateKey, st.get(from)!.c.publicRaw), sealed);
      const dv = new DataView(plain.buffer, plain.byteOffset);
      if (dv.getUint32(0, true) !== from || dv.getUint32(ID_BYTES, true) !== u) throw new Error('a share reached the wrong client');
      const half = (plain.length - 2 * ID_BYTES) / 2;
      me.held.set(from, [plain.slice(2 * ID_BYTES, 2 * ID_BYTES + half), plain.slice(2 * ID_BYTES + half)]);
    }
    const y = Uint32Array.from(inputs[u]);
    addRing(y, await prg(me.b, m));
    for (const v of U2) {
      if (v === u) continue;
      const seed = await agree(me.s.privateKey, st.get(v)!.s.publicRaw);
      addRing(y, await prg(seed, m), u < v ? 1 : -1);
    }
    masked.push(y);
    bytes[u].masked += 4 * m;
  }

  // Round 4: Unmasking
  const U5 = U3.filter((u) => !gone(u, 'masked'));
  if (U5.length < t) throw new SecAggAbort('Unmasking', U5.length, t);
  const bShares = new Map<number, Uint8Array[]>();
  const sShares = new Map<number, Uint8Array[]>();
  for (const u of U5) {
    const me = st.get(u)!;
    bytes[u].received += U3.length * ID_BYTES;
    for (const v of U2) {
      const h = me.held.get(v);
      if (!h) continue;
      const inU3 = U3.includes(v);
      const share = inU3 ? h[1] : h[0];
      const to = inU3 ? bShares : sShares;
      to.set(v, [...(to.get(v) ?? []), share]);
      if (v !== u) bytes[u].unmask += ID_BYTES + share.length;
    }
  }
  const sum = new Uint32Array(m);
  for (const y of masked) addRing(sum, y);
  let selfMasks = 0;
  let maskKeys = 0;
  for (const v of U3) {
    const shares = bShares.get(v) ?? [];
    if (shares.length < t) throw new SecAggAbort('Unmasking', shares.length, t);
    addRing(sum, await prg(await combine(shares.slice(0, t)), m), -1);
    selfMasks++;
  }
  for (const v of U2.filter((u) => !U3.includes(u))) {
    const shares = sShares.get(v) ?? [];
    if (shares.length < t) throw new SecAggAbort('Unmasking', shares.length, t);
    const sk = await importPrivate(await combine(shares.slice(0, t)), st.get(v)!.s.publicRaw);
    maskKeys++;
    for (const w of U3) {
      // w's vector holds sign(w, v) PRG(s_wv): take it out
      const seed = await agree(sk, st.get(w)!.s.publicRaw);
      addRing(sum, await prg(seed, m), w < v ? -1 : 1);
    }
  }
  for (const b of bytes) b.sent = b.keys + b.shares + b.masked + b.unmask;
  return { sum, included: U3, survivors: U5, masked, bytes, rebuilt: { selfMasks, maskKeys } };
}
