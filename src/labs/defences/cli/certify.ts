/**
 * rlab certify: randomized smoothing's CERTIFY (Cohen, Rosenfeld & Kolter 2019; algorithms/smoothing.ts)
 * on a slice of a test set, with the certified accuracy at each radius. Its flags are the lab's
 * certification fields (experiment/certify.ts: the same as the URL's keys and the panel's controls).
 */
import { getDataset } from '../../../core/data/datasets';
import { initNodeBackend, type NodeBackend } from '../../../core/engine/node-backend';
import { setConvAlgorithm, type ConvAlgorithm } from '../../../core/engine/winograd';
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CertifiedAccuracyEntry, ModelCard } from '../../../core/models/card';
import { projectRoot } from '../../../cli/paths';
import { parse, UsageError } from '../../../cli/args';
import type { Command } from '../../../cli/command';
import { fieldFlags, fieldOptions, readFieldFlags } from '../../../cli/field-flags';
import { loadNodeModel, loadNodeSplit } from '../../../cli/node-io';
import { DEFENCES_SLICE } from '../experiment';
import { CERTIFY_FIELDS, defaultCertify, type CertifySettings } from '../experiment/certify';
import { ABSTAIN, certifiedAccuracyByRadius, certifySplit, maxCertifiableRadius } from '../algorithms/smoothing';

/** The fields `rlab certify` reads (the PGD-L2 attack's belong to the lab's panel). */
const FIELDS = CERTIFY_FIELDS.filter((f) => !f.path.startsWith('certify.attack'));

export const CERTIFY_OPTIONS = {
  model: { type: 'string' },
  dataset: { type: 'string' },
  'data-dir': { type: 'string' },
  backend: { type: 'string', default: 'wasm' },
  json: { type: 'boolean', default: false },
  merge: { type: 'string' },
  card: { type: 'boolean', default: false },
  conv: { type: 'string', default: 'direct' },
  ...fieldOptions(FIELDS),
} as const;

/** The --conv flag: the forward convolution of the wasm engine (core/engine/winograd.ts); winograd needs --backend wasm. */
export function convFlag(value: unknown, backend: unknown = 'wasm'): ConvAlgorithm {
  if (value !== 'direct' && value !== 'winograd') throw new UsageError(`--conv ${String(value)}: use direct or winograd`);
  if (value === 'winograd' && backend !== 'wasm') throw new UsageError('--conv winograd needs --backend wasm');
  return value;
}

export const CONV_FLAG = {
  name: 'conv',
  value: 'direct|winograd',
  help: 'forward convolution in the wasm engine: direct (default, reproduces the cards) or winograd (faster; rounds differently)',
};

/** The settings from the flags (the fields' defaults where absent); a clear message for a bad value. */
export function certifySettingsFromFlags(values: Record<string, unknown>): CertifySettings {
  return readFieldFlags(FIELDS, values, { certify: defaultCertify() }).certify;
}

/** A radius as a JSON key, as Python prints a float ("0.0", "0.25", "1.0"): never an integer-like key, which JavaScript would move to the front. */
export const radiusKey = (r: number) => (Number.isInteger(r) ? r.toFixed(1) : String(r));

/** The JSON `rlab certify --json` prints. */
export interface CertifyJson {
  model: string;
  dataset: string;
  sigma: number;
  n: number;
  samples0: number;
  samples: number;
  alpha: number;
  seed: number;
  certified_accuracy_by_radius: Record<string, number>;
  abstain: number;
  images: { index: number; label: number; prediction: number; count: number; pA_lower: number; radius: number }[];
  seconds: number;
  samples_per_second: number;
  backend: string;
  /** The forward convolution (absent: direct). */
  conv?: ConvAlgorithm;
}

/**
 * Joins outputs of `rlab certify --json` over consecutive slices (same model, data set and settings)
 * into the output of one run over their union: each image's certificate depends only on the seed and
 * its index, so the images are the same; seconds add up.
 */
