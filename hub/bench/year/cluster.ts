/**
 * The database a year benchmark runs on: the URL given, or a throwaway PostgreSQL server of its own
 * (initdb and pg_ctl on a free port, the same one the system tests start), stopped and removed at the
 * end unless kept.
 */
import { PrivatePostgres, Resources } from '../../test/system/helpers.ts';

export interface BenchDatabase {
  url: string;
  /** Stops and removes a server started here (nothing for a given URL or a kept one). */
  release(): Promise<void>;
}

export async function benchDatabase(url: string | undefined, keep: boolean): Promise<BenchDatabase> {
  if (url) return { url, release: async () => undefined };
  const resources = new Resources();
  const server = await PrivatePostgres.start(resources);
  if (keep) {
    console.log(
      `kept PostgreSQL at ${server.url} (data in ${server.dir}; stop it with pg_ctl stop -D ${server.dir}/data)`,
    );
    return { url: server.url, release: async () => undefined };
  }
  return { url: server.url, release: () => resources.release() };
}
