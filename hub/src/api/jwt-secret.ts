/**
 * The secret that signs access tokens: `OSKARTRACK_JWT_SECRET`, or one generated on first start into
 * `<dataDir>/jwt-secret` (mode 600) and read from there afterwards. With NODE_ENV=production a
 * placeholder ("changeme", "secret", ...) or a secret under 32 characters is refused at start-up.
 */
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings } from '../settings.ts';
import { generateSecret } from './secrets.ts';

export const JWT_SECRET_FILE = 'jwt-secret';
export const MIN_JWT_SECRET_LENGTH = 32;
const PLACEHOLDER =
  /change.?me|placeholder|example|default|dummy|your.?secret|^(secret|password|jwt.?secret|test)$/i;

interface WarnLog {
  warn(msg: string): void;
  info(msg: string): void;
}

/** Why a secret is unfit for production, or undefined when it is fine. */
export function weakSecretReason(secret: string): string | undefined {
  if (PLACEHOLDER.test(secret.trim())) return 'it looks like a placeholder';
  if (secret.length < MIN_JWT_SECRET_LENGTH) return `it is shorter than ${MIN_JWT_SECRET_LENGTH} characters`;
  if (new Set(secret).size < 8) return 'it repeats too few different characters';
  return undefined;
}

export function resolveJwtSecret(
  settings: Pick<Settings, 'dataDir' | 'jwtSecret' | 'environment'>,
  log?: WarnLog,
): string {
  const production = settings.environment === 'production';
  const check = (secret: string, where: string) => {
    const reason = weakSecretReason(secret);
    if (!reason) return secret;
    const message = `the JWT secret from ${where} is unsafe: ${reason}`;
    if (production) {
      throw new Error(
        `${message}. Set OSKARTRACK_JWT_SECRET to a long random value (openssl rand -base64 48)`,
      );
    }
    log?.warn(`${message} (allowed outside production)`);
    return secret;
  };
  if (settings.jwtSecret) return check(settings.jwtSecret, 'OSKARTRACK_JWT_SECRET');

  const file = join(settings.dataDir, JWT_SECRET_FILE);
  try {
    const secret = readFileSync(file, 'utf8').trim();
    if ((statSync(file).mode & 0o077) !== 0) {
      chmodSync(file, 0o600);
      log?.warn(`${file} was readable by other users; its mode is now 600`);
    }
    return check(secret, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(settings.dataDir, { recursive: true, mode: 0o700 });
  const secret = generateSecret(48);
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process wrote it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw err;
  }
  log?.info(`generated a JWT secret into ${file}`);
  return secret;
}