export function mergeCertifyJson(parts: CertifyJson[], radii: number[]): CertifyJson {
  if (parts.length === 0) throw new UsageError('--merge needs at least one file');
  const head = parts[0];
  const same = (p: CertifyJson) =>
    p.model === head.model &&
    p.dataset === head.dataset &&
    p.sigma === head.sigma &&
    p.samples0 === head.samples0 &&
    p.samples === head.samples &&
    p.alpha === head.alpha &&
    p.seed === head.seed;
  if (!parts.every(same)) throw new UsageError('--merge: the files were made with other models or settings');
  const images = parts.flatMap((p) => p.images).sort((a, b) => a.index - b.index);
  for (let i = 1; i < images.length; i++)
    if (images[i].index !== images[i - 1].index + 1)
      throw new UsageError(`--merge: the slices are not consecutive (image ${images[i - 1].index + 1} is missing or repeated)`);
  const acc = certifiedAccuracyByRadius(images, radii);
  const seconds = parts.reduce((a, p) => a + p.seconds, 0);
  return {
    ...head,
    n: images.length,
    certified_accuracy_by_radius: Object.fromEntries(radii.map((r, i) => [radiusKey(r), acc[i]])),
    abstain: images.filter((c) => c.prediction === ABSTAIN).length / images.length,
    images,
    seconds: Number(seconds.toFixed(3)),
    samples_per_second: Math.round((images.length * (head.samples0 + head.samples)) / seconds),
  };
}

/** The command that reproduces a certification (every setting written out). */
export function commandOf(out: CertifyJson, s: CertifySettings, start: number): string {
  return (
    `npm run --silent rlab -- certify --model ${out.model} --dataset ${out.dataset}` +
    (getDataset(out.dataset).origin === 'imported' ? ' --data-dir <cifar-10-batches-bin>' : '') +
    ` --sigma ${s.sigma} --n ${out.n}` +
    (start ? ` --start ${start}` : '') +
    ` --samples0 ${s.samples0} --samples ${s.samples} --alpha ${s.alpha} --batch ${s.batch} --radii ${s.radii.join(',')} --seed ${s.seed}` +
    (out.conv === 'winograd' ? ' --conv winograd' : '') +
    ' --json'
  );
}

/** Writes the certification into the zoo model's card (models/<id>/card.json). */
function writeCard(out: CertifyJson, s: CertifySettings, start: number): void {
  const path = join(projectRoot(), 'models', out.model, 'card.json');
  if (start !== 0 || !existsSync(path)) throw new UsageError('--card needs a zoo model certified from its first test image (--start 0)');
  const card = JSON.parse(readFileSync(path, 'utf8')) as ModelCard;
  const entry: CertifiedAccuracyEntry = {
    method: 'randomized-smoothing',
    sigma: out.sigma,
    n: out.n,
    samples0: out.samples0,
    samples: out.samples,
    alpha: out.alpha,
    seed: out.seed,
    byRadius: out.certified_accuracy_by_radius,
    abstain: out.abstain,
    command: commandOf(out, s, start),
  };
  card.certifiedAccuracy = [
    ...(card.certifiedAccuracy ?? []).filter((e) => e.sigma !== entry.sigma || e.samples !== entry.samples || e.n !== entry.n),
    entry,
  ];
  writeFileSync(path, JSON.stringify(card, null, 2) + '\n');
}

