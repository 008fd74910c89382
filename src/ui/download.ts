/**
 * Saving a file made in the page. The object URL is made at the click and released a minute later
 * (a download has started by then): a URL made during render and revoked by an effect's cleanup broke
 * every Download link under `npm start`, where React's StrictMode runs each effect's cleanup once at
 * mount (ERR_FILE_NOT_FOUND on the blob URL; a production build has no such double run).
 */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A canvas as a PNG file. */
export function saveCanvasPng(canvas: HTMLCanvasElement, filename: string): Promise<void> {
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (b) => (b ? (saveBlob(b, filename), resolve()) : reject(new Error('the image could not be encoded as PNG'))),
      'image/png',
    ),
  );
}

/**
 * An SVG chart (recharts draws SVG) as a PNG file, at `scale` times its size on screen, on the page's
 * background colour: the SVG is serialised with its computed text colours and drawn on a canvas.
 */
export async function saveSvgPng(svg: SVGSVGElement, filename: string, scale = 2): Promise<void> {
  const { width, height } = svg.getBoundingClientRect();
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('width', String(width));
  copy.setAttribute('height', String(height));
  const style = getComputedStyle(svg);
  copy.setAttribute('style', `font-family:${style.fontFamily};font-size:${style.fontSize};color:${style.color}`);
  const src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(new XMLSerializer().serializeToString(copy));
  const img = new Image();
  await new Promise<void>((resolve, reject) => {
    img.onload = () => resolve();
    img.onerror = () => reject(new Error('the chart could not be drawn as an image'));
    img.src = src;
  });
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = getComputedStyle(document.body).backgroundColor || '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.scale(scale, scale);
  ctx.drawImage(img, 0, 0, width, height);
  await saveCanvasPng(canvas, filename);
}
