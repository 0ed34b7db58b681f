/**
 * `npm run bench:proxy`: what a fault-proxy link with no toxics costs, against direct loopback.
 *
 * - throughput: one connection writing 64 KiB buffers to a sink for a fixed time, direct vs
 *   through the link (target: >= 70% of direct);
 * - added latency: p50 of small ping-pong round trips through the link minus direct
 *   (target: < 0.3 ms).
 *
 * The fault proxy runs as its own process (`lab infra fault-proxy`), as it does in the stack.
 * Options: --seconds N per throughput run (default 2), --runs N alternations (default 4, the best
 * of each side counts: on a shared machine the best run is the one least disturbed),
 * --round-trips N (default 3000).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net, { type AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '2' },
    runs: { type: 'string', default: '4' },
    'round-trips': { type: 'string', default: '3000' },
  },
});
const SECONDS = Number(values.seconds);
const RUNS = Number(values.runs);
const ROUND_TRIPS = Number(values['round-trips']);
const WRITE_SIZE = 64 * 1024;

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function startFaultProxyProcess(): Promise<{ url: string; child: ChildProcess }> {
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
  return { url, child };
}

async function createLink(url: string, name: string, upstreamPort: number): Promise<number> {
  const response = await fetch(`${url}/proxies`, {
    method: 'POST',
    body: JSON.stringify({ name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstreamPort}` }),
  });
  if (response.status !== 201) throw new Error(`creating ${name}: HTTP ${response.status}`);
  const { listen } = (await response.json()) as { listen: string };
  return Number(listen.slice(listen.lastIndexOf(':') + 1));
}

/** Bytes per second a sink receives from one connection writing 64 KiB buffers for SECONDS. */
async function throughput(port: number, received: () => number): Promise<number> {
  const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
  await new Promise((resolve) => socket.once('connect', resolve));
  const buffer = Buffer.alloc(WRITE_SIZE, 0x61);
  const before = received();
  const start = performance.now();
  const deadline = start + SECONDS * 1000;
  await new Promise<void>((resolve) => {
    const pump = (): void => {
      while (performance.now() < deadline) {
        if (!socket.write(buffer)) {
          socket.once('drain', pump);
          return;
        }
      }
      resolve();
    };
    pump();
  });
  const elapsed = (performance.now() - start) / 1000;
  const bytes = received() - before;
  socket.destroy();
  return bytes / elapsed;
}

/** Round-trip times (ms) of 64-byte ping-pongs, after a warm-up. */
async function roundTrips(port: number): Promise<number[]> {
  const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
  await new Promise((resolve) => socket.once('connect', resolve));
  const ping = Buffer.alloc(64, 0x62);
  const times: number[] = [];
  for (let i = 0; i < ROUND_TRIPS + 200; i += 1) {
    const start = performance.now();
    await new Promise<void>((resolve) => {
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
    if (i >= 200) times.push(performance.now() - start);
  }
  socket.destroy();
  return times;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

let sunk = 0;
const sink = net.createServer({ noDelay: true }, (socket) => {
  socket.on('data', (data) => {
    sunk += data.length;
  });
  socket.on('error', () => {});
});
const echo = net.createServer({ noDelay: true }, (socket) => {
  socket.pipe(socket);
  socket.on('error', () => {});
});
const sinkPort = await listen(sink);
const echoPort = await listen(echo);
const { url, child } = await startFaultProxyProcess();
try {
  const sinkLink = await createLink(url, 'bench.sink', sinkPort);
  const echoLink = await createLink(url, 'bench.echo', echoPort);
  const received = (): number => sunk;

  // Alternate direct and proxied runs so a load spike on the machine hits both alike.
  const direct: number[] = [];
  const proxied: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    direct.push(await throughput(sinkPort, received));
    proxied.push(await throughput(sinkLink, received));
  }
  const directRate = Math.max(...direct);
  const proxiedRate = Math.max(...proxied);
  const ratio = proxiedRate / directRate;

  const directTimes = await roundTrips(echoPort);
  const proxiedTimes = await roundTrips(echoLink);
  const directP50 = percentile(directTimes, 50);
  const proxiedP50 = percentile(proxiedTimes, 50);
  const addedP50 = proxiedP50 - directP50;

  const mib = (rate: number): string => `${(rate / 1024 / 1024).toFixed(0)} MiB/s`;
  const verdict = (ok: boolean): string => (ok ? 'met' : 'MISSED');
  // The link costs a second process about as much CPU as the two endpoints: on a machine with a
  // core to spare it runs alongside; on a saturated one it competes, so say how busy it was.
  console.log(
    `load average ${loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')} on ${availableParallelism()} cores`,
  );
  console.log(`throughput, 64 KiB writes, ${SECONDS}s runs (best of ${direct.length}):`);
  console.log(`  direct loopback      ${mib(directRate)}`);
  console.log(
    `  through a link       ${mib(proxiedRate)}  = ${(ratio * 100).toFixed(0)}% of direct (target >= 70%: ${verdict(ratio >= 0.7)})`,
  );
  console.log(`round trips, 64 bytes, ${ROUND_TRIPS} each:`);
  console.log(`  direct   p50 ${directP50.toFixed(3)} ms  p99 ${percentile(directTimes, 99).toFixed(3)} ms`);
  console.log(
    `  proxied  p50 ${proxiedP50.toFixed(3)} ms  p99 ${percentile(proxiedTimes, 99).toFixed(3)} ms`,
  );
  console.log(`  added p50 ${addedP50.toFixed(3)} ms (target < 0.3 ms: ${verdict(addedP50 < 0.3)})`);
  console.log(
    JSON.stringify({
      directBytesPerSecond: Math.round(directRate),
      proxiedBytesPerSecond: Math.round(proxiedRate),
      throughputRatio: Number(ratio.toFixed(3)),
      directP50Ms: Number(directP50.toFixed(4)),
      proxiedP50Ms: Number(proxiedP50.toFixed(4)),
      addedP50Ms: Number(addedP50.toFixed(4)),
      loadAverage: loadavg()[0],
    }),
  );
} finally {
  child.kill('SIGTERM');
  sink.close();
  echo.close();
}
