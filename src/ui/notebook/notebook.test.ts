import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { cloneExperiment, DEFAULT_EXPERIMENT, decodeExperiment } from '../../labs/experiment';
import { describeExperiment, importNotebook, listEntries, makeEntry, notebookJson, parseNotebook, saveEntry } from './notebook';

const e = cloneExperiment(DEFAULT_EXPERIMENT);
e.attack.seed = 5;
e.attack.eps = 0.1;
e.sample = 6;

describe('lab notebook', () => {
  it('an entry carries the full experiment (every setting, seeds included) and a link that reopens it', () => {
    const x = makeEntry(e, 'run', '', { attack: { success: true } });
    expect(x.experiment['atk.seed']).toBe('5');
    expect(x.experiment['i']).toBe('6');
    expect(Object.keys(x.experiment).length).toBe(Object.keys(describeExperiment(DEFAULT_EXPERIMENT)).length);
    const back = decodeExperiment(x.link);
    expect(back.notices).toEqual([]);
    expect(back.experiment.attack.seed).toBe(5);
    expect(back.experiment.sample).toBe(6);
  });

  it('refuses malformed files with a reason naming the entry', () => {
    const ok = JSON.parse(notebookJson([makeEntry(e, 'run', 'n', {})])) as { entries: Record<string, unknown>[] };
    const bad = (f: (o: typeof ok) => void) => {
      const o = structuredClone(ok);
      f(o);
      return JSON.stringify(o);
    };
    expect(() => parseNotebook('{')).toThrow('not JSON');
    expect(() => parseNotebook('{"format":"other"}')).toThrow('not a lab notebook');
    expect(() => parseNotebook(bad((o) => ((o as Record<string, unknown>).version = 9)))).toThrow('version 9');
    expect(() => parseNotebook(bad((o) => delete o.entries[0].link))).toThrow('entry 1: "link"');
    expect(() => parseNotebook(bad((o) => (o.entries[0].experiment = { eps: 3 })))).toThrow('entry 1: "experiment"');
    expect(() => parseNotebook(bad((o) => (o.entries[0].link = 'v=2&atk.v=2&atk.eps=banana')))).toThrow('does not open cleanly');
    expect(() => parseNotebook(bad((o) => (o.entries[0].thumbnail = 'javascript:alert(1)')))).toThrow('thumbnail');
    expect(parseNotebook(JSON.stringify(ok))).toHaveLength(1);
  });

  it('export and import round-trip; a bad file changes nothing; a clash keeps both', async () => {
    const name = `nb-${Math.random()}`;
    const a = makeEntry(e, 'first', '', { attack: { success: true, seed: 5 } });
    await saveEntry(a, name);
    const text = notebookJson(await listEntries(name));
    await expect(importNotebook('{"format":"robustness-lab-notebook","version":1,"entries":[{"id":"x"}]}', name)).rejects.toThrow(
      'entry 1',
    );
    expect(await listEntries(name)).toHaveLength(1);
    expect(await importNotebook(text, name)).toEqual({ added: 0, same: 1 });
    const changed = JSON.parse(text) as { entries: { title: string }[] };
    changed.entries[0].title = 'edited';
    expect(await importNotebook(JSON.stringify(changed), name)).toEqual({ added: 1, same: 0 });
    const all = await listEntries(name);
    expect(all.map((x) => x.title).sort()).toEqual(['edited', 'first']);
    expect(all.find((x) => x.title === 'first')).toEqual(a);
  });
});
