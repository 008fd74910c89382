/**
 * The camera path of "Your own picture", through Chromium's fake capture device (a moving test
 * pattern) with the permission prompt accepted. The flags force a browser of their own, so these
 * tests live in a file of their own (Playwright allows launchOptions only at the top of a file).
 */
import { CIFAR10_CLASSES } from '../src/core/data/cifar';
import { QUIET_FLAGS, WEBGL_FLAGS } from '../src/cli/chromium';
import { tinyCifarModel } from './cifar-files';
import { expect, test } from './fixtures';

// the webgl project's launch options plus the fake camera (the file has no @webgpu test)
test.use({
  launchOptions: {
    executablePath: process.env.RLAB_CHROMIUM || undefined,
    args: [...QUIET_FLAGS, ...WEBGL_FLAGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
  },
});

const classNames = CIFAR10_CLASSES as readonly string[];

test('a frame taken with the camera becomes the 32x32 picture the model classifies', async ({ cifar, consoleErrors }) => {
  await cifar.open('#v=1&backend=webgl&ds=cifar10');
  await cifar.settled();
  await cifar.loadOwnModel(await tinyCifarModel());
  await cifar.page.getByTestId('camera-open').click();
  const video = cifar.page.getByTestId('camera-video');
  await expect(video).toBeVisible();
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.videoWidth * v.videoHeight)).toBeGreaterThan(0);
  const [w, h] = await video.evaluate((v: HTMLVideoElement) => [v.videoWidth, v.videoHeight]);
  await cifar.page.getByTestId('camera-take').click();

  await expect(cifar.picturePreview).toBeVisible();
  await expect(video).toHaveCount(0); // the camera closes once the frame is taken
  await expect(cifar.page.getByTestId('picture-size')).toHaveText('32x32 RGB');
  await expect(cifar.page.getByTestId('picture-view')).toContainText(`camera picture (${w}x${h})`);
  expect(await cifar.picturePreview.evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([32, 32]);
  // the fake device's test pattern, not one flat colour (a blank frame)
  const rgb = (await cifar.canvasPixels(cifar.picturePreview)).filter((_, i) => i % 4 !== 3);
  expect(new Set(rgb).size).toBeGreaterThan(2);
  await expect(cifar.picturePredicted).toHaveAttribute('data-class', /^[0-9]$/);
  const predicted = Number(await cifar.picturePredicted.getAttribute('data-class'));
  await expect(cifar.picturePredicted).toHaveText(classNames[predicted]);
  expect(consoleErrors).toEqual([]);
});
