/**
 * The fleet's PostgreSQL: a throwaway server of its own (initdb + pg_ctl on a free port, the system
 * tests' PrivatePostgres), or a given server with a fresh schema dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Resources } from '../../test/broker/helpers.ts';
import { PrivatePostgres } from '../../test/system/helpers.ts';

export interface FleetDatabase {
  url: string;
  /** The hubs' schema (OSKARTRACK_DB_SCHEMA); undefined: the server's default. */
  schema: string | undefined;
  /** A client on the hubs' tables, for the checks. */
  connect(): Promise<pg.Client>;
}

function clientFor(url: string, schema: string | undefined): () => Promise<pg.Client> {
  return async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    if (schema) await client.query(`SET search_path TO "${schema}"`);
    return client;
  };
}

export async function fleetDatabase(resources: Resources, url: string | undefined): Promise<FleetDatabase> {
  if (!url) {
    const server = await PrivatePostgres.start(resources);
    return { url: server.url, schema: undefined, connect: clientFor(server.url, undefined) };
  }
  const schema = `fleet_${randomBytes(5).toString('hex')}`;
  const connect = clientFor(url, undefined);
  resources.add(async () => {
    const client = await connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await client.end();
    }
  });
  return { url, schema, connect: clientFor(url, schema) };
}
