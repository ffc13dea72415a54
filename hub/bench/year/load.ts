/**
 * Many dashboard users at once with autocannon: each connection is one user loading the dashboard's
 * requests in turn (one at a time, as a page's requests follow each other on one connection). The
 * time of each answer is counted for the request it answers (found through the client's request
 * iterator), so every query gets its own p50 / p99, non-2xx and time-outs.
 */
import autocannon from 'autocannon';
import { type DashboardQuery, percentile, urlOf } from './dashboard-queries.ts';

export interface QueryLoad {
  label: string;
  count: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  timeouts: number;
}

export interface LoadResult {
  connections: number;
  seconds: number;
  requests: number;
  errors: number;
  timeouts: number;
  perQuery: QueryLoad[];
}

/** What this file reads of autocannon's client (its request iterator is not in the typings). */
interface CannonClient {
  on(event: 'response', f: (status: number, bytes: number, ms: number) => void): void;
  on(event: 'timeout', f: () => void): void;
  requestIterator: { currentRequestIndex: number; requests: { path?: string }[] };
  setRequests(requests: { method: 'GET'; path: string }[]): void;
}

export async function runLoad(o: {
  url: string;
  token: string;
  queries: DashboardQuery[];
  connections: number;
  seconds: number;
  timeoutSeconds?: number;
}): Promise<LoadResult> {
  const byPath = new Map(
    o.queries.map((q) => [urlOf(q), { q, times: [] as number[], non2xx: 0, timeouts: 0 }]),
  );
  const requests = o.queries.map((q) => ({ method: 'GET' as const, path: urlOf(q) }));
  let started = 0;
  const result = await autocannon({
    url: o.url,
    connections: o.connections,
    duration: o.seconds,
    timeout: o.timeoutSeconds ?? 10,
    headers: { authorization: `Bearer ${o.token}` },
    requests,
    setupClient: (c: unknown) => {
      const client = c as CannonClient;
      // Each user starts at another page of the round, so the queries run side by side, not in step.
      const k = started++ % requests.length;
      client.setRequests([...requests.slice(k), ...requests.slice(0, k)]);
      const it = client.requestIterator;
      const at = (i: number) => byPath.get(it.requests[i]?.path ?? '');
      // An answer comes before the next request is picked; a time-out after (the client reconnects
      // and sends the next one first), so it belongs to the one before the current.
      client.on('response', (status, _bytes, ms) => {
        const s = at(it.currentRequestIndex);
        if (!s) return;
        s.times.push(ms);
        if (status < 200 || status > 299) s.non2xx++;
      });
      client.on('timeout', () => {
        const s = at((it.currentRequestIndex + it.requests.length - 1) % it.requests.length);
        if (s) s.timeouts++;
      });
    },
  });
  return {
    connections: o.connections,
    seconds: o.seconds,
    requests: result.requests.total,
    errors: result.errors,
    timeouts: result.timeouts,
    perQuery: [...byPath.values()].map(({ q, times, non2xx, timeouts }) => ({
      label: q.label,
      count: times.length,
      p50: percentile(times, 50),
      p99: percentile(times, 99),
      max: times.length ? Math.max(...times) : Number.NaN,
      non2xx,
      timeouts,
    })),
  };
}
