/**
 * The monthly partitions of tracking_events (migration 0009): which exist, adding the months ahead
 * and dropping whole months. Partitions are named `tracking_events_YYYY_MM` and hold one UTC month;
 * `tracking_events_default` holds events of months without one (a box with a wrong clock).
 */
import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../database.ts';

export interface MonthPartition {
  name: string;
  /** The first instant of the month (UTC). */
  from: Date;
  /** The first instant of the next month: every event in it happened before this. */
  to: Date;
}

const MONTH_NAME = /^tracking_events_(\d{4})_(\d{2})$/;

/** The UTC month starting `months` months after the month of `at`. */
export function monthStart(at: Date, months = 0): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + months, 1));
}

export function partitionOf(name: string): MonthPartition | undefined {
  const m = MONTH_NAME.exec(name);
  if (!m) return undefined;
  const from = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
  return { name, from, to: monthStart(from, 1) };
}

export class EventPartitionsRepository {
  constructor(private readonly db: Db) {}

  /** The month partitions, oldest first (the default partition left out). */
  async months(): Promise<MonthPartition[]> {
    const rows = await queryRows<{ name: string }>(
      this.db,
      sql`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = 'tracking_events'::regclass`,
    );
    return rows
      .map((r) => partitionOf(r.name))
      .filter((p): p is MonthPartition => p !== undefined)
      .sort((a, b) => a.from.getTime() - b.from.getTime());
  }

  /** Adds the partition of the month of `at` unless it exists; true when it was added. */
  async addMonth(at: Date): Promise<boolean> {
    const day = monthStart(at).toISOString().slice(0, 10);
    const [row] = await queryRows<{ added: boolean }>(
      this.db,
      sql`SELECT tracking_events_add_month(${day}::date) AS added`,
    );
    return row?.added === true;
  }

  /** Drops a whole month of events: instant, where deleting its rows one by one would take hours. */
  async dropMonth(partition: MonthPartition): Promise<void> {
    if (!MONTH_NAME.test(partition.name)) throw new Error(`not a month partition: ${partition.name}`);
    await this.db.execute(sql`DROP TABLE ${sql.identifier(partition.name)}`);
  }
}
