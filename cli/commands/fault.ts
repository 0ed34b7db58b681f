import type { Command } from 'commander';
import { closest } from 'fastest-levenshtein';
import { badInput } from '../../common/errors.ts';
import { describeLink } from '../../common/roster.ts';
import { FaultClient, type LinkState } from '../faults/client.ts';
import { resolveLink } from '../faults/links.ts';
import { resolveFaultProxyUrl } from '../faults/proxy-url.ts';
import { formatAttributes, parseToxicRequest, TOXIC_TYPES } from '../faults/toxics.ts';
import { APP_FAULT_COMMANDS, registerAppFaults } from './fault-app.ts';
import { activeServiceHooks, resetServiceHooks } from './fault-hooks.ts';

async function connect(): Promise<FaultClient> {
  return new FaultClient(await resolveFaultProxyUrl());
}

/** The running stack's endpoints, unless the fault proxy is driven directly (LAB_FAULT_PROXY_URL). */
async function stackEndpoints(): Promise<import('../runtime/types.ts').Endpoints | undefined> {
  if (process.env.LAB_FAULT_PROXY_URL?.trim()) return undefined;
  const { runtimeOfRunningStack } = await import('../runtime/select.ts');
  return (await runtimeOfRunningStack()).endpoints();
}

/** The client and the link, checked against the links the fault proxy really has. */
async function connectToLink(typed: string): Promise<{ client: FaultClient; link: LinkState }> {
  const client = await connect();
  const links = await client.links();
  const name = resolveLink(
    typed,
    links.map((link) => link.name),
  );
  return { client, link: links.find((link) => link.name === name) as LinkState };
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function describeToxic(toxic: LinkState['toxics'][number], set: readonly string[] = []): string {
  const attributes = formatAttributes(toxic.type, toxic.attributes, set);
  // The default name says the direction and type; a custom one does not, so they are added.
  const facts = toxic.name === `${toxic.type}_${toxic.stream}` ? [] : [`${toxic.type} ${toxic.stream}`];
  if (attributes) facts.push(attributes);
  facts.push(`toxicity ${toxic.toxicity}`);
  return `${toxic.name} (${facts.join(', ')})`;
}

function printLinks(links: readonly LinkState[]): void {
  if (links.length === 0) {
    say('no links (the fault proxy has no proxies)');
    return;
  }
  const rows = links.map((link) => [
    link.name,
    link.enabled ? 'up' : 'down',
    link.listen,
    link.upstream,
    link.toxics.length === 0 ? '-' : link.toxics.map((toxic) => describeToxic(toxic)).join('; '),
  ]);
  const header = ['link', 'state', 'listen', 'upstream', 'toxics'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  for (const row of [header, ...rows]) {
    say(
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    );
  }
}

export function registerFault(program: Command): void {
  const fault = program
    .command('fault')
    .description('faults on the running stack: network toxics on its links, and app-level faults');
  fault
    .command('list')
    .description('every link with its toxics')
    .option('--json', 'print the links as JSON')
    .action(async (options: { json?: boolean }) => {
      const links = await (await connect()).links();
      const endpoints = await stackEndpoints();
      const hooks = endpoints ? await activeServiceHooks(endpoints) : [];
      if (options.json) {
        say(JSON.stringify(endpoints ? { links, hooks } : links, null, 2));
        return;
      }
      printLinks(links);
      if (!endpoints) return;
      const on = hooks.filter((hook) => hook.on.length > 0);
      say('');
      say(
        `app-level faults: ${APP_FAULT_COMMANDS.map((name) => `lab fault ${name}`).join(', ')} (--help for each)`,
      );
      say(
        on.length === 0
          ? 'service hooks: none on'
          : `service hooks: ${on.map((hook) => `${hook.service} ${hook.on.join(', ')}`).join('; ')}`,
      );
    });
  fault
    .command('add')
    .description('add a toxic to a link, e.g. `lab fault add payment.db latency --attr latency=500`')
    .argument('<link>', 'a link such as payment.db, order.kafka, gateway.order')
    .argument('<toxic>', TOXIC_TYPES.join(' | '))
    .option('--attr <key=value...>', 'toxic attributes (integers, in the toxic’s units)')
    .option('--upstream', 'apply to client → server traffic (default: downstream)')
    .option('--toxicity <fraction>', 'probability the toxic applies to a connection, 0..1', '1')
    .option('--name <name>', 'toxic name (default: <toxic>_<stream>)')
    .action(
      async (
        typedLink: string,
        type: string,
        options: { attr?: string[]; upstream?: boolean; toxicity?: string; name?: string },
      ) => {
        // Bad input is refused before the fault proxy is asked anything.
        const request = parseToxicRequest({
          type,
          attrs: options.attr,
          upstream: options.upstream,
          toxicity: options.toxicity,
          name: options.name,
        });
        const { client, link } = await connectToLink(typedLink);
        const toxic = await client.addToxic(link.name, request);
        const note = link.enabled ? '' : ' (the link is down: it applies once it is up)';
        say(`${link.name}: added ${describeToxic(toxic, Object.keys(request.attributes))}${note}`);
      },
    );
  fault
    .command('remove')
    .description('remove a toxic from a link')
    .argument('<link>')
    .argument('<name>', 'the toxic name shown by `lab fault list`, e.g. latency_downstream')
    .action(async (typedLink: string, name: string) => {
      const { client, link } = await connectToLink(typedLink);
      const names = link.toxics.map((toxic) => toxic.name);
      if (!names.includes(name)) {
        if (names.length === 0) throw badInput('E_UNKNOWN_TOXIC', `${link.name} has no toxics.`);
        throw badInput(
          'E_UNKNOWN_TOXIC',
          `${link.name} has no toxic '${name}'.`,
          `The closest is '${closest(name, names)}'. Toxics on ${link.name}: ${names.join(', ')}.`,
        );
      }
      await client.removeToxic(link.name, name);
      say(`${link.name}: removed ${name}`);
    });
  fault
    .command('down')
    .description('disable a link: close its connections and refuse new ones')
    .argument('<link>')
    .action(async (typedLink: string) => {
      const { client, link } = await connectToLink(typedLink);
      const { changed } = await client.setEnabled(link.name, false);
      say(
        changed
          ? `${link.name}: down (${describeLink(link.name) || link.upstream} cut: connections closed, new ones refused)`
          : `${link.name}: already down`,
      );
    });
  fault
    .command('up')
    .description('enable a disabled link')
    .argument('<link>')
    .action(async (typedLink: string) => {
      const { client, link } = await connectToLink(typedLink);
      const { changed, link: after } = await client.setEnabled(link.name, true);
      say(changed ? `${link.name}: up (listening on ${after.listen})` : `${link.name}: already up`);
    });
  fault
    .command('reset')
    .description('turn every fault off: links up, toxics removed, every service hook off')
    .action(async () => {
      const result = await (await connect()).reset();
      const endpoints = await stackEndpoints();
      const hooks = endpoints ? await resetServiceHooks(endpoints) : [];
      const hooksOff = hooks.flatMap((hook) =>
        hook.turnedOff.map((what) => `${hook.service}: ${what} hook off`),
      );
      for (const link of result.enabled) say(`${link}: up`);
      for (const { link, toxic } of result.removed) say(`${link}: removed ${toxic}`);
      for (const line of hooksOff) say(line);
      for (const hook of hooks.filter((candidate) => candidate.error))
        say(`${hook.service}: did not answer (${hook.error}); a service that is down has no hooks on`);
      if (result.enabled.length === 0 && result.removed.length === 0 && hooksOff.length === 0) {
        say(`reset: nothing to heal (every link up, no toxics${endpoints ? ', no service hooks' : ''})`);
        return;
      }
      say(
        `reset: ${result.enabled.length} link(s) brought up, ${result.removed.length} toxic(s) removed${endpoints ? `, ${hooksOff.length} service hook(s) turned off` : ''}`,
      );
    });
  registerAppFaults(fault);
}
