/**
 * `npm run bench:proxy`: what a fault-proxy link with no toxics costs, against direct loopback and
 * against a reference proxy written in C (socat), all in one run so the figures read as ratios.
 *
 * - throughput: one connection moving 64 KiB writes for a fixed time, in both directions of a link
 *   (upstream: the client writes, as a producer or an INSERT; downstream: the server writes, as a
 *   Kafka fetch or a query result). Target: through a link >= 70% of direct.
 * - round trips: 64-byte ping-pongs; added p50 through the link (target < 0.3 ms), and the CPU
 *   the proxy process spends per 10k round trips: in the stack it relays every PostgreSQL, Kafka
 *   and HTTP message, so its per-message cost matters as much as its bulk rate.
 * - CPU per GiB moved, of the proxy process (and of socat), from /proc/<pid>/stat, and of this
 *   process (the endpoints): unlike the rates, it hardly depends on what else the machine runs.
 *   "per CPU" is direct's CPU per GiB over a path's (endpoints + middle): the rate ratio a
 *   machine whose cores are all busy would see, the bench's own share of CPU being the limit.
 *
 * Method. The proxy runs as its own process (`lab infra fault-proxy`), as in the stack.
 * Throughput: both endpoints (sender and receiver) share this process's event loop, direct or
 * not: this loop then
 * does the same work on every path, so a path's rate only drops for what the middle adds. On an
 * idle 2-core machine the middle process gets the second core and can keep up with the endpoints
 * if it costs no more per byte than they do together; on a busy one it competes with them (and
 * everything else) for CPU, which no proxy escapes: the socat figure shows how much of the drop
 * that alone explains. Splitting the endpoints over two processes would make "direct" use both
 * cores and bound any proxy at about 2/3 of it on 2 cores, whatever its code. The endpoints read
 * Node's default way (a new buffer per read), as the stack's clients (pg, kafkajs) do; "per CPU"
 * is what the rate ratio comes to when client and server are separate processes on busy cores.
 * Round trips: the echo server is a process of its own, as a server always is in the stack. In
 * this process, a direct round trip woke no other process while one through a proxy woke it and
 * this one twice each, so the "added" latency counted two wakeups the proxy does not cause (on
 * this VM, where waking an idle vCPU costs ~0.1 ms, that doubled it).
 *
 * Options: --seconds N per throughput run (default 2), --runs N alternations of the paths
 * (default 3; the best run of each path counts, since on a shared machine the best one is the
 * least disturbed, and the range is printed), --round-trips N per run (default 5000), --no-socat.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net, { type AddressInfo, type Socket } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { allocatePorts } from '../cli/runtime/local/ports.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '2' },
    runs: { type: 'string', default: '3' },
    'round-trips': { type: 'string', default: '5000' },
    'no-socat': { type: 'boolean', default: false },
  },
});
const SECONDS = Number(values.seconds);
const RUNS = Number(values.runs);
const ROUND_TRIPS = Number(values['round-trips']);
const WARM_UP_ROUND_TRIPS = 500;
const WRITE_SIZE = 64 * 1024;
const SOCAT_BUFFER = 256 * 1024;
const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on Linux

const payload = Buffer.alloc(WRITE_SIZE, 0x61);
const ping = Buffer.alloc(64, 0x62);

interface Cpu {
  user: number;
  system: number;
}

/** User and system CPU seconds of a process and its live children (socat forks one per connection). */
function processTreeCpu(pid: number): Cpu {
  const cpu = { user: 0, system: 0 };
  try {
    // Fields after the command (which may hold spaces): state is field 3, utime 14, stime 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    cpu.user = Number(fields[11]) / CLOCK_TICKS_PER_SECOND;
    cpu.system = Number(fields[12]) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return cpu; // gone (a socat child whose connection closed)
  }
  let children: string[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    // no children file (kernel without CONFIG_PROC_CHILDREN): the process alone
  }
  for (const child of children) {
    const childCpu = processTreeCpu(Number(child));
    cpu.user += childCpu.user;
    cpu.system += childCpu.system;
  }
  return cpu;
}

