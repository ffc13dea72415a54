/**
 * Fills PostgreSQL with a chain's year: 10,000,000 events over 100 stores by default, with the visits,
 * time per area and hourly / daily summaries the hub would have made of them (bench/year/generate.ts).
 *
 *   node --import tsx hub/bench/generate-year.ts [URL] [--events 10000000] [--stores 100] [--days 365]
 *        [--schema NAME] [--keep]
 *
 * Without a URL it starts a throwaway PostgreSQL of its own (initdb, pg_ctl, free port), removed at
 * the end unless --keep (then it prints the URL for hub/bench/api-year.ts and dashboard-load.ts).
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { benchDatabase } from './year/cluster.ts';
import { generateYear } from './year/generate.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    events: { type: 'string', default: '10000000' },
    stores: { type: 'string', default: '100' },
    days: { type: 'string', default: '365' },
    schema: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});

const db = await benchDatabase(positionals[0], values.keep);
try {
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  console.log(`${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load ${load()}, node ${process.version}`);
  const t = performance.now();
  const r = await generateYear({
    url: db.url,
    ...(values.schema ? { schema: values.schema } : {}),
    events: Number(values.events),
    stores: Number(values.stores),
    days: Number(values.days),
    log: (line) => console.log(line),
  });
  const secs = (performance.now() - t) / 1000;
  const n = (x: number) => x.toLocaleString('en');
  console.log(
    `\n${n(r.rows.events)} events, ${n(r.rows.visits)} visits, ${n(r.rows.zoneVisits)} times per area, ` +
      `${n(r.rows.summaries)} summary rows, ${n(r.rows.movement)} daily flow and heatmap rows; ${new Date(r.from).toISOString().slice(0, 10)} to ` +
      `${new Date(r.to).toISOString().slice(0, 10)}`,
  );
  console.log(
    `${secs.toFixed(1)} s in all (setup ${r.seconds.setup.toFixed(1)}, copy ${r.seconds.copy.toFixed(1)}, ` +
      `indexes ${r.seconds.indexes.toFixed(1)}, vacuum analyze ${r.seconds.analyze.toFixed(1)}): ` +
      `${n(Math.round(r.rows.events / r.seconds.copy))} events/s copied; load ${load()}`,
  );
} finally {
  await db.release();
}
