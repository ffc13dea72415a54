import { resolve } from 'node:path';

/** Where the agent keeps its outbox, credentials and models: `OSKARTRACK_DATA_DIR` or `./.data`. */
export function dataDir(explicit?: string): string {
  return resolve(explicit ?? process.env.OSKARTRACK_DATA_DIR ?? '.data');
}
