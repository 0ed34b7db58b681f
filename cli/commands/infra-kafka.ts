/** `lab infra kafka`: option parsing for infra/kafka/standalone.ts. */
import { join } from 'node:path';
import { badInput, ExitCode, infrastructureFailure } from '../../common/errors.ts';
import { parseListenerSpec } from '../../infra/kafka/listener-spec.ts';
import { labHome } from '../home.ts';

interface InfraKafkaFlags {
  host: string;
  port: string;
  dataDir?: string;
  partitions: string;
  listener: string[];
  advertised?: string;
  autoCreateTopics: boolean;
  fsync?: boolean;
}

function integer(text: string, flag: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badInput('E_BAD_OPTION', `${flag} must be an integer in [${min}, ${max}], got '${text}'`);
  }
  return value;
}

function listener(spec: string): ReturnType<typeof parseListenerSpec> {
  try {
    return parseListenerSpec(spec);
  } catch (error) {
    throw badInput('E_BAD_OPTION', `--listener: ${(error as Error).message}`);
  }
}

export async function runInfraKafka(flags: InfraKafkaFlags): Promise<void> {
  const advertised = flags.advertised ? listener(`0.0.0.0:0=${flags.advertised}`) : undefined;
  const listeners = flags.listener.map(listener);
  const port = integer(flags.port, '--port', 0, 65535);
  const partitions = integer(flags.partitions, '--partitions', 1, 10_000);
  let stoppedBy: NodeJS.Signals;
  try {
    // The broker loads only when it runs, not with every other command.
    const { runKafkaStandalone } = await import('../../infra/kafka/standalone.ts');
    stoppedBy = await runKafkaStandalone({
      host: flags.host,
      port,
      dataDir: flags.dataDir ?? join(labHome(), 'kafka'),
      partitions,
      listeners,
      autoCreateTopics: flags.autoCreateTopics,
      fsync: flags.fsync === true,
      ...(advertised?.advertisedHost !== undefined ? { advertisedHost: advertised.advertisedHost } : {}),
      ...(advertised?.advertisedPort !== undefined ? { advertisedPort: advertised.advertisedPort } : {}),
    });
  } catch (error) {
    throw infrastructureFailure(
      'E_KAFKA_START',
      `the Kafka broker could not start: ${(error as Error).message}`,
      'is the port already in use, or the data dir not writable?',
      error,
    );
  }
  // SIGTERM is the normal way to stop a server (exit 0); Ctrl-C is an interruption (130)
  if (stoppedBy === 'SIGINT') process.exitCode = ExitCode.interrupted;
}
