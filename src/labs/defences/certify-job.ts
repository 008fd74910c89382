/** The certification job: randomized smoothing's CERTIFY over test images, with the attack on the smoothed classifier. */
import * as tf from '@tensorflow/tfjs';
import { imagesAsFloats } from '../../core/data/datasets';
import type { WorkerJobContext } from '../../worker/jobs';
import { certifiedAccuracyByRadius, certifySplit, maxCertifiableRadius, type ImageCertificate } from './algorithms/smoothing';
import { empiricalRobustAccuracy } from './algorithms/smooth-attack';
import type { CertifySettings } from './experiment/certify';

export interface CertifyRequest {
  dataset: string;
  settings: CertifySettings;
  /** Noisy samples of the first image to send back (the strip the base model saw). */
  strip: number;
}

export interface CertifyImageRow {
  index: number;
  label: number;
  prediction: number;
  count: number;
  pALower: number;
  radius: number;
}

export interface CertifyOutcome {
  model: string;
  dataset: string;
  backend: string;
  settings: CertifySettings;
  images: CertifyImageRow[];
  /** The first image's certificate in full: its vote histograms and noisy samples. */
  first: CertifyImageRow & {
    counts: number[];
    selectionCounts: number[];
    noisy: Float32Array;
    noisyCount: number;
    shape: [number, number, number];
  };
  radii: number[];
  certified: number[];
  /** Empirical robust accuracy of the smoothed classifier under PGD-L2 + EOT at each radius (null: no attack). */
  empirical: number[] | null;
  maxRadius: number;
  seconds: number;
  samplesPerSecond: number;
}

const row = (c: ImageCertificate): CertifyImageRow => ({
  index: c.index,
  label: c.label,
  prediction: c.prediction,
  count: c.count,
  pALower: c.pALower,
  radius: c.radius,
});

/** CERTIFY over N test images, then (optionally) the PGD-L2 + EOT attack on the smoothed classifier at each radius. */
export async function certifyJob(ctx: WorkerJobContext<CertifyImageRow>, req: CertifyRequest): Promise<CertifyOutcome> {
  const active = ctx.services.model();
  const split = ctx.services.dataset(req.dataset);
  const s = req.settings;
  if (active.card.dataset !== req.dataset) throw new Error(`${active.card.id} is not a model of ${req.dataset}`);
  const start = Math.max(0, Math.min(split.n - 1, s.start));
  const n = Math.max(1, Math.min(split.n - start, s.images));
  const clf = active.loaded.classifier;
  const per = s.samples0 + s.samples;
  const t0 = performance.now();
  let noisy = new Float32Array(0);
  let noisyCount = 0;
  const size = split.shape[0] * split.shape[1] * split.shape[2];
  const label = `Certifying ${n} test image${n === 1 ? '' : 's'} (n = ${s.samples})`;
  ctx.progress({ label, done: 0, total: n, unit: 'images', payload: [] });
  const certs = await certifySplit(clf, split, { start, n }, s, {
    signal: ctx.signal,
    onProgress: (_i, total, samples) =>
      ctx.progress({ label, done: samples / per, total, unit: 'images', rate: samples / per / ((performance.now() - t0) / 1000) }),
    onImage: (c) => ctx.progress({ label, done: certsDone(c, start), total: n, unit: 'images', payload: [row(c)] }),
    onFirstBatch: (pixels, count) => {
      if (noisyCount > 0) return;
      noisyCount = Math.min(req.strip, count);
      noisy = pixels.slice(0, noisyCount * size);
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const certified = certifiedAccuracyByRadius(certs, s.radii);
  let empirical: number[] | null = null;
  if (s.attackSteps > 0) {
    const attackLabel = `PGD-L2 on the smoothed classifier at ${s.radii.length} radii`;
    const images = certs.map((c) => imagesAsFloats(split, c.index, 1));
    empirical = await empiricalRobustAccuracy(
      clf,
      images,
      certs,
      s.radii,
      s,
      { steps: s.attackSteps, samples: s.attackSamples },
      {
        signal: ctx.signal,
        onProgress: (d, t) => ctx.progress({ label: attackLabel, done: d, total: t, unit: 'steps' }),
      },
    );
  }
  const c0 = certs[0];
  return {
    model: active.card.id,
    dataset: req.dataset,
    backend: tf.getBackend(),
    settings: s,
    images: certs.map(row),
    first: {
      ...row(c0),
      counts: Array.from(c0.counts),
      selectionCounts: Array.from(c0.selectionCounts),
      noisy,
      noisyCount,
      shape: split.shape,
    },
    radii: [...s.radii],
    certified,
    empirical,
    maxRadius: maxCertifiableRadius(s.samples, s.alpha, s.sigma),
    seconds,
    samplesPerSecond: (n * per) / seconds,
  };
}

const certsDone = (c: ImageCertificate, start: number) => c.index - start + 1;
