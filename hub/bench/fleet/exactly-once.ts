/**
 * The fleet's exactly-once check: what the database holds for each box (stored events and dead
 * letters together) against the last seq the box handed out. Every seq 1..last once: no gap, no copy.
 */
import type pg from 'pg';

export interface DeviceCount {
  deviceId: string;
  /** The box's last seq. */
  expected: number;
  rows: number;
  distinct: number;
  min: number;
  max: number;
}

export interface ExactlyOnce {
  devices: number;
  expected: number;
  stored: number;
  /** Seqs of 1..last with no row. */
  missing: number;
  /** Rows beyond the first for a seq. */
  duplicates: number;
  /** Rows above the box's last seq (never sent: would be a bug in the check or the hub). */
  unexpected: number;
  /** Boxes with anything wrong, for the report (at most 10). */
  wrong: DeviceCount[];
}

export async function checkExactlyOnce(
  client: pg.Client,
  lastSeqs: ReadonlyMap<string, number>,
): Promise<ExactlyOnce> {
  const r = await client.query<{ device_id: string; n: string; d: string; lo: string; hi: string }>(
    `SELECT device_id, count(*) AS n, count(DISTINCT seq) AS d, min(seq) AS lo, max(seq) AS hi
       FROM (SELECT device_id, seq FROM tracking_events
             UNION ALL SELECT device_id, seq FROM dead_letters) e
      WHERE device_id = ANY($1)
      GROUP BY device_id`,
    [[...lastSeqs.keys()]],
  );
  const found = new Map(r.rows.map((row) => [row.device_id, row]));
  const result: ExactlyOnce = {
    devices: lastSeqs.size,
    expected: 0,
    stored: 0,
    missing: 0,
    duplicates: 0,
    unexpected: 0,
    wrong: [],
  };
  for (const [deviceId, expected] of lastSeqs) {
    const row = found.get(deviceId);
    const c: DeviceCount = {
      deviceId,
      expected,
      rows: Number(row?.n ?? 0),
      distinct: Number(row?.d ?? 0),
      min: Number(row?.lo ?? 0),
      max: Number(row?.hi ?? 0),
    };
    // Rows within 1..expected are distinct seqs; anything above `expected` is unexpected.
    const above = c.max > expected ? await countAbove(client, deviceId, expected) : 0;
    result.expected += expected;
    result.stored += c.rows;
    result.duplicates += c.rows - c.distinct;
    result.unexpected += above;
    result.missing += expected - (c.distinct - above);
    const ok =
      c.rows === expected &&
      c.distinct === expected &&
      (expected === 0 || (c.min === 1 && c.max === expected));
    if (!ok && result.wrong.length < 10) result.wrong.push(c);
  }
  return result;
}

async function countAbove(client: pg.Client, deviceId: string, seq: number): Promise<number> {
  const r = await client.query<{ n: string }>(
    `SELECT count(DISTINCT seq) AS n FROM (SELECT seq FROM tracking_events WHERE device_id = $1 AND seq > $2
       UNION ALL SELECT seq FROM dead_letters WHERE device_id = $1 AND seq > $2) e`,
    [deviceId, seq],
  );
  return Number(r.rows[0]?.n ?? 0);
}

export function exactlyOnceHolds(r: ExactlyOnce): boolean {
  return r.missing === 0 && r.duplicates === 0 && r.unexpected === 0 && r.wrong.length === 0;
}
