import { readFile } from 'node:fs/promises';
import { test, expect } from './fixtures';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

test('the test image saves as a PNG of its pixels', async ({ lab }) => {
  await lab.open('#v=2');
  await lab.prediction();
  const [download] = await Promise.all([lab.page.waitForEvent('download'), lab.page.getByTestId('image-png').click()]);
  expect(download.suggestedFilename()).toBe('mnist-test-0.png');
  const bytes = new Uint8Array(await readFile((await download.path())!));
  expect([...bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  // IHDR: the canvas's size on screen (252 x 252 CSS pixels at device scale 1)
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  expect([view.getUint32(16), view.getUint32(20)]).toEqual(await lab.imageCanvas.evaluate((c: HTMLCanvasElement) => [c.width, c.height]));
});
