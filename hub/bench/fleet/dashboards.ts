/**
 * Dashboard clients spread over the hubs: a viewer of a few shops signs in on every hub and opens
 * WebSockets there; the time from an event's storing (its row's `received_at`, the storing
 * transaction's start) to each client receiving it is measured per hub the client is on.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { DashboardCommand, DashboardReply, DashboardWorkerData, HubFanOut } from './dashboard-worker.ts';
import { callJson, login } from './http.ts';
import { tsWorker, WorkerChannel } from './workers.ts';

export class Dashboards {
  private constructor(
    private readonly channel: WorkerChannel<DashboardCommand, DashboardReply>,
    readonly deviceIds: string[],
    private readonly sampleEvery: number,
  ) {}

  /** `clients` sockets of a viewer of `shops` (store id, device id), round-robin over the hubs. */
  static async open(
    hubs: ReadonlyArray<{ url: string; token: string }>,
    shops: ReadonlyArray<{ storeId: string; deviceId: string }>,
    clients: number,
    sampleEvery = 5,
  ): Promise<Dashboards> {
    const name = `fleet-viewer-${randomBytes(3).toString('hex')}`;
    const password = randomBytes(18).toString('base64url');
    const admin = hubs[0]!;
    await callJson(
      admin.url,
      'POST',
      '/api/users',
      { name, password, role: 'viewer', storeIds: shops.map((s) => s.storeId) },
      { token: admin.token },
    );
    const signedIn = [];
    for (const h of hubs) signedIn.push({ url: h.url, token: await login(h.url, name, password) });
    const data: DashboardWorkerData = { hubs: signedIn, clients, sampleEvery };
    const channel = new WorkerChannel<DashboardCommand, DashboardReply>(
      tsWorker(new URL('./dashboard-worker.ts', import.meta.url).href, data),
    );
    const dashboards = new Dashboards(
      channel,
      shops.map((s) => s.deviceId),
      sampleEvery,
    );
    const ready = await channel.ask({ type: 'ready' });
    if (ready.type !== 'ok' || ready.connected < clients)
      throw new Error(`only ${ready.type === 'ok' ? ready.connected : 0} of ${clients} dashboards connected`);
    return dashboards;
  }

  async measure(on: boolean): Promise<void> {
    await this.channel.ask({ type: 'measure', on });
  }

  /** Per hub: what the clients got of the sampled events stored in [from, to]. */
  async report(db: pg.Client, from: Date, to: Date): Promise<{ perHub: HubFanOut[]; closed: number }> {
    const rows = await db.query<{ device_id: string; seq: string; ms: string }>(
      `SELECT device_id, seq, (extract(epoch FROM received_at) * 1000)::bigint AS ms FROM tracking_events
        WHERE device_id = ANY($1) AND seq % $2 = 0 AND received_at BETWEEN $3 AND $4`,
      [this.deviceIds, this.sampleEvery, from, to],
    );
    const stored = rows.rows.map((r): [string, number] => [`${r.device_id}:${r.seq}`, Number(r.ms)]);
    const reply = await this.channel.ask({ type: 'report', stored });
    if (reply.type !== 'report') throw new Error('the dashboard thread did not report');
    return reply;
  }

  async close(): Promise<void> {
    await this.channel.ask({ type: 'close' }).catch(() => undefined);
    await this.channel.worker.terminate();
  }
}
