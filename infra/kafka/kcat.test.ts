/** The broker against kcat (librdkafka 2.x): metadata, a 10,000-message keyed round trip, groups. */
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerFixture, startTestBroker } from './test-support/broker-fixture.ts';

let fixture: BrokerFixture;

beforeAll(async () => {
  fixture = await startTestBroker({ partitions: 1 });
});

afterAll(async () => {
  await fixture.stop();
});

const kcat = (args: string[], input?: string) =>
  execa('kcat', ['-b', fixture.bootstrap, ...args], { input, timeout: 60_000, reject: false });

const keyed = Array.from({ length: 10_000 }, (_, i) => `key-${i % 97}:value-${i}`);

describe('kcat', () => {
  it('-L lists the broker (controller) and the topics', async () => {
    const produced = await kcat(['-P', '-t', 'listed'], 'hello\n');
    expect(produced.exitCode).toBe(0);
    const listing = await kcat(['-L']);
    expect(listing.exitCode).toBe(0);
    expect(listing.stdout).toContain(`broker 0 at ${fixture.bootstrap} (controller)`);
    expect(listing.stdout).toMatch(/topic "listed" with 1 partitions/);
  });

  it('-P then -C -e round-trips 10,000 keyed messages in order', async () => {
    const produced = await kcat(['-P', '-t', 'roundtrip', '-K', ':'], `${keyed.join('\n')}\n`);
    expect(produced.exitCode, produced.stderr).toBe(0);
    const consumed = await kcat(['-C', '-t', 'roundtrip', '-o', 'beginning', '-e', '-K', ':', '-q']);
    expect(consumed.exitCode, consumed.stderr).toBe(0);
    expect(consumed.stdout.split('\n')).toEqual(keyed);
  }, 90_000);

  it('-G consumes through a consumer group', async () => {
    await kcat(['-P', '-t', 'grouped', '-K', ':'], `${keyed.slice(0, 500).join('\n')}\n`);
    const consumed = await kcat(['-G', 'kcat-group', '-o', 'beginning', '-e', '-K', ':', '-q', 'grouped']);
    expect(consumed.exitCode, consumed.stderr).toBe(0);
    expect(consumed.stdout.split('\n')).toEqual(keyed.slice(0, 500));
  }, 90_000);
});
