/**
 * A training run's state on disk (runs/<recipe>/state-seed<seed>/): `state.json` plus the tensors in
 * `state.bin`, written after every epoch (to a temporary folder, then renamed), so a stopped
 * `rlab train` resumes from its last finished epoch.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckpointStore, TrainState } from '../core/train/train';

type Json = Omit<TrainState, 'weights' | 'optimizer' | 'best'> & {
  weights: number[];
  optimizer: number[];
  best: { score: number; epoch: number; weights: number[] } | null;
};

export function fileCheckpointStore(dir: string): CheckpointStore & { clear(): void; exists(): boolean } {
  const lengths = (a: Float32Array[]) => a.map((t) => t.length);
  return {
    exists: () => existsSync(join(dir, 'state.json')),
    clear: () => rmSync(dir, { recursive: true, force: true }),
    async load() {
      if (!existsSync(join(dir, 'state.json'))) return null;
      const j = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as Json;
      const bin = readFileSync(join(dir, 'state.bin'));
      const all = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
      let k = 0;
      const take = (ls: number[]) =>
        ls.map((n) => {
          const t = all.slice(k, k + n);
          k += n;
          if (t.length !== n) throw new Error(`${dir}/state.bin is truncated: delete the folder to start over`);
          return t;
        });
      const state: TrainState = {
        ...j,
        weights: take(j.weights),
        optimizer: take(j.optimizer),
        best: j.best && { ...j.best, weights: take(j.best.weights) },
      };
      if (k !== all.length) throw new Error(`${dir}/state.bin has ${all.length - k} values too many: delete the folder to start over`);
      return state;
    },
    async save(s) {
      const tmp = `${dir}.tmp`;
      rmSync(tmp, { recursive: true, force: true });
      mkdirSync(tmp, { recursive: true });
      const parts = [...s.weights, ...s.optimizer, ...(s.best?.weights ?? [])];
      const total = parts.reduce((n, p) => n + p.length, 0);
      const all = new Float32Array(total);
      let k = 0;
      for (const p of parts) {
        all.set(p, k);
        k += p.length;
      }
      const j: Json = {
        ...s,
        weights: lengths(s.weights),
        optimizer: lengths(s.optimizer),
        best: s.best && { score: s.best.score, epoch: s.best.epoch, weights: lengths(s.best.weights) },
      };
      writeFileSync(join(tmp, 'state.bin'), new Uint8Array(all.buffer));
      writeFileSync(join(tmp, 'state.json'), JSON.stringify(j));
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
    },
  };
}
