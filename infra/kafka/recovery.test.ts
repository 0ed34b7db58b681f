/**
 * Durability: the log survives clean restarts and SIGKILL with nothing acknowledged lost, and a
 * torn or corrupt tail is truncated on recovery.
 */
import { appendFileSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { allocatePort } from '../ports.ts';
import { encodeBatch } from './protocol/records.ts';
import { tempDataDir, withRawClient } from './test-support/broker-fixture.ts';
import { startChildBroker } from './test-support/child-broker.ts';
import { fetchPartition, produceBatch, RawClient, readAll } from './test-support/raw-client.ts';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A data dir that outlives the test's broker restarts; removed after the file. */
function keptDataDir(): string {
  const dataDir = tempDataDir();
  dirs.push(dataDir);
  return dataDir;
}

function segmentOf(dataDir: string, topicPartition: string): string {
  const dir = join(dataDir, 'logs', topicPartition);
  const [file] = readdirSync(dir).filter((name) => name.endsWith('.log'));
  return join(dir, file as string);
}

/** Makes the next start treat the data dir as crashed (no clean-shutdown marker). */
function forgetCleanShutdown(dataDir: string): void {
  rmSync(join(dataDir, 'logs', '.clean-shutdown'));
}

async function fillAndStop(dataDir: string, topic: string, batches: number): Promise<void> {
  await withRawClient({ dataDir }, async (client) => {
    for (let i = 0; i < batches; i++) {
      const result = await produceBatch(client, {
        topic,
        partition: 0,
        batch: encodeBatch({ records: [{ key: `k${i}`, value: `v${i}` }] }),
      });
      expect(result.errorCode).toBe(0);
    }
  });
}

describe('recovery', () => {
  it('truncates a torn tail (half a batch) and keeps serving from the last complete batch', async () => {
    const dataDir = keptDataDir();
    await fillAndStop(dataDir, 'torn', 10);
    const segment = segmentOf(dataDir, 'torn-0');
    const goodSize = statSync(segment).size;
    const half = encodeBatch({ baseOffset: 10, records: [{ value: 'never acknowledged' }] }).subarray(0, 40);
    appendFileSync(segment, half);
    forgetCleanShutdown(dataDir);

    await withRawClient({ dataDir }, async (client) => {
      expect(statSync(segment).size).toBe(goodSize);
      expect((await fetchPartition(client, { topic: 'torn', partition: 0, offset: 0 })).highWatermark).toBe(
        10,
      );
      const next = await produceBatch(client, {
        topic: 'torn',
        partition: 0,
        batch: encodeBatch({ records: [{ value: 'after' }] }),
      });
      expect(next).toEqual({ errorCode: 0, baseOffset: 10 });
      const values = (await readAll(client, 'torn', 0)).map((r) => r.value);
      expect(values).toEqual([...Array.from({ length: 10 }, (_, i) => `v${i}`), 'after']);
    });
  });

  it('drops a last batch whose CRC does not match', async () => {
    const dataDir = keptDataDir();
    await fillAndStop(dataDir, 'crc', 5);
    const segment = segmentOf(dataDir, 'crc-0');
    const bytes = readFileSync(segment);
    bytes[bytes.length - 2] = (bytes[bytes.length - 2] as number) ^ 0x5a;
    writeFileSync(segment, bytes);
    forgetCleanShutdown(dataDir);

    await withRawClient({ dataDir }, async (client) => {
      expect((await readAll(client, 'crc', 0)).map((r) => r.value)).toEqual(['v0', 'v1', 'v2', 'v3']);
    });
  });

  it('keeps every offset across segment rolls and a restart', async () => {
    const dataDir = keptDataDir();
    await withRawClient({ dataDir, segmentBytes: 2048 }, async (client) => {
      for (let i = 0; i < 100; i++) {
        await produceBatch(client, {
          topic: 'rolled',
          partition: 0,
          batch: encodeBatch({ records: [{ value: `r${i}-${'x'.repeat(50)}` }] }),
        });
      }
    });
    expect(readdirSync(join(dataDir, 'logs', 'rolled-0')).length).toBeGreaterThan(3);
    await withRawClient({ dataDir, segmentBytes: 2048 }, async (client) => {
      const values = (await readAll(client, 'rolled', 0)).map((r) => r.value?.split('-')[0]);
      expect(values).toEqual(Array.from({ length: 100 }, (_, i) => `r${i}`));
      expect((await fetchPartition(client, { topic: 'rolled', partition: 0, offset: 57 })).errorCode).toBe(0);
    });
  });
});

describe('restart in the middle of a produce run (acks=-1)', () => {
  it('loses no acknowledged message across a SIGKILL and a clean SIGTERM restart', async () => {
    const dataDir = keptDataDir();
    // Below the ephemeral range: the restarted broker binds it again after a SIGKILL.
    const port = await allocatePort();
    let child = await startChildBroker({ port, dataDir });
    const kafka = new Kafka({
      clientId: 'durability',
      brokers: [`127.0.0.1:${port}`],
      logLevel: logLevel.NOTHING,
      retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 30 },
    });
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: true,
    });
    await producer.connect();
    const acknowledged: string[] = [];
    let stop = false;
    const run = (async () => {
      for (let i = 0; !stop; i++) {
        const value = `m${i}`;
        try {
          await producer.send({ topic: 'durable', acks: -1, messages: [{ key: 'k', value }] });
          acknowledged.push(value);
        } catch {
          // not acknowledged: allowed to be lost (or present)
        }
      }
    })();
    const waitFor = async (count: number) => {
      const deadline = Date.now() + 30_000;
      while (acknowledged.length < count && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
    };
    try {
      await waitFor(100);
      child.process.kill('SIGKILL');
      expect(await child.exited).toBe('SIGKILL');
      const atKill = acknowledged.length;
      child = await startChildBroker({ port, dataDir });
      await waitFor(atKill + 100);
      child.process.kill('SIGTERM');
      expect(await child.exited).toBe(0);
      const atStop = acknowledged.length;
      child = await startChildBroker({ port, dataDir });
      await waitFor(atStop + 100);
      expect(acknowledged.length).toBeGreaterThan(atStop);
    } finally {
      stop = true;
      await run;
      await producer.disconnect();
    }
    const client = await RawClient.connect(port);
    try {
      const stored = (await readAll(client, 'durable', 0)).map((r) => r.value as string);
      const present = new Set(stored);
      expect(acknowledged.filter((value) => !present.has(value))).toEqual([]);
      // idempotence survives the restarts: no message was stored twice
      expect(stored.length).toBe(present.size);
    } finally {
      client.close();
      child.process.kill('SIGTERM');
      await child.exited;
    }
  }, 120_000);
});
