/**
 * Bulk loading into one table with COPY in text format, fed row by row. On PostgreSQL a COPY ... FROM
 * STDIN stream (pg-copy-streams) with backpressure: rows gathered into chunks of about 256 kB, a full
 * stream waited on. On PGlite (one connection, no COPY stream) chunks of 8 MB, each one COPY ... FROM
 * '/dev/blob'.
 */
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export interface RowSink {
  rows: number;
  /** Adds one row (values already `field`-formatted); may wait for the database. */
  row(values: string[]): Promise<void>;
  /** Sends the rest and waits until the database has it all. */
  end(): Promise<void>;
}

const CHUNK = 256 * 1024;
const SPECIAL = /[\\\t\n\r]/;
const columnList = (columns: string[]) => columns.map((c) => `"${c}"`).join(', ');

/** A value in COPY's text format: `\N` for null, backslash, tab and line breaks escaped. */
export function field(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  const s = String(v);
  if (!SPECIAL.test(s)) return s;
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

export class CopyStream implements RowSink {
  private buffer: string[] = [];
  private size = 0;
  rows = 0;

  private constructor(
    private readonly client: pg.Client,
    private readonly stream: NodeJS.WritableStream & { write(chunk: string): boolean },
  ) {}

  /** Connects (in `schema` when given) and starts `COPY table (columns) FROM STDIN`. */
  static async open(url: string, schema: string | undefined, table: string, columns: string[]) {
    const client = new pg.Client({
      connectionString: url,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    await client.connect();
    // Foreign keys and triggers off for this session: the data is consistent by construction, and the
    // per-row checks would cost more than the copy (superuser only; without it the checks run).
    await client.query('SET session_replication_role = replica').catch(() => undefined);
    const stream = client.query(copyFrom(`COPY "${table}" (${columnList(columns)}) FROM STDIN`));
    return new CopyStream(client, stream);
  }

  async row(values: string[]): Promise<void> {
    const line = `${values.join('\t')}\n`;
    this.buffer.push(line);
    this.size += line.length;
    this.rows++;
    if (this.size >= CHUNK) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async end(): Promise<void> {
    await this.flush();
    this.stream.end();
    await finished(this.stream);
    await this.client.end();
  }
}

export class PgliteCopy implements RowSink {
  private buffer: string[] = [];
  private size = 0;
  rows = 0;

  constructor(
    private readonly client: PGlite,
    private readonly table: string,
    private readonly columns: string[],
  ) {}

  async row(values: string[]): Promise<void> {
    const line = `${values.join('\t')}\n`;
    this.buffer.push(line);
    this.size += line.length;
    this.rows++;
    if (this.size >= 8 * 1024 * 1024) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const blob = new Blob(this.buffer);
    this.buffer = [];
    this.size = 0;
    await this.client.query(`COPY "${this.table}" (${columnList(this.columns)}) FROM '/dev/blob'`, [], {
      blob,
    });
  }

  end(): Promise<void> {
    return this.flush();
  }
}
