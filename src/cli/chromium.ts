/**
 * Chromium for the real-browser tests and `rlab bench-browser`: where to find it and the flags that
 * give headless WebGL and WebGPU through SwiftShader (../shared/notes/environment.md). Both GPU
 * paths are CPU emulations on a machine without a GPU: correct, but slow.
 */
import { existsSync } from 'node:fs';

/** Flags every run needs (a closed network otherwise floods errors). */
export const QUIET_FLAGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** WebGL through SwiftShader. */
export const WEBGL_FLAGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

/** WebGPU through SwiftShader's Vulkan (without these, requestAdapter() returns null headless). */
export const WEBGPU_FLAGS = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-angle=vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--disable-vulkan-surface',
  '--enable-unsafe-swiftshader',
];

/** $CHROMIUM_PATH, else Debian's /usr/bin/chromium, else Playwright's own browser where one is installed (e2e/run.mjs and bench-browser). */
export async function findChromium(): Promise<string | null> {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  try {
    const { chromium } = await import('@playwright/test');
    const own = chromium.executablePath();
    if (own && existsSync(own)) return own;
  } catch {
    // no Playwright browser installed
  }
  return null;
}

/** Why findChromium() found nothing and how to get a Chromium, in one line. */
export function chromiumNotFound(env: NodeJS.ProcessEnv = process.env): string {
  return env.CHROMIUM_PATH
    ? `CHROMIUM_PATH=${env.CHROMIUM_PATH} does not exist; point it at a Chromium binary or install one with: apt-get install chromium`
    : 'no Chromium found; install one with `apt-get install chromium` or set CHROMIUM_PATH=/path/to/chromium';
}