export async function runCertify(args: string[]): Promise<number> {
  const { values } = parse(args, CERTIFY_OPTIONS);
  const v = values as Record<string, string | boolean | undefined>;
  if (typeof v.merge === 'string') {
    const s = certifySettingsFromFlags(v);
    const parts = v.merge.split(',').map((f) => JSON.parse(readFileSync(f.trim(), 'utf8')) as CertifyJson);
    const out = mergeCertifyJson(parts, s.radii);
    const first = out.images[0].index;
    const settings = { ...s, sigma: out.sigma, samples0: out.samples0, samples: out.samples, alpha: out.alpha, seed: out.seed };
    if (v.card) writeCard(out, settings, first);
    process.stdout.write(JSON.stringify(out) + '\n');
    return 0;
  }
  if (!v.model) throw new UsageError('certify needs --model <zoo-id | path/to/model.json>');
  if (!v.dataset) throw new UsageError('certify needs --dataset <mnist|fashion-mnist|cifar10>');
  const ds = getDataset(v.dataset as string);
  if (v.backend !== 'wasm' && v.backend !== 'cpu')
    throw new UsageError(`--backend ${String(v.backend)} is not available in Node (wasm, cpu)`);
  const s = certifySettingsFromFlags(v);
  const conv = convFlag(v.conv, v.backend);
  const backend = await initNodeBackend(v.backend as NodeBackend);
  setConvAlgorithm(conv);
  const test = await loadNodeSplit(ds.id, 'test', v['data-dir'] as string | undefined);
  if (s.start + s.images > test.n)
    throw new UsageError(`--start ${s.start} --n ${s.images} goes past the ${test.n} test images of ${ds.name}`);
  const model = await loadNodeModel(v.model as string, ds.shape);
  const json = v.json === true;
  const per = s.samples0 + s.samples;
  const t0 = performance.now();
  const images = await certifySplit(model.classifier, test, { start: s.start, n: s.images }, s, {
    onProgress: json
      ? undefined
      : (i, total, samples) => {
          const secs = (performance.now() - t0) / 1000;
          process.stderr.write(`\r${i}/${total} images, ${(samples / Math.max(secs, 1e-3)).toFixed(0)} noisy samples/s   `);
        },
  });
  const seconds = (performance.now() - t0) / 1000;
  if (!json) process.stderr.write('\n');
  const acc = certifiedAccuracyByRadius(images, s.radii);
  const out: CertifyJson = {
    model: model.label,
    dataset: ds.id,
    sigma: s.sigma,
    n: s.images,
    samples0: s.samples0,
    samples: s.samples,
    alpha: s.alpha,
    seed: s.seed,
    certified_accuracy_by_radius: Object.fromEntries(s.radii.map((r, i) => [radiusKey(r), acc[i]])),
    abstain: images.filter((c) => c.prediction === ABSTAIN).length / images.length,
    images: images.map((c) => ({
      index: c.index,
      label: c.label,
      prediction: c.prediction,
      count: c.count,
      pA_lower: c.pALower,
      radius: c.radius,
    })),
    seconds: Number(seconds.toFixed(3)),
    samples_per_second: Math.round((images.length * per) / seconds),
    backend,
    ...(conv === 'winograd' ? { conv } : {}),
  };
  if (v.card) writeCard(out, s, s.start);
  if (json) {
    process.stdout.write(JSON.stringify(out) + '\n');
  } else {
    console.log(
      `model ${out.model}, ${ds.name} test images ${s.start}..${s.start + s.images - 1}, sigma ${s.sigma}, n0 ${s.samples0}, n ${s.samples}, alpha ${s.alpha}, seed ${s.seed}, backend ${backend}`,
    );
    for (const [r, a] of Object.entries(out.certified_accuracy_by_radius))
      console.log(`certified accuracy at radius ${r.padEnd(5)} ${(100 * a).toFixed(2)}%`);
    console.log(`abstained on ${(100 * out.abstain).toFixed(2)}% of the images`);
    console.log(`largest certifiable radius at these n, alpha and sigma: ${maxCertifiableRadius(s.samples, s.alpha, s.sigma).toFixed(4)}`);
    console.log(`${seconds.toFixed(1)} s, ${out.samples_per_second} noisy forward passes per second`);
  }
  model.model.dispose();
  tf.disposeVariables();
  return 0;
}

export const certifyCommand: Command = {
  name: 'certify',
  summary: 'certified L2 robustness by randomized smoothing (Cohen et al. 2019): one JSON object with --json',
  flags: [
    {
      name: 'model',
      value: 'zoo-id | model.json',
      help: 'the base classifier (a zoo model or a TensorFlow.js LayersModel)',
      required: true,
    },
    { name: 'dataset', value: 'mnist|fashion-mnist|cifar10', help: 'the test set', required: true },
    ...fieldFlags(FIELDS, { certify: defaultCertify() }, { urlPrefix: DEFENCES_SLICE.prefix }),
    { name: 'data-dir', value: 'dir', help: 'CIFAR-10 binary batches (cifar-10-batches-bin)' },
    { name: 'backend', value: 'wasm|cpu', help: 'TensorFlow.js backend in Node (wasm)' },
    CONV_FLAG,
    { name: 'json', help: 'print one JSON object' },
    { name: 'card', help: "write the figures into the zoo model's card (models/<id>/card.json)" },
    { name: 'merge', value: 'a.json,b.json', help: 'join --json outputs over consecutive slices into one (no sampling; --radii applies)' },
  ],
  notes: [
    'prediction -1 = abstain; count = nA (estimation votes for the class the n0 selection samples chose); abstain = the fraction of images abstained on.',
    'pA_lower = beta.ppf(alpha, nA, n - nA + 1) (one-sided Clopper-Pearson); radius = sigma * PhiInverse(pA_lower); abstains when pA_lower < 0.5.',
  ],
  run: runCertify,
};
