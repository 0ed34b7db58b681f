/**
 * The standalone broker (what `lab infra kafka` runs) without the CLI's start-up cost, for tests
 * that SIGKILL it. Usage: node groups-broker-process.ts <dataDir>; listens on a free port and
 * logs its listeners as JSON on stdout.
 */
import { runKafkaStandalone } from '../standalone.ts';

const [dataDir] = process.argv.slice(2);
if (!dataDir) {
  process.stderr.write('usage: groups-broker-process.ts <dataDir>\n');
  process.exit(2);
}
await runKafkaStandalone({
  host: '127.0.0.1',
  port: 0,
  dataDir,
  partitions: 1,
  listeners: [],
  logLevel: 'info',
});
