import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { syntheticCifar } from '../core/data/cifar-fixtures';
import { deleteImported, listImported, loadImported, openStore, quotaProblem, saveImported } from './imported-store';

let dbSeq = 0;
const info = (source: string) => ({
  id: 'cifar10',
  name: 'CIFAR-10 test split',
  importedAt: '2025-01-01T00:00:00.000Z',
  source,
  notes: [],
});

describe('imported data sets in IndexedDB', () => {
  it('stores, lists, loads, replaces and deletes a split', async () => {
    const db = await openStore(`test-${++dbSeq}`);
    expect(await listImported(db)).toEqual([]);
    expect(await loadImported(db, 'cifar10')).toBeNull();
    const a = syntheticCifar(5, 1);
    const saved = await saveImported(db, info('a.tar.gz'), a);
    expect(saved).toMatchObject({ id: 'cifar10', n: 5, shape: [32, 32, 3], bytes: 5 * 3072 + 5, source: 'a.tar.gz' });
    expect(await listImported(db)).toEqual([saved]);
    const got = await loadImported(db, 'cifar10');
    expect(got?.split.pixels).toEqual(a.pixels);
    expect(got?.split.labels).toEqual(a.labels);
    const b = syntheticCifar(3, 2);
    await saveImported(db, info('b.tar'), b);
    expect((await loadImported(db, 'cifar10'))?.split.pixels).toEqual(b.pixels);
    expect((await listImported(db)).map((x) => x.source)).toEqual(['b.tar']);
    await deleteImported(db, 'cifar10');
    expect(await listImported(db)).toEqual([]);
    expect(await loadImported(db, 'cifar10')).toBeNull();
    db.close();
  });

  it('refuses an inconsistent split without touching the stored one', async () => {
    const db = await openStore(`test-${++dbSeq}`);
    const a = syntheticCifar(2);
    await saveImported(db, info('a'), a);
    await expect(saveImported(db, info('bad'), { ...a, labels: new Uint8Array(5) })).rejects.toThrow(/inconsistent/);
    expect((await loadImported(db, 'cifar10'))?.info.source).toBe('a');
    db.close();
  });

  it('reports a damaged stored copy', async () => {
    const db = await openStore(`test-${++dbSeq}`);
    await saveImported(db, info('a'), syntheticCifar(2));
    await db.put('splits', { id: 'cifar10', n: 2, shape: [32, 32, 3], pixels: new Uint8Array(100), labels: new Uint8Array(2) });
    await expect(loadImported(db, 'cifar10')).rejects.toThrow(/incomplete or damaged/);
    db.close();
  });

  it('says when the quota is too small', () => {
    expect(quotaProblem(30e6, { usage: 1e6, quota: 100e6 })).toBeNull();
    expect(quotaProblem(30e6, {})).toBeNull();
    expect(quotaProblem(30e6, { usage: 90e6, quota: 100e6 })).toMatch(/store 10.0 MB more, and the test split needs 30.0 MB/);
  });
});
