/**
 * A thread of dashboard clients: WebSockets on the hubs' live feed (`/ws`, protocol/src/live.ts),
 * signed in as a viewer. While measuring, each client notes when it got every sampled event
 * (seq divisible by `sampleEvery`); the main thread later says when each was stored.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type ServerMessage, WS_PATH } from '@oskartrack/protocol';
import WebSocket from 'ws';

export interface DashboardWorkerData {
  /** Per hub: its base URL (http://...) and an access token. */
  hubs: Array<{ url: string; token: string }>;
  clients: number;
  sampleEvery: number;
}

export type DashboardCommand =
  | { type: 'ready' }
  | { type: 'measure'; on: boolean }
  /** `stored`: [device:seq, stored at ms]; answers with the latencies of what the clients got. */
  | { type: 'report'; stored: Array<[string, number]> }
  | { type: 'close' };

export interface HubFanOut {
  clients: number;
  /** (event, client) pairs the clients should have had, and had. */
  expected: number;
  delivered: number;
  /** Stored to received, ms, per delivered pair. */
  latencies: number[];
}

export type DashboardReply =
  | { type: 'ok'; connected: number }
  | { type: 'report'; perHub: HubFanOut[]; closed: number };

interface Client {
  hub: number;
  ws: WebSocket;
  hello: boolean;
  got: Map<string, number>;
}

function run(data: DashboardWorkerData): void {
  const port = parentPort!;
  let measuring = false;
  let closed = 0;
  const clients: Client[] = Array.from({ length: data.clients }, (_, i) => {
    const hub = i % data.hubs.length;
    const h = data.hubs[hub]!;
    const url = `${h.url.replace(/^http/, 'ws')}${WS_PATH}?token=${encodeURIComponent(h.token)}`;
    const c: Client = { hub, ws: new WebSocket(url), hello: false, got: new Map() };
    c.ws.on('message', (raw) => {
      const at = Date.now();
      const m = JSON.parse(raw.toString()) as ServerMessage;
      if (m.type === 'hello') c.hello = true;
      if (m.type !== 'events' || !measuring) return;
      for (const e of m.events) {
        const key = `${m.deviceId}:${e.seq}`;
        if (e.seq % data.sampleEvery === 0 && !c.got.has(key)) c.got.set(key, at);
      }
    });
    c.ws.on('close', () => closed++);
    c.ws.on('error', () => undefined);
    return c;
  });

  const report = (stored: Array<[string, number]>): DashboardReply => {
    const perHub: HubFanOut[] = data.hubs.map(() => ({
      clients: 0,
      expected: 0,
      delivered: 0,
      latencies: [],
    }));
    for (const c of clients) {
      const h = perHub[c.hub]!;
      h.clients++;
      for (const [key, storedAt] of stored) {
        h.expected++;
        const got = c.got.get(key);
        if (got === undefined) continue;
        h.delivered++;
        h.latencies.push(got - storedAt);
      }
      c.got.clear();
    }
    return { type: 'report', perHub, closed };
  };

  port.on('message', async (c: DashboardCommand) => {
    if (c.type === 'ready') {
      const end = Date.now() + 120_000;
      while (clients.some((x) => !x.hello) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    } else if (c.type === 'measure') measuring = c.on;
    else if (c.type === 'report') {
      port.postMessage(report(c.stored));
      return;
    } else if (c.type === 'close') for (const x of clients) x.ws.terminate();
    port.postMessage({
      type: 'ok',
      connected: clients.filter((x) => x.hello).length,
    } satisfies DashboardReply);
  });
}

run(workerData as DashboardWorkerData);
