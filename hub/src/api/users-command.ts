/**
 * Accounts outside the HTTP API: the first administrator on a fresh hub, and the CLI's
 * `oskartrack-hub users create NAME --role admin` (password from standard input).
 */
import type { Readable } from 'node:stream';
import { ValidationError } from '../db/errors.ts';
import type { Repositories, User } from '../db/repositories/index.ts';
import { USER_ROLES, type UserRole } from '../db/schema.ts';
import { generatePassword, hashSecret } from './secrets.ts';

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

interface InfoLog {
  info(msg: string): void;
  warn(msg: string): void;
}

export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new ValidationError(`a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new ValidationError(`a password has at most ${MAX_PASSWORD_LENGTH} characters`);
  }
}

export interface CreateUserInput {
  name: string;
  password: string;
  role: UserRole;
  storeIds?: readonly string[];
}

/** Checks the password, hashes it with argon2id and stores the user. */
export async function createUser(repos: Pick<Repositories, 'users'>, input: CreateUserInput): Promise<User> {
  checkPassword(input.password);
  if (!USER_ROLES.includes(input.role))
    throw new ValidationError(`role must be one of ${USER_ROLES.join(', ')}`);
  const passwordHash = await hashSecret(input.password);
  return repos.users.create({
    name: input.name,
    passwordHash,
    role: input.role,
    ...(input.storeIds ? { storeIds: input.storeIds } : {}),
  });
}

/**
 * On a hub with no users at all, creates `admin` with a random password, prints it once (to the log
 * and standard error) and returns it; otherwise returns undefined and changes nothing.
 */
export async function ensureFirstAdmin(
  repos: Pick<Repositories, 'users'>,
  log: InfoLog,
  options: { print?: (line: string) => void } = {},
): Promise<{ name: string; password: string } | undefined> {
  const existing = await repos.users.list();
  if (existing.length > 0) return undefined;
  const password = generatePassword();
  try {
    await createUser(repos, { name: 'admin', password, role: 'admin' });
  } catch (err) {
    // Two hubs starting at once: the other one created it.
    if ((err as Error).name === 'ConflictError') return undefined;
    throw err;
  }
  const print = options.print ?? ((line: string) => process.stderr.write(`${line}\n`));
  log.warn(
    'created the first administrator "admin"; its password is printed once below: change it after signing in',
  );
  print(`\n  OskarTrack first administrator\n    user name: admin\n    password:  ${password}\n`);
  return { name: 'admin', password };
}

/** Reads a password from a stream: the first line, without its line ending. */
export async function readPassword(input: Readable): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    const nl = text.search(/\r?\n/);
    if (nl >= 0) return text.slice(0, nl);
    if (text.length > MAX_PASSWORD_LENGTH * 4) break;
  }
  return text.replace(/\r?\n$/, '');
}

/**
 * The body of `oskartrack-hub users create NAME --role ROLE [--store ID ...]`: reads the password from
 * `input` (standard input: piped, or typed and ended with Enter) and creates the user.
 */
export async function usersCreateCommand(
  repos: Pick<Repositories, 'users'>,
  args: { name: string; role: string; storeIds?: string[] },
  input: Readable,
): Promise<User> {
  if (!USER_ROLES.includes(args.role as UserRole)) {
    throw new ValidationError(`role must be one of ${USER_ROLES.join(', ')}`);
  }
  const password = await readPassword(input);
  return createUser(repos, {
    name: args.name,
    password,
    role: args.role as UserRole,
    ...(args.storeIds ? { storeIds: args.storeIds } : {}),
  });
}
