// `oskartrack-agent enroll`, `run` and `status`: the installer's commands on the box.
import { existsSync, readFileSync } from 'node:fs';
import { check, Id } from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import Database from 'better-sqlite3';
import { createLogger } from '../log.ts';
import { Agent, type AgentStatusFile } from '../runtime/agent.ts';
import { type Identity, loadIdentity, outboxPath, saveIdentity, statusPath } from '../runtime/identity.ts';

const EnrollReply = Type.Object({
  deviceId: Id,
  secret: Type.String({ minLength: 16 }),
  mqtt: Type.Object({ url: Type.String({ minLength: 1 }) }),
});

/** Trades a one-time enrollment code for this box's credential and saves it. */
export async function enroll(opts: {
  hub: string;
  code: string;
  name?: string;
  dataDir: string;
  mqttUrl?: string;
}): Promise<Identity> {
  const url = new URL('/api/enroll', opts.hub);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: opts.code, ...(opts.name ? { name: opts.name } : {}) }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    throw new Error(
      `cannot reach the hub at ${opts.hub}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const message = (body as { message?: string } | undefined)?.message ?? res.statusText;
    throw new Error(`the hub refused the code (${res.status}): ${message}`);
  }
  const r = check(EnrollReply, body);
  if (!r.ok) throw new Error(`unexpected answer from the hub: ${r.error}`);
  const identity: Identity = {
    deviceId: r.value.deviceId,
    secret: r.value.secret,
    hubUrl: opts.hub,
    mqttUrl: opts.mqttUrl ?? r.value.mqtt.url,
  };
  await saveIdentity(opts.dataDir, identity);
  return identity;
}

/** Runs the agent until SIGINT / SIGTERM. */
export async function run(dataDir: string): Promise<void> {
  const log = createLogger('agent');
  const identity = await loadIdentity(dataDir);
  if (!identity)
    throw new Error(
      `this box is not enrolled yet (no ${dataDir}/agent.json): run "oskartrack-agent enroll --hub URL --code CODE"`,
    );
  const agent = new Agent({ dataDir, identity, log });
  await agent.start();
  log.info({ deviceId: identity.deviceId, hub: identity.mqttUrl }, 'agent running');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  log.info('stopping');
  await agent.stop();
}

const mark = (ok: boolean) => (ok ? 'OK  ' : 'FAIL');

/** What an installer wants to know, read from the files the running agent keeps up to date. */
export function statusReport(dataDir: string, now = Date.now()): { ok: boolean; text: string } {
  const lines: string[] = [];
  let ok = true;
  const line = (good: boolean, text: string) => {
    ok &&= good;
    lines.push(`${mark(good)} ${text}`);
  };
  const idFile = `${dataDir}/agent.json`;
  if (!existsSync(idFile)) {
    line(false, `not enrolled: run "oskartrack-agent enroll --hub URL --code CODE"`);
    return { ok, text: lines.join('\n') };
  }
  const identity = JSON.parse(readFileSync(idFile, 'utf8')) as Identity;
  line(true, `enrolled as ${identity.deviceId} with hub ${identity.hubUrl}`);
  let status: AgentStatusFile | undefined;
  if (existsSync(statusPath(dataDir)))
    status = JSON.parse(readFileSync(statusPath(dataDir), 'utf8')) as AgentStatusFile;
  const fresh = status !== undefined && now - status.at < 15_000;
  line(
    fresh,
    fresh
      ? `agent running (pid ${status!.pid})`
      : 'agent is not running: start it with "oskartrack-agent run"',
  );
  if (status && fresh) {
    if (status.cameras.length === 0) line(false, 'no camera configured yet: add one on the hub');
    for (const c of status.cameras) {
      line(
        c.state === 'running',
        `camera ${c.name}: ${c.state}${c.fps ? `, ${c.fps.toFixed(1)} frames/s` : ''}${c.error ? ` (${c.error})` : ''}`,
      );
    }
    line(status.detector !== null, `detector: ${status.detector ?? 'none yet'}`);
    const l = status.link;
    line(
      l.connected && l.hub !== 'offline',
      `hub link: ${l.connected ? 'connected' : 'not connected'}, hub ${l.hub}${l.lastError ? ` (${l.lastError})` : ''}`,
    );
  }
  if (existsSync(outboxPath(dataDir))) {
    const db = new Database(outboxPath(dataDir), { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare('SELECT count(*) AS n, min(created_at) AS oldest FROM outbox_events').get() as {
        n: number;
        oldest: number | null;
      };
      const age = row.oldest ? Math.round((now - row.oldest) / 1000) : 0;
      line(age < 3600, `outbox: ${row.n} events waiting${row.n ? `, oldest ${age} s old` : ''}`);
    } finally {
      db.close();
    }
  }
  return { ok, text: lines.join('\n') };
}
