import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { ModelCard } from '../../../core/models/card';
import {
  deleteRun,
  deleteUserModel,
  freeId,
  getUserModel,
  listUserModels,
  loadRun,
  openUserStore,
  saveRun,
  saveUserModel,
  USER_RECIPE,
} from './user-models';

let seq = 0;
const card = (id: string): ModelCard =>
  ({
    schema: 1,
    id,
    dataset: 'mnist',
    inputShape: [28, 28, 1],
    classNames: [],
    recipe: USER_RECIPE,
    weights: [{ path: 'weights.bin', sha256: 'b'.repeat(64), bytes: 4 }],
  }) as unknown as ModelCard;

describe("the user's models in IndexedDB", () => {
  it('stores, lists, reads and deletes models; refuses a card that is not the user’s', async () => {
    const db = await openUserStore(`test-user-${++seq}`);
    expect((await listUserModels(db)).cards).toEqual([]);
    await saveUserModel(db, {
      id: 'my-a',
      card: card('my-a'),
      json: new Uint8Array([1]),
      weights: [{ path: 'weights.bin', bytes: new Uint8Array(4) }],
    });
    await saveUserModel(db, { id: 'my-b', card: card('my-b'), json: new Uint8Array([2]), weights: [] });
    expect((await listUserModels(db)).cards.map((c) => c.id)).toEqual(['my-a', 'my-b']);
    expect(Array.from((await getUserModel(db, 'my-a'))!.json)).toEqual([1]);
    await expect(
      saveUserModel(db, { id: 'mnist-cnn', card: { ...card('mnist-cnn'), recipe: 'mnist-cnn' }, json: new Uint8Array(), weights: [] }),
    ).rejects.toThrow(/not a card of a model of yours/);
    await deleteUserModel(db, 'my-a');
    expect((await listUserModels(db)).cards.map((c) => c.id)).toEqual(['my-b']);
    expect(await getUserModel(db, 'my-a')).toBeNull();
  });

  it('keeps one run in progress', async () => {
    const db = await openUserStore(`test-user-${++seq}`);
    expect(await loadRun(db)).toBeNull();
    await saveRun(db, { request: { a: 1 }, state: null, log: { n: 1 } });
    await saveRun(db, { request: { a: 2 }, state: null, log: { n: 2 } });
    expect((await loadRun<{ a: number }, { n: number }>(db))!.request.a).toBe(2);
    await deleteRun(db);
    expect(await loadRun(db)).toBeNull();
  });

  it('gives new models free, URL-safe ids', () => {
    expect(freeId('mnist-pgd', [])).toBe('my-mnist-pgd');
    expect(freeId('mnist-pgd', ['my-mnist-pgd', 'my-mnist-pgd-2'])).toBe('my-mnist-pgd-3');
    expect(freeId('my-Fashion MNIST/pgd', [])).toBe('my-fashion-mnist-pgd');
    expect(freeId('mnist-dp-sigma1.3', ['my-mnist-dp-sigma1.3'])).toBe('my-mnist-dp-sigma1.3-2');
    expect(freeId('.x.', [])).toBe('my-x');
  });
});