/** CPU the middle process spends during `work` (zero for direct loopback, which has none). */
async function cpuDuring<T>(
  pid: number | undefined,
  work: () => Promise<T>,
): Promise<{ result: T; cpu: Cpu }> {
  const before = pid === undefined ? undefined : processTreeCpu(pid);
  const result = await work();
  if (pid === undefined || before === undefined)
    return { result, cpu: { user: Number.NaN, system: Number.NaN } };
  const after = processTreeCpu(pid);
  return { result, cpu: { user: after.user - before.user, system: after.system - before.system } };
}

type Target = 'sink' | 'source' | 'echo';

/** What carries a connection: nothing (direct), the fault proxy, socat. */
interface Path {
  label: string;
  ports: Record<Target, number>;
  /** The middle process carrying each target's connections, whose CPU is measured (none direct). */
  pids: Record<Target, number | undefined>;
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function connect(port: number): Promise<Socket> {
  const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => {});
  return socket;
}

// The bench's own servers: a sink counting what it receives, a source writing 64 KiB buffers as
// fast as its client takes them, an echo.
let sunk = 0;
const sink = net.createServer({ noDelay: true }, (socket) => {
  socket.on('data', (data) => {
    sunk += data.length;
  });
  socket.on('error', () => {});
});
const source = net.createServer({ noDelay: true }, (socket) => {
  socket.on('error', () => {});
  const pump = (): void => {
    while (!socket.destroyed && socket.write(payload));
  };
  socket.on('drain', pump);
  pump();
});
/** The echo server, in a process of its own (see Method); prints its port. */
const ECHO_SERVER = `
const net = require('node:net');
const server = net.createServer({ noDelay: true }, (socket) => {
  socket.on('error', () => {});
  socket.pipe(socket);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

async function startEcho(): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', ECHO_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (data: Buffer) => resolve(Number(data.toString().trim())));
    child.once('exit', (code) => reject(new Error(`the echo server exited (${code})`)));
  });
  return { port, child };
}

interface Measured {
  bytesPerSecond: number;
  /** CPU seconds of the middle process per GiB moved, user and system (NaN for direct). */
  cpuPerGiB: Cpu;
  /** CPU seconds of this process (both endpoints) per GiB moved. */
  endpointsCpuPerGiB: number;
}

async function measuredOver(pid: number | undefined, work: () => Promise<number>): Promise<Measured> {
  const start = performance.now();
  const endpointsBefore = process.cpuUsage();
  const { result: bytes, cpu } = await cpuDuring(pid, work);
  const endpoints = process.cpuUsage(endpointsBefore);
  const elapsed = (performance.now() - start) / 1000;
  const gib = bytes / 2 ** 30;
  return {
    bytesPerSecond: bytes / elapsed,
    cpuPerGiB: { user: cpu.user / gib, system: cpu.system / gib },
    endpointsCpuPerGiB: (endpoints.user + endpoints.system) / 1e6 / gib,
  };
}

/** Upstream direction: this process writes 64 KiB buffers for SECONDS, the sink counts them. */
async function upstreamThroughput(route: Path): Promise<Measured> {
  const socket = await connect(route.ports.sink);
  const result = await measuredOver(route.pids.sink, async () => {
    const before = sunk;
    const deadline = performance.now() + SECONDS * 1000;
    await new Promise<void>((resolve) => {
      const pump = (): void => {
        while (performance.now() < deadline) {
          if (!socket.write(payload)) {
            socket.once('drain', pump);
            return;
          }
        }
        resolve();
      };
      pump();
    });
    return sunk - before;
  });
  socket.destroy();
  return result;
}

/** Downstream direction: the source server writes, this process reads for SECONDS. */
async function downstreamThroughput(route: Path): Promise<Measured> {
  const socket = await connect(route.ports.source);
  let received = 0;
  socket.on('data', (data: Buffer) => {
    received += data.length;
  });
  // Let the stream start before timing, so connection set-up is not counted.
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  const result = await measuredOver(route.pids.source, async () => {
    const before = received;
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
    return received - before;
  });
  socket.destroy();
  return result;
}

interface RoundTrips {
  times: number[];
  /** CPU ms of the middle process per 10k round trips (each relays two 64-byte messages). */
  cpuPer10k: Cpu;
}

/** Sequential 64-byte ping-pongs through the echo server, after a warm-up. */
async function roundTrips(route: Path): Promise<RoundTrips> {
  const socket = await connect(route.ports.echo);
  const pingPong = (): Promise<void> =>
    new Promise<void>((resolve) => {
      let got = 0;
      const onData = (data: Buffer): void => {
        got += data.length;
        if (got >= ping.length) {
          socket.off('data', onData);
          resolve();
        }
      };
      socket.on('data', onData);
      socket.write(ping);
    });
  for (let i = 0; i < WARM_UP_ROUND_TRIPS; i += 1) await pingPong();
  const times: number[] = [];
  const { cpu } = await cpuDuring(route.pids.echo, async () => {
    for (let i = 0; i < ROUND_TRIPS; i += 1) {
      const start = performance.now();
      await pingPong();
      times.push(performance.now() - start);
    }
  });
  socket.destroy();
  const scale = (10_000 / ROUND_TRIPS) * 1000;
  return {
    times,
    cpuPer10k: {
      user: Math.round(cpu.user * scale * 10) / 10,
      system: Math.round(cpu.system * scale * 10) / 10,
    },
  };
}

function percentile(sortedValues: number[], p: number): number {
  return (
    sortedValues[Math.min(sortedValues.length - 1, Math.floor((p / 100) * sortedValues.length))] ?? Number.NaN
  );
}

async function startFaultProxy(): Promise<{ path: Path; child: ChildProcess }> {
  const lab = path.resolve(import.meta.dirname, '../bin/lab');
  const child = spawn(process.execPath, [lab, 'infra', 'fault-proxy', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (data: Buffer) => {
      const match = /listening on (http:\/\/\S+)/.exec(data.toString());
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the fault proxy exited (${code})`)));
  });
  const createLink = async (name: string, upstreamPort: number): Promise<number> => {
    const response = await fetch(`${url}/proxies`, {
      method: 'POST',
      body: JSON.stringify({ name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstreamPort}` }),
    });
    if (response.status !== 201) throw new Error(`creating ${name}: HTTP ${response.status}`);
    const { listen } = (await response.json()) as { listen: string };
    return Number(listen.slice(listen.lastIndexOf(':') + 1));
  };
  return {
    child,
    path: {
      label: 'through a link',
      ports: {
        sink: await createLink('bench.sink', direct.ports.sink),
        source: await createLink('bench.source', direct.ports.source),
        echo: await createLink('bench.echo', direct.ports.echo),
      },
      pids: { sink: child.pid, source: child.pid, echo: child.pid },
    },
  };
}

/**
 * socat as a reference proxy: one process per target, a child per connection. Its buffer is
 * raised from 8 KiB to 256 KiB (-b), the largest a link reads into (read-buffer.ts), so the
 * reference moves data in the same steps (socat's own CPU per GiB: ~1.0 s with 64 KiB, 0.85-0.93
 * with 256 KiB, 0.47-0.66 with 1 MiB, the endpoints then paying more); TCP_NODELAY as the fault
 * proxy sets it.
 */
async function startSocat(): Promise<{ path: Path; children: ChildProcess[] } | string> {
  if (values['no-socat']) return 'skipped (--no-socat)';
  if (spawnSync('socat', ['-V'], { stdio: 'ignore' }).error) {
    return 'skipped: socat is not installed (apt-get install socat)';
  }
  const targets = ['sink', 'source', 'echo'] as const;
  const listenPorts = await allocatePorts(targets.length);
  const ports = { sink: 0, source: 0, echo: 0 };
  const pids: Path['pids'] = { sink: undefined, source: undefined, echo: undefined };
  const children: ChildProcess[] = [];
  for (const [index, target] of targets.entries()) {
    const port = listenPorts[index] as number;
    const child = spawn(
      'socat',
      [
        '-b',
        String(SOCAT_BUFFER),
        `TCP-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr,nodelay`,
        `TCP:127.0.0.1:${direct.ports[target]},nodelay`,
      ],
      { stdio: 'ignore' },
    );
    children.push(child);
    ports[target] = port;
    pids[target] = child.pid;
  }
  // socat has no readiness signal: poll until every listener accepts.
  for (const port of listenPorts) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const socket = await connect(port).catch(() => undefined);
      if (socket) {
        socket.destroy();
        break;
      }
      if (Date.now() > deadline) {
        for (const child of children) child.kill('SIGTERM');
        return `skipped: socat did not listen on ${port}`;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return { children, path: { label: 'through socat', ports, pids } };
}

const echo = await startEcho();
const direct: Path = {
  label: 'direct loopback',
  ports: { sink: await listen(sink), source: await listen(source), echo: echo.port },
  pids: { sink: undefined, source: undefined, echo: undefined },
};

const children: ChildProcess[] = [];
try {
  const faultProxy = await startFaultProxy();
  children.push(faultProxy.child);
  const socat = await startSocat();
  const routes: Path[] = [direct, faultProxy.path];
  if (typeof socat !== 'string') {
    children.push(...socat.children);
    routes.push(socat.path);
  }

  const loadBefore = loadavg();
  // Alternate the paths run by run so a load spike on the machine hits all of them alike.
  const upstream = new Map<Path, Measured[]>(routes.map((route) => [route, []]));
  const downstream = new Map<Path, Measured[]>(routes.map((route) => [route, []]));
  const trips = new Map<Path, RoundTrips[]>(routes.map((route) => [route, []]));
  for (let run = 0; run < RUNS; run += 1) {
    for (const route of routes) {
      upstream.get(route)?.push(await upstreamThroughput(route));
      downstream.get(route)?.push(await downstreamThroughput(route));
      trips.get(route)?.push(await roundTrips(route));
    }
  }
  const loadAfter = loadavg();

  const mib = (rate: number): string => `${(rate / 2 ** 20).toFixed(0)}`;
  const best = (runs: Measured[]): Measured =>
    runs.reduce((a, b) => (b.bytesPerSecond > a.bytesPerSecond ? b : a));
  const total = (cpu: Cpu): number => cpu.user + cpu.system;
  const verdict = (ok: boolean): string => (ok ? 'met' : 'MISSED');
  const report: Record<string, unknown> = {};
  const loads = (load: number[]): string => load.map((value) => value.toFixed(1)).join(' ');
  console.log(
    `load average ${loads(loadBefore)} before, ${loads(loadAfter)} after, on ${availableParallelism()} cores`,
  );
  if (typeof socat === 'string') console.log(`socat reference ${socat}`);
  const median = (values: number[]): number =>
    percentile(
      [...values].sort((x, y) => x - y),
      50,
    );
  const range = (values: number[], digits: number): string =>
    `[${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)}]`;
  for (const [direction, results] of [
    ['upstream', upstream],
    ['downstream', downstream],
  ] as const) {
    console.log(
      `throughput ${direction} (${direction === 'upstream' ? 'the client writes' : 'the server writes'}), 64 KiB writes, ${SECONDS} s runs:`,
    );
    console.log(
      `  MiB/s best of ${RUNS} [range]; CPU s/GiB, median of runs: endpoints (this process) + middle (user part); per CPU = direct's CPU/GiB over this path's, median [range]`,
    );
    const directRuns = results.get(direct) ?? [];
    const directBest = best(directRuns).bytesPerSecond;
    for (const route of routes) {
      const runs = results.get(route) ?? [];
      const rates = runs.map((run) => run.bytesPerSecond);
      const ratio = Math.max(...rates) / directBest;
      const endpoints = median(runs.map((run) => run.endpointsCpuPerGiB));
      const line = [
        `  ${route.label.padEnd(16)} ${mib(Math.max(...rates)).padStart(5)} ${range(
          rates.map((rate) => rate / 2 ** 20),
          0,
        )}`,
      ];
      const entry: Record<string, unknown> = {
        bytesPerSecond: Math.round(Math.max(...rates)),
        rangeBytesPerSecond: [Math.round(Math.min(...rates)), Math.round(Math.max(...rates))],
        endpointsCpuSecondsPerGiB: Number(endpoints.toFixed(3)),
      };
      report[`${direction}.${route.label}`] = entry;
      if (route === direct) {
        line.push(`endpoints ${endpoints.toFixed(2)}`);
      } else {
        const isLink = route === faultProxy.path;
        const middle = median(runs.map((run) => total(run.cpuPerGiB)));
        const middleUser = median(runs.map((run) => run.cpuPerGiB.user));
        // Paired run by run: each run of this path against the direct run of the same round.
        const perCpu = runs.map((run, index) => {
          const directRun = directRuns[index];
          return directRun
            ? directRun.endpointsCpuPerGiB / (run.endpointsCpuPerGiB + total(run.cpuPerGiB))
            : Number.NaN;
        });
        line.push(
          `${(ratio * 100).toFixed(0)}% of direct${isLink ? ` (target >= 70%: ${verdict(ratio >= 0.7)})` : ''}`,
          `endpoints ${endpoints.toFixed(2)} + middle ${middle.toFixed(2)} (user ${middleUser.toFixed(2)})`,
          `per CPU ${(median(perCpu) * 100).toFixed(0)}% ${range(
            perCpu.map((value) => value * 100),
            0,
          )}`,
        );
        Object.assign(entry, {
          ratioToDirect: Number(ratio.toFixed(3)),
          perCpuRatioToDirect: perCpu.map((value) => Number(value.toFixed(3))),
          middleCpuSecondsPerGiB: Number(middle.toFixed(3)),
          middleUserCpuSecondsPerGiB: Number(middleUser.toFixed(3)),
        });
      }
      console.log(line.join('; '));
    }
  }
  console.log(
    `round trips, 64 bytes, ${RUNS} x ${ROUND_TRIPS} each (after ${WARM_UP_ROUND_TRIPS} to warm up); middle CPU ms per 10k round trips, lowest run [range]:`,
  );
  const allTimes = (route: Path): number[] =>
    (trips.get(route) ?? []).flatMap((run) => run.times).sort((a, b) => a - b);
  const directP50 = percentile(allTimes(direct), 50);
  for (const route of routes) {
    const runs = trips.get(route) ?? [];
    const sorted = allTimes(route);
    const p50 = percentile(sorted, 50);
    const added = p50 - directP50;
    const lowest = runs.reduce((a, b) => (total(b.cpuPer10k) < total(a.cpuPer10k) ? b : a));
    const cpus = runs.map((run) => total(run.cpuPer10k));
    const extra =
      route === direct
        ? ''
        : `  added p50 ${added.toFixed(3)} ms${route === faultProxy.path ? ` (target < 0.3 ms: ${verdict(added < 0.3)})` : ''}; ` +
          `middle ${total(lowest.cpuPer10k).toFixed(0)} (user ${lowest.cpuPer10k.user.toFixed(0)}) [${Math.min(...cpus).toFixed(0)}-${Math.max(...cpus).toFixed(0)}]`;
    console.log(
      `  ${route.label.padEnd(16)} p50 ${p50.toFixed(3)} ms  p99 ${percentile(sorted, 99).toFixed(3)} ms${extra}`,
    );
    report[`roundTrips.${route.label}`] = {
      p50Ms: Number(p50.toFixed(4)),
      p99Ms: Number(percentile(sorted, 99).toFixed(4)),
      addedP50Ms: route === direct ? undefined : Number(added.toFixed(4)),
      middleCpuMsPer10k: route === direct ? undefined : runs.map((run) => run.cpuPer10k),
    };
  }
  console.log(JSON.stringify({ loadAverage: [loadBefore[0], loadAfter[0]], ...report }));
} finally {
  for (const child of children) child.kill('SIGTERM');
  sink.close();
  source.close();
  echo.child.kill('SIGTERM');
}
