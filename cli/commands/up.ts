import type { Command } from 'commander';
import { closest } from 'fastest-levenshtein';
import { ExitCode, LabError } from '../../common/errors.ts';
import { PATTERN_SWITCHES, type PatternSwitch } from '../../common/roster.ts';
import type { Endpoints } from '../runtime/types.ts';

/** Database URLs carry passwords: printed with `***`; the real ones stay in the 0600 state file. */
export function maskPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

export function maskedEndpoints(endpoints: Endpoints): Endpoints {
  return {
    ...endpoints,
    adminToken: endpoints.adminToken ? '***' : '',
    databases: Object.fromEntries(
      Object.entries(endpoints.databases).map(([service, url]) => [service, maskPassword(url)]),
    ) as Endpoints['databases'],
  };
}

/** Only the endpoints that exist (a stack still being assembled has no gateway yet). */
export function formatEndpoints(endpoints: Endpoints, extra: Array<[string, string]> = []): string {
  const rows: Array<[string, string]> = [...extra];
  if (endpoints.gatewayUrl) rows.push(['gateway', endpoints.gatewayUrl]);
  if (endpoints.faultProxyUrl) rows.push(['fault proxy', endpoints.faultProxyUrl]);
  if (endpoints.brokerBootstrap) rows.push(['broker', endpoints.brokerBootstrap]);
  for (const [service, url] of Object.entries(endpoints.services))
    if (url) rows.push([`${service} http`, url]);
  for (const [service, url] of Object.entries(endpoints.databases))
    if (url) rows.push([`${service} db`, maskPassword(url)]);
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n');
}

/** A first request to try against the gateway (services/SCHEMA.md lists the whole API). */
export function curlExample(gatewayUrl: string): string {
  return [
    'Try it:',
    `  curl -s -X POST ${gatewayUrl}/api/auth/register -H 'content-type: application/json' \\`,
    `    -d '{"email":"you@example.com","password":"a long password"}'`,
    `  curl -s ${gatewayUrl}/api/catalog/products`,
  ].join('\n');
}

function parseWithout(values: string[] | undefined): PatternSwitch[] {
  return (values ?? []).map((value) => {
    if ((PATTERN_SWITCHES as readonly string[]).includes(value)) return value as PatternSwitch;
    throw new LabError('E_BAD_SWITCH', `unknown pattern '${value}' for --without.`, {
      exitCode: ExitCode.badInput,
      hint: `The closest is '${closest(value, [...PATTERN_SWITCHES])}'. Known: ${PATTERN_SWITCHES.join(', ')}.`,
    });
  });
}

/**
 * Runs `work` with an AbortSignal that Ctrl-C (SIGINT) or SIGTERM aborts. The handlers stay
 * installed until `work` settles, so a second Ctrl-C cannot cut the cleanup short.
 */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.stderr.write('lab: still stopping what was started...\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The web console beside the stack; a console that will not start never fails `lab up`. */
async function startConsole(): Promise<Array<[string, string]>> {
  const { labHome } = await import('../home.ts');
  const { adminToken } = await import('../runtime/home-secrets.ts');
  const { ensureConsole } = await import('../ui/launch.ts');
  const { consoleUrl } = await import('../ui/record.ts');
  try {
    const home = labHome();
    return [['console', consoleUrl(await ensureConsole(home), adminToken(home))]];
  } catch (error) {
    process.stderr.write(
      `lab: the web console did not start (${(error as Error).message}); try \`lab ui\`.\n`,
    );
    return [];
  }
}

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('start the stack, wait until it is healthy, print its endpoints; the stack keeps running')
    .option('--runtime <runtime>', 'auto | local | docker', 'auto')
    .option('--without <pattern...>', 'switch a pattern off: outbox | inbox | compensation')
    .option('--no-ui', 'do not start the web console (`lab ui` starts it later)')
    .action(async (options: { runtime: string; without?: string[]; ui: boolean }) => {
      // Loaded here, not at the top: every other command would pay for the runtimes at start-up.
      const { LocalRuntime } = await import('../runtime/local/local-runtime.ts');
      const { createRuntime, parseRuntimeChoice, selectRuntime } = await import('../runtime/select.ts');
      const choice = parseRuntimeChoice(options.runtime);
      const without = parseWithout(options.without);
      const running = new LocalRuntime().liveState();
      if (running && !running.complete)
        throw new LabError(
          'E_UP_IN_PROGRESS',
          `another \`lab up\` (pid ${running.upPid}) is still starting a stack here.`,
          {
            exitCode: ExitCode.infrastructure,
            hint: 'Wait for it (`lab status`), or interrupt it with `lab down`.',
          },
        );
      if (running) {
        const consoleRows = options.ui ? await startConsole() : [];
        process.stdout.write(
          `A lab stack is already running (local runtime, started ${running.startedAt}); nothing was started.\n${formatEndpoints(running.endpoints, consoleRows)}\n`,
        );
        return;
      }
      const selection = await selectRuntime(choice);
      process.stderr.write(`lab: ${selection.name} runtime (${selection.reason})\n`);
      const runtime = await createRuntime(selection.name);
      const endpoints = await interruptible((signal) =>
        runtime.up({ without, signal, onProgress: (message) => process.stderr.write(`lab: ${message}\n`) }),
      );
      const consoleRows = options.ui ? await startConsole() : [];
      process.stdout.write(
        `The stack is up (${selection.name} runtime${without.length ? `, without ${without.join(', ')}` : ''}).\n${formatEndpoints(endpoints, consoleRows)}\n${endpoints.gatewayUrl ? `${curlExample(endpoints.gatewayUrl)}\n` : ''}Stop it with \`lab down\`.\n`,
      );
    });
}
