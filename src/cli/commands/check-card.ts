/**
 * `rlab check-card --model <zoo-id> [--tolerance 0.5] [--data-dir <CIFAR-10 binary folder>]`: re-measures every figure of a model card
 * with the same evaluation code and settings as `rlab eval`, and prints card vs measured. Exits 1 if
 * any figure differs by more than the tolerance (in percentage points).
 */
import { getDataset } from '../../core/data/datasets';
import { attackRunner } from '../../labs/attacks/index';
import { robustEntrySpec } from '../../core/models/card';
import { evaluate, type EvalAttack } from '../../core/eval/evaluate';
import { initNodeBackend } from '../../core/engine/node-backend';
import { sliceSplit } from '../../core/data/batches';
import { num, parse, UsageError } from '../args';
import { loadNodeModel, loadNodeSplit } from '../node-io';
import { isTextModelCard } from '../../core/models/text-model';
import { checkTextCard } from './train-text';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../paths';

/** models/<id>/card.json as JSON, or null. */
function readZooCard(id: string): unknown {
  const p = join(projectRoot(), 'models', id, 'card.json');
  return /^[a-z0-9][a-z0-9.-]*$/.test(id) && existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as unknown) : null;
}

export async function runCheckCard(args: string[]): Promise<number> {
  const { values } = parse(args, { model: { type: 'string' }, tolerance: { type: 'string' }, 'data-dir': { type: 'string' } });
  if (!values.model) throw new UsageError('check-card needs --model <zoo-id>');
  const tolerance = num(values.tolerance, 'tolerance', 0.5, (v) => v >= 0, 'a number of percentage points >= 0');
  if (isTextModelCard(readZooCard(values.model))) return checkTextCard(values.model, tolerance);
  await initNodeBackend('wasm');
  const m = await loadNodeModel(values.model);
  if (!m.card) throw new UsageError(`${values.model} is not a zoo model with a card`);
  const card = m.card;
  const ds = getDataset(card.dataset);
  const test = await loadNodeSplit(ds.id, 'test', values['data-dir']);
  const rows: { what: string; card: number; measured: number }[] = [];
  const check = async (what: string, cardValue: number, n: number, attack: EvalAttack) => {
    const r = await evaluate(m.classifier, sliceSplit(test, 0, n), attack);
    const measured = attack.attack === 'none' ? r.cleanAccuracy : r.robustAccuracy;
    rows.push({ what, card: cardValue, measured });
    console.log(
      `${what.padEnd(48)} card ${(100 * cardValue).toFixed(2).padStart(6)}%   measured ${(100 * measured).toFixed(2).padStart(6)}%`,
    );
  };
  await check(`clean accuracy (${card.cleanAccuracy.n} images)`, card.cleanAccuracy.accuracy, card.cleanAccuracy.n, { attack: 'none' });
  for (const e of card.robustAccuracy) {
    await check(`${e.attack.toUpperCase()}-${e.steps} ${e.norm} eps ${e.eps} (${e.n} images)`, e.accuracy, e.n, {
      attack: 'run',
      run: attackRunner(robustEntrySpec(e)),
    });
  }
  const worst = Math.max(...rows.map((r) => Math.abs(r.card - r.measured) * 100));
  console.log(`largest difference ${worst.toFixed(2)} points (tolerance ${tolerance})`);
  return worst <= tolerance ? 0 : 1;
}
