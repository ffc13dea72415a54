/** The fleet run as text: one table of the numbers the targets name, then the details. */
import type { FleetOptions } from './options.ts';
import type { FleetReport } from './run.ts';
import type { Spread } from './stats.ts';

const ms = (v: number) => (Number.isFinite(v) ? String(Math.round(v)) : '-');
const spreadText = (s: Spread) =>
  `p50 ${ms(s.p50)} / p95 ${ms(s.p95)} / p99 ${ms(s.p99)} / max ${ms(s.max)} ms (n ${s.n})`;

export function formatReport(r: FleetReport, o: FleetOptions): string {
  const e = r.exactlyOnce;
  const lines = [
    `Fleet: ${r.boxes} boxes, ${r.hubs} hubs${o.killHub ? ', one hub SIGKILLed during the drain' : ''}`,
    '',
    '| measure | result |',
    '|---|---|',
    `| set-up: boxes enrolled with camera, line, 2 areas (API) | ${r.setup.provisionSeconds} s |`,
    `| first connection of every box | ${r.setup.connectSeconds} s |`,
    `| hubs started again (broker administration failed at start) | ${r.setup.hubRestarts.length ? r.setup.hubRestarts.join('; ') : 'none'} |`,
    `| steady (${r.steady.seconds} s, shop day x${o.speed}): made / acknowledged / rows added per s, all hubs | ${r.steady.madePerSecond} / ${r.steady.storedPerSecond} / ${r.steady.rowsPerSecond} |`,
    `| publish to signed ack | ${spreadText(r.steady.publishToAck)} |`,
    `| event made to ack | ${spreadText(r.steady.madeToAck)} |`,
    `| outage backlog (all boxes / per box) | ${r.outage.backlog} / ${r.outage.backlogPerBox} |`,
    `| broker back to every box connected | ${r.outage.connectSeconds} s |`,
    `| broker back to every waiting event stored | ${r.outage.drainSeconds} s (${r.outage.drainPerSecond} events/s) |`,
    ...(r.outage.killed
      ? [
          `| hub killed | hub ${r.outage.killed.hub}, ${r.outage.killed.afterSeconds} s after the broker came back |`,
        ]
      : []),
    `| exactly once: expected / stored / missing / duplicates / unexpected | ${e.expected} / ${e.stored} / ${e.missing} / ${e.duplicates} / ${e.unexpected} |`,
    `| hub messages refused by boxes | ${r.refusedByBoxes} |`,
  ];
  for (const [i, f] of (r.steady.fanOut ?? []).entries()) {
    const share = f.expected ? ((100 * f.delivered) / f.expected).toFixed(1) : '-';
    lines.push(
      `| dashboards on hub ${i} (${f.clients}): got ${share}% of sampled events; stored to received | ${spreadText(f.latency)} |`,
    );
  }
  if (r.steady.fanOut) lines.push(`| dashboard sockets closed by a hub | ${r.steady.dashboardsClosed} |`);
  for (const h of r.hubStates)
    lines.push(
      `| hub ${h.index} | ${h.alive ? 'running' : 'stopped'}, ${h.errorLines} error lines in its log |`,
    );
  if (e.wrong.length > 0) lines.push('', `boxes with gaps or copies: ${JSON.stringify(e.wrong)}`);
  return lines.join('\n');
}
