import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Secrets a lab home keeps across restarts, as 0600 files beside state.json, shared by both
 * runtimes: the services' JWT signing key (issued tokens stay valid over a restart) and their admin
 * token. Generated per home: a well-known default would let any local process seed or fault the shop.
 */
export function homeSecret(home: string, name: 'jwt-secret' | 'admin-token'): string {
  const file = path.join(home, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(home, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** The services' admin token: LAB_ADMIN_TOKEN when set, else the home's own. */
export function adminToken(home: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.LAB_ADMIN_TOKEN || homeSecret(home, 'admin-token');
}
