/**
 * TensorFlow.js's CPU backend prints, on its first tensor in Node.js, a banner that advises installing
 * tfjs-node ("Hi, looks like you are running TensorFlow.js in Node.js ..."). The lab runs the wasm
 * backend in Node on purpose (the browser's kernels, no native build), so the banner is noise: the CLI,
 * the Node backend set-up and the unit tests drop it. Only that message: every other warning passes
 * (TensorFlow.js's own switch, the PROD flag, would silence all of them).
 */
const BANNER = /looks like you are running TensorFlow\.js in Node\.js/;

/** True for the banner's text. */
export const isTfjsNodeBanner = (first: unknown): boolean => typeof first === 'string' && BANNER.test(first);

/** `warn` without the banner. */
export function withoutTfjsNodeBanner(warn: (...args: unknown[]) => void): (...args: unknown[]) => void {
  return (...args: unknown[]) => {
    if (!isTfjsNodeBanner(args[0])) warn(...args);
  };
}

let installed = false;

/** Drops the banner from console.warn in this process (once; later calls do nothing). */
export function silenceTfjsNodeBanner(): void {
  if (installed) return;
  installed = true;
  console.warn = withoutTfjsNodeBanner(console.warn.bind(console));
}
