/** Fetch a file as bytes, reporting progress as it streams in; honours an AbortSignal. */
export async function fetchBytes(url: string, signal: AbortSignal, onProgress: (done: number, total: number) => void): Promise<Uint8Array> {
  const res = await fetch(url, { signal });
  if (!res.ok) throw new Error(`HTTP ${res.status} for ${new URL(url).pathname}`);
  const total = Number(res.headers.get('content-length') ?? 0) || 0;
  if (!res.body) {
    const bytes = new Uint8Array(await res.arrayBuffer());
    onProgress(bytes.length, bytes.length);
    return bytes;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let done = 0;
  let lastReport = 0;
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    chunks.push(r.value);
    done += r.value.length;
    // at most ~50 progress messages per file
    if (total === 0 || done - lastReport >= total / 50 || done === total) {
      lastReport = done;
      onProgress(done, total);
    }
  }
  const out = new Uint8Array(done);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  onProgress(done, Math.max(total, done));
  return out;
}
