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

  it('compacts the file to the latest offset per partition, at start and while running', () => {
    const d = directory();
    const file = join(d, 'consumer-offsets.jsonl');
    const lineCount = () => readFileSync(file, 'utf8').trim().split('\n').length;
    const store = new OffsetStore(d, { compactionMinLines: 50 });
    for (let offset = 0; offset < 49; offset++) {
      store.commit('g', [{ topic: 't', partition: 0, offset, metadata: '' }]);
    }
    expect(lineCount()).toBe(49);
    store.commit('g', [{ topic: 't', partition: 0, offset: 49, metadata: '' }]);
    expect(lineCount()).toBe(1); // rewritten while running
    store.commit('g', [{ topic: 't', partition: 1, offset: 3, metadata: '' }]);
    expect(lineCount()).toBe(2); // and still appending to the new file
    store.close();

    const reopened = new OffsetStore(d, { compactionMinLines: 50 });
    expect(reopened.get('g', 't', 0)?.offset).toBe(49);
    expect(reopened.get('g', 't', 1)?.offset).toBe(3);
    reopened.close();
  });

  it('replays a group deletion', () => {
    const d = directory();
    const store = new OffsetStore(d);
    store.commit('gone', [{ topic: 't', partition: 0, offset: 1, metadata: '' }]);
    store.commit('kept', [{ topic: 't', partition: 0, offset: 2, metadata: '' }]);
    store.deleteGroup('gone');
    expect(store.has('gone')).toBe(false);
    store.close();
    const reopened = new OffsetStore(d);
    expect(reopened.groupIds()).toEqual(['kept']);
    reopened.close();
  });
});
