/**
 * `lab infra fault-proxy`: the fault proxy standalone, a Toxiproxy for anyone's tests. Runs until
 * SIGINT/SIGTERM, then closes every proxy and its connections. `--config FILE` populates proxies
 * from a JSON array before the API answers (Toxiproxy's `-config`). JSON log lines (pino) on
 * stdout: changes at info, reads at debug (LAB_LOG_LEVEL).
 */
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { badInput, infrastructureFailure } from '../../common/errors.ts';
import { type ApiRequestLog, TOXIPROXY_VERSION } from './api.ts';
import { ApiError } from './api-error.ts';
import { startFaultProxy } from './server.ts';

function parseInteger(flag: string, raw: string, max: number): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw badInput('E_BAD_OPTION', `${flag} ${raw}: expected a whole number from 0 to ${max}.`);
  }
  return value;
}

/** A populate body from a file: a JSON array of {name, listen, upstream, enabled?}. */
function readConfig(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw badInput('E_BAD_CONFIG', `--config ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badInput('E_BAD_CONFIG', `--config ${file}: not JSON (${(error as Error).message})`);
  }
}

export async function runFaultProxyCommand(options: {
  host: string;
  port: string;
  seed?: string;
  config?: string;
}): Promise<void> {
  const port = parseInteger('--port', options.port, 65535);
  const seed = options.seed === undefined ? undefined : parseInteger('--seed', options.seed, 2 ** 32 - 1);
  const populate = options.config === undefined ? undefined : readConfig(options.config);
  const logger = pino({ level: process.env.LAB_LOG_LEVEL ?? 'info', base: { service: 'fault-proxy' } });
  const onRequest = (entry: ApiRequestLog): void => {
    if (entry.method === 'GET') logger.debug(entry, 'api');
    else logger.info(entry, 'api');
  };
  const faultProxy = await startFaultProxy({ host: options.host, port, seed, onRequest, populate }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error instanceof ApiError) {
        throw infrastructureFailure(
          'E_POPULATE',
          `the fault proxy cannot create the proxies of ${options.config}: ${error.message}`,
        );
      }
      throw infrastructureFailure(
        'E_LISTEN',
        `the fault proxy cannot listen on ${options.host}:${port}: ${error.code ?? error.message}`,
        error.code === 'EADDRINUSE'
          ? 'Another process (a Toxiproxy?) uses that port: pick one with --port.'
          : undefined,
        error,
      );
    },
  );
  logger.info(
    { url: faultProxy.url, seed: faultProxy.seed, proxies: faultProxy.proxies.all().length },
    `fault proxy (Toxiproxy ${TOXIPROXY_VERSION} API) listening on ${faultProxy.url} (seed ${faultProxy.seed})`,
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  await faultProxy.close();
  logger.info({ signal }, 'fault proxy stopped');
  // Stopped on purpose by SIGTERM (a supervisor) is success; Ctrl-C is an interruption.
  process.exitCode = signal === 'SIGINT' ? 130 : 0;
}
