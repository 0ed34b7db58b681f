import type { Command } from 'commander';
import { closest } from 'fastest-levenshtein';
import { type ClockRequest, MAX_CLOCK_SPEED, resolveClockStart } from '../../common/clock.ts';
import { ExitCode, LabError } from '../../common/errors.ts';
import { DEFAULT_KIT, KITS, type Kit, PATTERN_SWITCHES, type PatternSwitch } from '../../common/roster.ts';
import { guarded } from '../runtime/lifecycle.ts';
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

/** A first order to try against the gateway (docs/TUTORIAL.md goes on from here). */
export function curlExample(gatewayUrl: string): string {
  return [
    'Try it (the catalog has a demo bakery menu; docs/TUTORIAL.md goes on from here):',
    `  G=${gatewayUrl}`,
    `  TOKEN=$(curl -s -X POST $G/api/auth/register -H 'content-type: application/json' \\`,
    `    -d '{"email":"you@example.com","password":"a long password"}' | jq -r .token)`,
    `  curl -s -X POST $G/api/payment/account/top-up -H "authorization: Bearer $TOKEN" \\`,
    `    -H 'content-type: application/json' -d '{"amount_cents":2000}'`,
    '  curl -s $G/api/catalog/products',
    `  curl -s -X POST $G/api/order/orders -H "authorization: Bearer $TOKEN" \\`,
    `    -H 'content-type: application/json' -d '{"lines":[{"sku":"croissant","quantity":2}]}'`,
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

export function parseKit(value: string | undefined): Kit | undefined {
  if (value === undefined || (KITS as readonly string[]).includes(value)) return value as Kit | undefined;
  throw new LabError('E_BAD_KIT', `unknown kit '${value}' for --kit.`, {
    exitCode: ExitCode.badInput,
    hint: `Known: ${KITS.join(', ')} (services/README.md says what each is).`,
  });
}

/** `--clock-speed N [--clock-start HH:MM|ISO]`: undefined (real time) when neither is given. */
function parseClock(speed: string | undefined, start: string | undefined): ClockRequest | undefined {
  if (speed === undefined && start === undefined) return undefined;
  const value = speed === undefined ? 1 : Number(speed);
  if (!Number.isFinite(value) || value <= 0 || value > MAX_CLOCK_SPEED)
    throw new LabError(
      'E_BAD_CLOCK',
      `--clock-speed must be a number in (0, ${MAX_CLOCK_SPEED}], got '${speed}'.`,
      {
        exitCode: ExitCode.badInput,
        hint: 'e.g. --clock-speed 720: twelve lab hours in a real minute.',
      },
    );
  try {
    resolveClockStart(start, Date.now());
  } catch (error) {
    throw new LabError('E_BAD_CLOCK', `--clock-start: ${(error as Error).message}.`, {
      exitCode: ExitCode.badInput,
    });
  }
  return { speed: value, ...(start === undefined ? {} : { start }) };
}

/**
 * Runs `work` under every way out (cli/runtime/lifecycle.ts): the signal aborts on SIGINT,
 * SIGTERM, SIGHUP, a closed output or a stray exception; the exit code says which.
 */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const { value, interruption } = await guarded(work);
  if (interruption) process.exitCode = interruption.exitCode;
  return value;
}

function sameSwitches(a: readonly string[], b: readonly string[]): boolean {
  return [...a].sort().join() === [...b].sort().join();
}

function describeSwitches(without: readonly string[]): string {
  return without.length > 0 ? `without ${without.join(', ')}` : 'with every pattern on';
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
    .option('--without <pattern...>', 'switch a pattern off: outbox | inbox | compensation | stale_guard')
    .option(
      '--kit <kit>',
      `which implementation of the patterns runs: ${KITS.join(' | ')} (default ${DEFAULT_KIT})`,
    )
    .option(
      '--clock-speed <n>',
      'lab milliseconds per real millisecond (720: a 12-hour bakery day in a minute)',
    )
    .option('--clock-start <time>', 'the lab time the clock starts at: HH:MM (UTC, today) or an ISO instant')
    .option('--force-recreate', 'stop a running stack first and start it again with these switches')
    .option('--no-seed', 'do not put the demo bakery menu in the catalog')
    .option('--no-ui', 'do not start the web console (`lab ui` starts it later)')
    .action(
      async (options: {
        runtime: string;
        without?: string[];
        kit?: string;
        clockSpeed?: string;
        clockStart?: string;
        forceRecreate?: boolean;
        seed: boolean;
        ui: boolean;
      }) => {
        // Loaded here, not at the top: every other command would pay for the runtimes at start-up.
        const { createRuntime, parseRuntimeChoice, runtimeOfRunningStack, selectRuntime } = await import(
          '../runtime/select.ts'
        );
        const choice = parseRuntimeChoice(options.runtime);
        const without = parseWithout(options.without);
        const kit = parseKit(options.kit) ?? DEFAULT_KIT;
        const clock = parseClock(options.clockSpeed, options.clockStart);
        const current = await runtimeOfRunningStack();
        const running = await current.status();
        if (current.name === 'local') {
          const { LocalRuntime } = await import('../runtime/local/local-runtime.ts');
          const live = new LocalRuntime().liveState();
          // What a `lab up` that died half-way left is not a stack: runtime.up cleans it up.
          if (!live) running.running = false;
          if (live && !live.complete)
            throw new LabError(
              'E_UP_IN_PROGRESS',
              `another \`lab up\` (pid ${live.upPid}) is still starting a stack here.`,
              {
                exitCode: ExitCode.infrastructure,
                hint: 'Wait for it (`lab status`), or interrupt it with `lab down`.',
              },
            );
        }
        if (running.running && !options.forceRecreate) {
          if (!sameSwitches(running.without, without))
            throw new LabError(
              'E_STACK_SWITCHES',
              `a lab stack is already running ${describeSwitches(running.without)} (${current.name} runtime); you asked for one ${describeSwitches(without)}. Nothing was changed.`,
              {
                exitCode: ExitCode.badInput,
                hint: `Recreate it with: lab up --force-recreate${without.map((pattern) => ` --without ${pattern}`).join('')}`,
              },
            );
          if (running.kit !== kit)
            throw new LabError(
              'E_STACK_KIT',
              `a lab stack is already running with the ${running.kit} kit (${current.name} runtime); you asked for the ${kit} kit. Nothing was changed.`,
              {
                exitCode: ExitCode.badInput,
                hint: `Recreate it with: lab up --force-recreate --kit ${kit}${without.map((pattern) => ` --without ${pattern}`).join('')}`,
              },
            );
          if (clock && (running.clock?.speed ?? 1) !== clock.speed)
            throw new LabError(
              'E_STACK_CLOCK',
              `a lab stack is already running at clock speed ${running.clock?.speed ?? 1} (${current.name} runtime); you asked for ${clock.speed}. Nothing was changed.`,
              {
                exitCode: ExitCode.badInput,
                hint: `Recreate it with: lab up --force-recreate --clock-speed ${clock.speed}`,
              },
            );
          const consoleRows = options.ui ? await startConsole() : [];
          process.stdout.write(
            `A lab stack is already running (${current.name} runtime, ${running.kit} kit, ${describeSwitches(running.without)}); nothing was started.\n${formatEndpoints(await current.endpoints(), consoleRows)}\n`,
          );
          return;
        }
        if (running.running) {
          process.stderr.write(
            `lab: stopping the running stack (${describeSwitches(running.without)}) to recreate it\n`,
          );
          await current.down({ purge: false });
        }
        const selection = await selectRuntime(choice);
        process.stderr.write(`lab: ${selection.name} runtime (${selection.reason})\n`);
        const runtime = await createRuntime(selection.name);
        const endpoints = await interruptible((signal) =>
          runtime.up({
            without,
            kit,
            clock,
            signal,
            onProgress: (message) => process.stderr.write(`lab: ${message}\n`),
          }),
        );
        if (options.seed && endpoints.gatewayUrl) {
          const { describeSeed, seedDemoShop } = await import('./seed.ts');
          process.stderr.write(`lab: ${describeSeed(await seedDemoShop(endpoints))}\n`);
        }
        const consoleRows = options.ui ? await startConsole() : [];
        process.stdout.write(
          `The stack is up (${selection.name} runtime, ${kit} kit${without.length ? `, without ${without.join(', ')}` : ''}${clock ? `, clock ${clock.speed}x` : ''}).\n${formatEndpoints(endpoints, consoleRows)}\n${endpoints.gatewayUrl ? `${curlExample(endpoints.gatewayUrl)}\n` : ''}Stop it with \`lab down\`.\n`,
        );
      },
    );
}
