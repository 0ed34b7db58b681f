import type { Command } from 'commander';
import { runInfraKafka } from './infra-kafka.ts';

export function registerInfra(program: Command): void {
  const infra = program
    .command('infra')
    .description("run one of the lab's own infrastructure pieces standalone");
  infra
    .command('kafka')
    .description('a single-node broker speaking the Kafka wire protocol')
    .option('--port <port>', 'listen port', '9092')
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('--data-dir <dir>', 'where the partition logs live (default: <lab home>/kafka)')
    .option('--partitions <n>', 'partitions of auto-created topics', '1')
    .option(
      '--listener <host:port[=advertised-host:port]>',
      'an extra listener and the address it advertises (repeatable)',
      (spec: string, previous: string[]) => [...previous, spec],
      [] as string[],
    )
    .option('--advertised <host:port>', 'what the main listener advertises (default: itself)')
    .option('--no-auto-create-topics', 'refuse unknown topics instead of creating them')
    .option('--fsync', 'fsync every append (survives power loss, slower)')
    .action(runInfraKafka);
  infra
    .command('fault-proxy')
    .description('a TCP proxy serving the Toxiproxy HTTP API')
    .option('--host <host>', 'API listen address', '127.0.0.1')
    .option('--port <port>', 'API listen port', '8474')
    .option('--seed <n>', 'seed of the random source (toxicity draws, jitter, slicing)')
    .option('--config <file>', 'create proxies from a JSON array at start (as Toxiproxy -config)')
    .action(async (options: { host: string; port: string; seed?: string; config?: string }) => {
      const { runFaultProxyCommand } = await import('../../infra/fault-proxy/command.ts');
      await runFaultProxyCommand(options);
    });
}
