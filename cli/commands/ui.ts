import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Command } from 'commander';

/** A desktop session with xdg-open: open the console there too; a server or CI only prints. */
function openInBrowser(url: string): boolean {
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return false;
  const opener = ['/usr/bin/xdg-open', '/usr/local/bin/xdg-open'].find((candidate) => existsSync(candidate));
  if (!opener) return false;
  const child = spawn(opener, [url], { detached: true, stdio: 'ignore' });
  child.on('error', () => {});
  child.unref();
  return true;
}

export function registerUi(program: Command): void {
  program
    .command('ui')
    .description(
      'the live web console of the running stack (127.0.0.1 only): prints its URL, opens it on a desktop',
    )
    .option('--no-open', 'only print the URL')
    .action(async (options: { open: boolean }) => {
      const { labHome } = await import('../home.ts');
      const { runtimeOfRunningStack } = await import('../runtime/select.ts');
      const { adminToken } = await import('../runtime/home-secrets.ts');
      const { ensureConsole } = await import('../ui/launch.ts');
      const { consoleUrl } = await import('../ui/record.ts');
      // Throws E_NOT_RUNNING (with how to start one) when no stack is up here.
      await (await runtimeOfRunningStack()).endpoints();
      const home = labHome();
      const url = consoleUrl(await ensureConsole(home), adminToken(home));
      process.stdout.write(
        `The lab console: ${url}\n(the link holds this lab's admin secret: it lets the browser change the stack)\n`,
      );
      if (options.open && openInBrowser(url)) process.stdout.write('Opened it in your browser.\n');
    });
}
