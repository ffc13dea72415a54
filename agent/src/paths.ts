import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where the agent keeps its outbox, credentials and models: `OSKARTRACK_DATA_DIR` or `~/.oskartrack`. */
export function dataDir(explicit?: string): string {
  return resolve(explicit ?? (process.env.OSKARTRACK_DATA_DIR || join(homedir(), '.oskartrack')));
}
