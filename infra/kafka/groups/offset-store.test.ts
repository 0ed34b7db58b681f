import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OffsetStore } from './offset-store.ts';

const directories: string[] = [];
afterEach(() => {
  for (const d of directories.splice(0)) rmSync(d, { recursive: true, force: true });
});

function directory(): string {
  const d = mkdtempSync(join(tmpdir(), 'lab-offsets-'));
  directories.push(d);
  return d;
}

describe('OffsetStore', () => {
  it('replays commits from its file on reopen, latest offset wins', () => {
    const d = directory();
    const store = new OffsetStore(d);
    store.commit('g', [{ topic: 't', partition: 0, offset: 1, metadata: '' }]);
    store.commit('g', [
      { topic: 't', partition: 0, offset: 5, metadata: 'five' },
      { topic: 't', partition: 1, offset: 2, metadata: '' },
    ]);
    store.commit('h', [{ topic: 'u', partition: 3, offset: 9, metadata: '' }]);
    store.close();

    const reopened = new OffsetStore(d);
    expect(reopened.get('g', 't', 0)).toMatchObject({ offset: 5, metadata: 'five' });
    expect(reopened.get('g', 't', 1)?.offset).toBe(2);
    expect(reopened.get('h', 'u', 3)?.offset).toBe(9);
    expect(reopened.get('h', 'u', 4)).toBeUndefined();
    expect(reopened.groupIds().sort()).toEqual(['g', 'h']);
    reopened.close();
  });

  it('survives a torn last line and keeps appending after it', () => {
    const d = directory();
    const store = new OffsetStore(d);
    store.commit('g', [{ topic: 't', partition: 0, offset: 3, metadata: '' }]);
    store.close();
    appendFileSync(join(d, 'consumer-offsets.jsonl'), '{"g":"g","t":"t","p":0,"o":');

    const afterKill = new OffsetStore(d);
    expect(afterKill.get('g', 't', 0)?.offset).toBe(3);
    afterKill.commit('g', [{ topic: 't', partition: 0, offset: 4, metadata: '' }]);
    afterKill.close();
    expect(new OffsetStore(d).get('g', 't', 0)?.offset).toBe(4);
  });

  it('compacts the file to the latest offset per partition when it grows', () => {
    const d = directory();
    const store = new OffsetStore(d);
    for (let offset = 0; offset < 200; offset++) {
      store.commit('g', [{ topic: 't', partition: 0, offset, metadata: '' }]);
    }
    store.close();
    const reopened = new OffsetStore(d);
    expect(reopened.get('g', 't', 0)?.offset).toBe(199);
    reopened.close();
    const lines = readFileSync(join(d, 'consumer-offsets.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
  });
});
