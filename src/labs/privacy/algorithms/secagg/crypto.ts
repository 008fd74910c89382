/**
 * The cryptographic primitives of secure aggregation (Bonawitz et al. 2017, section 3), all through
 * WebCrypto (`crypto.subtle`, the browser's and Node's globalThis.crypto):
 * - key agreement KA: ECDH on P-256; the agreed 256 bits go through SHA-256 (the paper: "KA.agree
 *   ... composed with a hash function") to give a 32-byte seed or key;
 * - the PRG: AES-256-CTR keyed by the seed, counter block 0, encrypting zeros, read as little-endian
 *   Uint32 words (the paper only asks for a secure PRG; the Google reference uses AES-CTR too);
 * - authenticated encryption of the secret shares between two clients: AES-256-GCM with a random
 *   96-bit IV under the key agreed from their encryption key pairs (c_u, c_v).
 * Secret sharing is the audited `shamir-secret-sharing` library (GF(2^8) byte-wise Shamir, at most
 * 255 shares: the paper shares over a prime field, which does not cap the number of users).
 */

const subtle = (): SubtleCrypto => {
  const c = globalThis.crypto;
  if (!c?.subtle) throw new Error('secure aggregation needs WebCrypto (crypto.subtle): a secure context or Node 20+');
  return c.subtle;
};

export const EC = { name: 'ECDH', namedCurve: 'P-256' } as const;
/** Bytes of an uncompressed P-256 public key (0x04 || x || y). */
export const PUBLIC_KEY_BYTES = 65;
/** Bytes of a P-256 private scalar. */
export const PRIVATE_KEY_BYTES = 32;
export const IV_BYTES = 12;
export const GCM_TAG_BYTES = 16;

export interface KeyPair {
  privateKey: CryptoKey;
  /** The raw uncompressed public key (what is sent). */
  publicRaw: Uint8Array;
}

export async function generateKeyPair(): Promise<KeyPair> {
  const kp = (await subtle().generateKey(EC, true, ['deriveBits'])) as CryptoKeyPair;
  const publicRaw = new Uint8Array(await subtle().exportKey('raw', kp.publicKey));
  return { privateKey: kp.privateKey, publicRaw };
}

const b64u = (b: Uint8Array): string => {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};
const unb64u = (s: string): Uint8Array => {
  const t = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(t, (ch) => ch.charCodeAt(0));
};

/** The private scalar d (32 bytes), the secret a client shares so that its masks can be rebuilt. */
export async function exportPrivate(k: CryptoKey): Promise<Uint8Array> {
  const jwk = await subtle().exportKey('jwk', k);
  if (!jwk.d) throw new Error('the private key did not export');
  return unb64u(jwk.d);
}

/** The private key from its scalar and its (public) raw public key, as the server rebuilds it. */
export async function importPrivate(d: Uint8Array, publicRaw: Uint8Array): Promise<CryptoKey> {
  const jwk: JsonWebKey = {
    kty: 'EC',
    crv: 'P-256',
    d: b64u(d),
    x: b64u(publicRaw.subarray(1, 33)),
    y: b64u(publicRaw.subarray(33, 65)),
    ext: true,
  };
  return subtle().importKey('jwk', jwk, EC, true, ['deriveBits']);
}

/** KA.agree: SHA-256 of the ECDH shared secret of my private key and the other's raw public key. */
export async function agree(mine: CryptoKey, otherPublicRaw: Uint8Array): Promise<Uint8Array> {
  const pub = await subtle().importKey('raw', otherPublicRaw as BufferSource, EC, false, []);
  const bits = await subtle().deriveBits({ name: 'ECDH', public: pub }, mine, 256);
  return new Uint8Array(await subtle().digest('SHA-256', bits));
}

/** PRG(seed): `length` uniform words of Z_2^32 from AES-256-CTR keyed by the 32-byte seed. */
export async function prg(seed: Uint8Array, length: number): Promise<Uint32Array> {
  const key = await subtle().importKey('raw', seed as BufferSource, { name: 'AES-CTR' }, false, ['encrypt']);
  const out = await subtle().encrypt({ name: 'AES-CTR', counter: new Uint8Array(16), length: 64 }, key, new Uint8Array(4 * length));
  return new Uint32Array(out);
}

export function randomBytes(n: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

/** AE.enc under a 32-byte agreed key: IV || ciphertext+tag. */
export async function seal(key: Uint8Array, plain: Uint8Array): Promise<Uint8Array> {
  const k = await subtle().importKey('raw', key as BufferSource, { name: 'AES-GCM' }, false, ['encrypt']);
  const iv = randomBytes(IV_BYTES);
  const ct = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv: iv as BufferSource }, k, plain as BufferSource));
  const out = new Uint8Array(IV_BYTES + ct.length);
  out.set(iv);
  out.set(ct, IV_BYTES);
  return out;
}

/** AE.dec; throws when the ciphertext was not made under this key. */
export async function open(key: Uint8Array, sealed: Uint8Array): Promise<Uint8Array> {
  const k = await subtle().importKey('raw', key as BufferSource, { name: 'AES-GCM' }, false, ['decrypt']);
  const iv = sealed.subarray(0, IV_BYTES);
  return new Uint8Array(await subtle().decrypt({ name: 'AES-GCM', iv: iv as BufferSource }, k, sealed.subarray(IV_BYTES) as BufferSource));
}
