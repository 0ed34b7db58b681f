/**
 * What the admin APIs change survives a restart of the broker: config overrides, the log start
 * offset DeleteRecords moved, partitions CreatePartitions added, and a compacted log (offsets
 * with gaps) that recovery must accept as it is.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeBatch } from '../protocol/records.ts';
import { startTestBroker, tempDataDir } from '../test-support/broker-fixture.ts';

const dataDir = tempDataDir();
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('admin changes across a restart', () => {
  it('keeps configs, the log start offset, added partitions and compacted segments', async () => {
    const first = await startTestBroker({ dataDir });
    const { topics } = first.broker.core;
    topics.configs.setTopic('kept', { 'cleanup.policy': 'compact', 'segment.bytes': '200' });
    topics.create('kept', 1);
    topics.addPartitions('kept', 3);
    const log = topics.partition('kept', 0);
    for (let i = 0; i < 12; i++)
      log?.append(encodeBatch({ records: [{ key: `k${i % 3}`, value: `v${i}` }] }));
    expect(log?.compact(Date.now())).toBeGreaterThan(0);
    const survivors = log?.read(0, 1 << 20).length;
    topics.create('trimmed', 1);
    const trimmed = topics.partition('trimmed', 0);
    for (let i = 0; i < 5; i++) trimmed?.append(encodeBatch({ records: [{ value: `t${i}` }] }));
    trimmed?.deleteRecordsBefore(3);
    await first.stop();

    const second = await startTestBroker({ dataDir });
    try {
      const reopened = second.broker.core.topics;
      expect(reopened.partitionCount('kept')).toBe(3);
      expect(reopened.partition('kept', 0)?.config).toMatchObject({
        cleanupPolicy: { compact: true, delete: false },
        segmentBytes: 200,
      });
      expect(reopened.partition('kept', 0)?.nextOffset).toBe(12);
      expect(reopened.partition('kept', 0)?.read(0, 1 << 20).length).toBe(survivors);
      expect(reopened.partition('trimmed', 0)?.logStartOffset).toBe(3);
    } finally {
      await second.stop();
    }
  });
});
