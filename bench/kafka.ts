/**
 * `npm run bench:kafka`: the lab's Kafka broker under kafkajs and kcat, and its memory.
 *
 * Phases, against one broker process (`lab infra kafka`, a child, so its RSS is its own):
 * 1. kafkajs produce: --messages messages of 1 KiB in sends of 100 (acks -1), --in-flight sends
 *    at once from one producer. Target >= 30k msg/s.
 * 2. kafkajs consume: a consumer group reading them all from the beginning (eachBatch). Target
 *    >= 60k msg/s.
 * 3. kcat produce and consume (librdkafka, acks -1) of --kcat-messages messages of 1 KiB on a
 *    topic of its own: the same broker under a client written in C, which shows where the
 *    ceiling is the client rather than the broker.
 * 4. The broker's RSS (VmRSS and VmHWM from /proc/<pid>/status) once all of that went through.
 *    Target < 200 MB: the records stay on disk (segments, sparse index), only headers are read.
 *
 * The machine is shared: each phase also reports the CPU steal and the load average, which move
 * the figures as much as the code does, and the CPU seconds per million messages of the broker
 * and of this process (the kafkajs client; in the kcat phases it only feeds or starts kcat): on
 * busy cores the side that needs more CPU per message sets the rate. Options: --messages (default 1000000), --kcat-messages
 * (default 200000), --in-flight (default 8), --keep (leave the data dir).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { startChildBroker } from '../infra/kafka/test-support/child-broker.ts';
import { allocatePort } from '../infra/ports.ts';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000000' },
    'kcat-messages': { type: 'string', default: '200000' },
    'in-flight': { type: 'string', default: '8' },
    keep: { type: 'boolean', default: false },
  },
});
const MESSAGES = Number(values.messages);
const KCAT_MESSAGES = Number(values['kcat-messages']);
const IN_FLIGHT = Number(values['in-flight']);
const BATCH = 100;
const VALUE = Buffer.alloc(1024, 0x61);

interface Phase {
  name: string;
  messages: number;
  seconds: number;
  /** CPU seconds the broker process spent in the phase */
  brokerCpu: number;
  /** CPU seconds this process (the kafkajs client) spent in the phase */
  benchCpu: number;
  stealPercent: number;
  load: number;
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s

/** CPU seconds (user + system) of a process so far, from /proc/<pid>/stat. */
function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

function ownCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** The machine's CPU time so far, from /proc/stat: all of it, and what the hypervisor took. */
function machineCpuTicks(): { total: number; steal: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return { total, steal: fields[7] ?? 0 };
}

async function measure(
  name: string,
  messages: number,
  brokerPid: number,
  run: () => Promise<void>,
): Promise<Phase> {
  const cpuBefore = machineCpuTicks();
  const brokerBefore = processCpuSeconds(brokerPid);
  const benchBefore = ownCpuSeconds();
  const start = performance.now();
  await run();
  const seconds = (performance.now() - start) / 1000;
  const cpuAfter = machineCpuTicks();
  const stealPercent =
    (100 * (cpuAfter.steal - cpuBefore.steal)) / Math.max(1, cpuAfter.total - cpuBefore.total);
  const phase: Phase = {
    name,
    messages,
    seconds,
    brokerCpu: processCpuSeconds(brokerPid) - brokerBefore,
    benchCpu: ownCpuSeconds() - benchBefore,
    stealPercent,
    load: loadavg()[0] ?? 0,
  };
  const perMillion = (cpu: number) => ((cpu * 1e6) / messages).toFixed(1);
  console.log(
    `${name.padEnd(16)} ${messages} msgs in ${seconds.toFixed(1)} s: ${Math.round(messages / seconds)} msg/s;` +
      ` CPU s per 1M msgs: broker ${perMillion(phase.brokerCpu)}, this process ${perMillion(phase.benchCpu)}` +
      `; broker RSS ${memoryOf(brokerPid).rssMb.toFixed(0)} MB (steal ${stealPercent.toFixed(0)}%, load ${phase.load.toFixed(1)})`,
  );
  return phase;
}

