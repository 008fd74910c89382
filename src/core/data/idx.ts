/**
 * IDX file format (LeCun's MNIST format): a big-endian header
 *   0x00 0x00 <type> <ndims>, then ndims uint32 sizes, then the data.
 * Only unsigned bytes (type 0x08) are used by MNIST-style data sets.
 */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

export class IdxFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdxFormatError';
  }
}

const UBYTE = 0x08;

export function parseIdx(bytes: Uint8Array, what = 'IDX file'): IdxArray {
  if (bytes.length < 4) {
    throw new IdxFormatError(`${what}: ${bytes.length} bytes is too short for an IDX header`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new IdxFormatError(`${what}: not an IDX file (magic number must start with two zero bytes)`);
  }
  const type = bytes[2];
  const ndims = bytes[3];
  if (type !== UBYTE) {
    throw new IdxFormatError(`${what}: element type 0x${type.toString(16)} is not supported (only unsigned bytes, 0x08)`);
  }
  if (ndims < 1 || ndims > 4) {
    throw new IdxFormatError(`${what}: ${ndims} dimensions is not a valid image or label file`);
  }
  const headerLength = 4 + 4 * ndims;
  if (bytes.length < headerLength) {
    throw new IdxFormatError(`${what}: truncated header (${bytes.length} of ${headerLength} bytes)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    if (d === 0) throw new IdxFormatError(`${what}: dimension ${i} is zero`);
    dims.push(d);
    count *= d;
  }
  const expected = headerLength + count;
  if (bytes.length < expected) {
    throw new IdxFormatError(
      `${what}: truncated: header promises ${count} values (${dims.join('x')}) but only ${bytes.length - headerLength} follow`,
    );
  }
  if (bytes.length > expected) {
    throw new IdxFormatError(`${what}: ${bytes.length - expected} unexpected bytes after the data`);
  }
  return { dims, data: bytes.subarray(headerLength, expected) };
}

/** Encode an IDX ubyte file (used by tests and the data preparation step). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + data.length);
  const view = new DataView(out.buffer);
  out[2] = UBYTE;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, header);
  return out;
}
