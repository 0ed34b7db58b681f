import type { Command } from 'commander';
import { notYetAvailable } from '../not-yet.ts';

export function registerFault(program: Command): void {
  const fault = program
    .command('fault')
    .description('network faults on the links of the running stack (Toxiproxy toxics)');
  fault
    .command('list')
    .description('every link with its toxics')
    .action(notYetAvailable('fault list', 'fault proxy'));
  fault
    .command('add')
    .description('add a toxic to a link, e.g. `lab fault add payment.db latency --attr latency=500`')
    .argument('<link>', 'a link such as payment.db, order.kafka, gateway.order')
    .argument('<toxic>', 'latency | bandwidth | slow_close | timeout | reset_peer | slicer | limit_data')
    .option('--attr <key=value...>', 'toxic attributes')
    .option('--upstream', 'apply to client → server traffic (default: downstream)')
    .option('--toxicity <fraction>', 'probability the toxic applies to a connection, 0..1', '1')
    .option('--name <name>', 'toxic name (default: <toxic>_<stream>)')
    .action(notYetAvailable('fault add', 'fault proxy'));
  fault
    .command('remove')
    .description('remove a toxic from a link')
    .argument('<link>')
    .argument('<name>')
    .action(notYetAvailable('fault remove', 'fault proxy'));
  fault
    .command('down')
    .description('disable a link: close its connections and refuse new ones')
    .argument('<link>')
    .action(notYetAvailable('fault down', 'fault proxy'));
  fault
    .command('up')
    .description('enable a disabled link')
    .argument('<link>')
    .action(notYetAvailable('fault up', 'fault proxy'));
  fault
    .command('reset')
    .description('enable every link and remove every toxic')
    .action(notYetAvailable('fault reset', 'fault proxy'));
}
