import type { Command } from 'commander';
import { notYetAvailable } from '../not-yet.ts';

export function registerInfra(program: Command): void {
  const infra = program
    .command('infra')
    .description("run one of the lab's own infrastructure pieces standalone");
  infra
    .command('kafka')
    .description('a single-node broker speaking the Kafka wire protocol')
    .option('--port <port>', 'listen port', '9092')
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('--data-dir <dir>', 'where the partition logs live')
    .option('--partitions <n>', 'partitions of auto-created topics', '1')
    .action(notYetAvailable('infra kafka', 'kafka broker'));
  infra
    .command('fault-proxy')
    .description('a TCP proxy serving the Toxiproxy HTTP API')
    .option('--host <host>', 'API listen address', '127.0.0.1')
    .option('--port <port>', 'API listen port', '8474')
    .action(notYetAvailable('infra fault-proxy', 'fault proxy'));
}
