/**
 * Which clients of a federation are malicious: the ids the user named (`--malicious-clients 3,7`,
 * `fl.malc`), or else clients 0 .. count - 1. Free of TensorFlow.js: the panel's settings check it on
 * the main thread, and both simulations (image and text) mark, poison and boost the same clients.
 */

/** Which clients are malicious: an attack's explicit `ids`, or clients 0 .. count - 1. */
export interface MaliciousChoice {
  kind: string;
  count: number;
  /** The malicious clients' ids (any order); absent: the first `count` clients. */
  ids?: readonly number[];
}

/** The malicious clients' ids, ascending (none without an attack). */
export function maliciousIds(a: MaliciousChoice): number[] {
  if (a.kind === 'none') return [];
  return a.ids ? [...a.ids].sort((x, y) => x - y) : Array.from({ length: a.count }, (_, i) => i);
}

/** One-line errors for malicious clients that cannot be: too few or too many, ids out of range or repeated. */
export function checkMalicious(a: MaliciousChoice, clients: number): void {
  if (a.kind === 'none') return;
  if (a.ids) {
    const bad = a.ids.find((c) => !Number.isInteger(c) || c < 0 || c >= clients);
    if (bad !== undefined) throw new Error(`malicious client ${bad} is not one of the ${clients} clients (0 to ${clients - 1})`);
    if (new Set(a.ids).size !== a.ids.length) throw new Error(`the malicious clients ${a.ids.join(',')} name a client twice`);
    if (a.ids.length !== a.count) throw new Error(`${a.ids.length} malicious client ids for ${a.count} malicious clients`);
  }
  if (a.count < 1 || a.count > clients) throw new Error(`${a.count} malicious clients of ${clients}: the attack needs 1 to ${clients}`);
}

/** Whether client `c` is malicious. */
export const isMaliciousClient = (a: MaliciousChoice, c: number): boolean => a.kind !== 'none' && (a.ids ? a.ids.includes(c) : c < a.count);
