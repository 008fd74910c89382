/**
 * The attacks lab's actions for its panels: run the studio's attack on one image (with a comparison
 * model, or step by step), and the batch robustness check. Each is one job of the shared job runner
 * (src/ui/jobs.ts) calling the lab's worker jobs (../jobs.ts); several run at once.
 */
import { ATTACKS } from '../algorithms/registry';
import type { AttackParams } from '../../experiment';
import { afterReconcile, appendTrace, computeClient } from '../../../ui/controller';
import { runJob } from '../../../ui/jobs';
import { batchBusy, studioBusy, useLab } from '../../../ui/store';

const get = useLab.getState;
const set = useLab.setState;

/** Attacks whose k-th iterate does not depend on the number of steps asked for: they can be stepped by replaying k steps. */
export function canStep(a: AttackParams): boolean {
  const def = ATTACKS[a.name];
  return !!def?.steppable && (!def.params.includes('restarts') || a.restarts === 1);
}

/** The experiment's defence for a worker request (nothing when it names no transform). */
function defenceOf(e: { defence?: { transforms: string; adaptive: 'none' | 'bpda' | 'eot'; eotSamples: number } }) {
  const d = e.defence;
  return d && d.transforms.trim() !== '' ? { defence: { transforms: d.transforms, adaptive: d.adaptive, eotSamples: d.eotSamples } } : {};
}

function launchAttack(stepTo: number | null): void {
  const s = get();
  const e = s.experiment;
  const custom = s.custom;
  if (studioBusy(s) || !s.model || s.model.dataset !== e.dataset || !s.dataset || e.attack.name === 'none') return;
  if (!custom && s.dataset.missing) return;
  const attack = stepTo === null ? { ...e.attack } : { ...e.attack, steps: stepTo };
  const request = {
    dataset: e.dataset,
    sample: e.sample,
    attack,
    ...(custom ? { image: custom.image.pixels } : {}),
    ...defenceOf(e),
  };
  const what = custom ? 'your picture' : `test image ${e.sample}`;
  const label = `${ATTACKS[e.attack.name].label} on ${what}${stepTo === null ? '' : ` (${stepTo} of ${e.attack.steps} steps)`}`;
  const compareCard =
    stepTo === null && s.compareModel && s.compareModel !== s.model.id
      ? s.catalog?.models.find((m) => m.id === s.compareModel && m.dataset === e.dataset)
      : undefined;
  set({
    attackError: null,
    liveTrace: [],
    compare: null,
    compareError: null,
    ...(stepTo === null ? { stepper: null, attack: null } : {}),
  });
  void (async () => {
    const r = await runJob({
      kind: 'attack',
      label,
      cancellable: true,
      usesModel: true,
      after: afterReconcile,
      call: (jobId, onProgress) => computeClient().run('attacks', 'attack', { jobId, ...request }, onProgress),
      onPayload: appendTrace,
    });
    let next = false;
    if (r.ok) {
      const outcome = r.value;
      set({ attack: outcome, memory: outcome.memory });
      if (outcome.adversarial) set({ liveTrace: outcome.adversarial.trace });
      if (stepTo !== null) {
        const playing = outcome.status === 'done' && (get().stepper?.playing ?? false) && stepTo < e.attack.steps;
        set({ stepper: { k: outcome.status === 'done' ? stepTo : (get().stepper?.k ?? 0), playing } });
        next = playing;
      }
    } else {
      if (stepTo !== null) set({ stepper: { k: get().stepper?.k ?? 0, playing: false } });
      set({ attackError: r.reason === 'gone' ? 'The attack was stopped and the compute worker restarted.' : r.message });
    }
    if (next) setTimeout(() => get().stepper?.playing && stepAttack(), 30);
    // the comparison runs right after the main attack, as its own cancellable job
    if (!compareCard || get().attack?.status !== 'done') return;
    const c = await runJob({
      kind: 'attack',
      label: `${label} against ${compareCard.id}`,
      cancellable: true,
      usesModel: true,
      after: afterReconcile,
      call: (jobId, onProgress) => computeClient().run('attacks', 'attack', { jobId, ...request, model: compareCard }, onProgress),
    });
    if (c.ok) set({ compare: c.value, memory: c.value.memory });
    else set({ compareError: c.reason === 'gone' ? 'The comparison was stopped and the compute worker restarted.' : c.message });
  })();
}

export function runAttack(): void {
  launchAttack(null);
}

/** One more step: replays the attack from its start (same seed) for k + 1 steps. */
export function stepAttack(): void {
  const e = get().experiment;
  const k = get().stepper?.k ?? 0;
  if (!canStep(e.attack) || k >= e.attack.steps) return;
  launchAttack(k + 1);
}

export function playAttack(): void {
  const k = get().stepper?.k ?? 0;
  const e = get().experiment;
  if (!canStep(e.attack) || studioBusy(get())) return;
  set({ stepper: { k: k >= e.attack.steps ? 0 : k, playing: true } });
  stepAttack();
}

export function pauseAttack(): void {
  const st = get().stepper;
  if (st) set({ stepper: { ...st, playing: false } });
}

export function resetStepper(): void {
  if (studioBusy(get())) return;
  set({ stepper: { k: 0, playing: false }, attack: null, liveTrace: [], attackError: null });
}

/** Robustness check with the experiment's attack over the test images its batch settings name (they are in the link). */
export function runBatch(): void {
  const s = get();
  const e = s.experiment;
  if (
    batchBusy(s) ||
    !s.model ||
    s.model.dataset !== e.dataset ||
    !s.dataset ||
    s.dataset.missing ||
    e.attack.name === 'none' ||
    !s.catalog
  )
    return;
  const b = e.batch;
  const extraModels = s.catalog.models.filter((m) => m.dataset === e.dataset && b.models.includes(m.id) && m.id !== s.model!.id);
  const start = Math.max(0, Math.min(s.dataset.n - 1, b.start));
  const n = Math.max(1, Math.min(s.dataset.n - start, Math.round(b.n)));
  const request = {
    dataset: e.dataset,
    start,
    n,
    attack: { ...e.attack },
    epsilons: [...b.epsilons],
    batchSize: ATTACKS[e.attack.name].blackBox ? 20 : 50,
    extraModels,
    maxExamples: 12,
    ...defenceOf(e),
  };
  const models = 1 + extraModels.length;
  // the counter runs over images x models: the label names both
  const label = `${ATTACKS[e.attack.name].label} on ${n} test images${models > 1 ? ` × ${models} models` : ''}`;
  set({ batchError: null, batch: null });
  void (async () => {
    const r = await runJob({
      kind: 'batch',
      label,
      cancellable: true,
      usesModel: true,
      after: afterReconcile,
      call: (jobId, onProgress) => computeClient().run('attacks', 'robustness', { jobId, ...request }, onProgress),
    });
    if (r.ok) set({ batch: r.value, memory: r.value.memory });
    else set({ batchError: r.reason === 'gone' ? 'The check was stopped and the compute worker restarted.' : r.message });
  })();
}
