/** What the end-to-end suites that drive the `lab` command (and a browser) share. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { type BrowserContext, chromium } from 'playwright-core';

export const LAB = new URL('../bin/lab', import.meta.url).pathname;
export const CHROMIUM = '/usr/bin/chromium';

/**
 * `lab ...args` with LAB_HOME = home() (read at each call: suites create it in beforeAll), as in
 * CI and without colours; resolves with the exit code instead of throwing, output interleaved in `all`.
 */
export function labIn(home: () => string) {
  return (...args: string[]) =>
    execa(process.execPath, [LAB, ...args], {
      reject: false,
      all: true,
      env: { LAB_HOME: home(), CI: 'true', FORCE_COLOR: '0' },
    });
}

/** Debian's chromium, headless, in a fresh profile, with nothing of its own on the network. */
export function openChromium(viewport: { width: number; height: number }): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(path.join(tmpdir(), 'lab-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport,
  });
}