function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

async function kafkajsProduce(kafka: Kafka, topic: string): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const messages = Array.from({ length: BATCH }, () => ({ value: VALUE }));
  let sent = 0;
  const worker = async (): Promise<void> => {
    while (sent < MESSAGES) {
      sent += BATCH;
      await producer.send({ topic, acks: -1, messages });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  await producer.disconnect();
}

async function kafkajsConsume(kafka: Kafka, topic: string): Promise<void> {
  const consumer = kafka.consumer({ groupId: 'bench', maxBytes: 16 * 1024 * 1024, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let consumed = 0;
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          consumed += batch.messages.length;
          if (consumed >= MESSAGES) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
}

function kcatProduce(bootstrap: string, topic: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', ['-b', bootstrap, '-P', '-t', topic, '-X', 'acks=-1', '-X', 'linger.ms=5'], {
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat -P exited with ${code}`))));
    const line = Buffer.concat([VALUE, Buffer.from('\n')]);
    const chunk = Buffer.concat(Array.from({ length: 1000 }, () => line));
    let written = 0;
    const write = (): void => {
      while (written < KCAT_MESSAGES) {
        written += 1000;
        if (!child.stdin.write(chunk)) {
          child.stdin.once('drain', write);
          return;
        }
      }
      child.stdin.end();
    };
    write();
  });
}

/** -c N makes kcat exit once N messages arrived, so exit code 0 means all of them were read. */
function kcatConsume(bootstrap: string, topic: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'kcat',
      ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-c', String(KCAT_MESSAGES), '-q'],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat -C exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lab-bench-kafka-'));
  const port = await allocatePort();
  const bootstrap = `127.0.0.1:${port}`;
  const broker = await startChildBroker({ port, dataDir });
  const pid = broker.process.pid as number;
  const kafka = new Kafka({ clientId: 'bench', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  console.log(`kcat: ${execFileSync('kcat', ['-V']).toString().split('\n')[0]}`);
  console.log(
    `messages: ${MESSAGES} x 1 KiB (kafkajs, sends of ${BATCH}, ${IN_FLIGHT} in flight), ${KCAT_MESSAGES} (kcat)`,
  );
  try {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'bench-kafkajs' }, { topic: 'bench-kcat' }] });
    await admin.disconnect();
    const phases = [
      await measure('kafkajs produce', MESSAGES, pid, () => kafkajsProduce(kafka, 'bench-kafkajs')),
      await measure('kafkajs consume', MESSAGES, pid, () => kafkajsConsume(kafka, 'bench-kafkajs')),
      await measure('kcat produce', KCAT_MESSAGES, pid, () => kcatProduce(bootstrap, 'bench-kcat')),
      await measure('kcat consume', KCAT_MESSAGES, pid, () => kcatConsume(bootstrap, 'bench-kcat')),
    ];
    const memory = memoryOf(pid);
    console.log(
      `broker RSS after ${MESSAGES + KCAT_MESSAGES} messages: ${memory.rssMb.toFixed(0)} MB (peak ${memory.peakMb.toFixed(0)} MB)`,
    );
    const rate = (name: string) => {
      const phase = phases.find((p) => p.name === name) as Phase;
      return phase.messages / phase.seconds;
    };
    console.log(
      JSON.stringify({
        kafkajsProducePerSecond: Math.round(rate('kafkajs produce')),
        kafkajsConsumePerSecond: Math.round(rate('kafkajs consume')),
        kcatProducePerSecond: Math.round(rate('kcat produce')),
        kcatConsumePerSecond: Math.round(rate('kcat consume')),
        brokerRssMb: Math.round(memory.rssMb),
        brokerPeakRssMb: Math.round(memory.peakMb),
        targets: { kafkajsProduce: 30_000, kafkajsConsume: 60_000, rssMb: 200 },
      }),
    );
  } finally {
    broker.process.kill('SIGTERM');
    await broker.exited;
    if (!values.keep) rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
