/**
 * The field tests' hub and boxes: `oskartrack-hub serve` in the hub's namespace (its own data folder
 * and embedded database, as an installer starts it), the hub's API reached from the test through a
 * Unix-socket portal into that namespace, the agent's commands and the fixture box in the box's
 * namespace, and the exactly-once check against the hub's stored events.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_BIN, HUB_BIN, MEDIA_DIR, range, waitFor } from '../system/helpers.ts';
import type { FieldNet, NsProcess } from './netns.ts';

export { AGENT_BIN, HUB_BIN, MEDIA_DIR, range, waitFor };

const PORTAL = fileURLToPath(new URL('./fixtures/portal.ts', import.meta.url));
export const FIELD_BOX = fileURLToPath(new URL('./fixtures/field-box.ts', import.meta.url));
const TSX = ['--import', 'tsx'];

export const HTTP_PORT = 8080;

/** The hub's HTTP API over the portal's socket (http or https as the hub serves it). */
export class FieldApi {
  private token: string | undefined;

  constructor(
    private readonly socketPath: string,
    private readonly host: string,
    private readonly tls: boolean,
  ) {}

  async login(name: string, password: string): Promise<void> {
    const r = await this.call<{ accessToken: string }>('POST', '/api/auth/login', { name, password });
    if (r.status !== 200) throw new Error(`login failed (${r.status}): ${JSON.stringify(r.body)}`);
    this.token = r.body.accessToken;
  }

  call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = { host: `${this.host}:${HTTP_PORT}` };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const options = { socketPath: this.socketPath, method, path, headers, timeout: 30_000 };
    return new Promise((resolve, reject) => {
      // The test is not the box: it does not pin the hub's certificate (the box's pinning is tested).
      const req = this.tls
        ? httpsRequest({ ...options, rejectUnauthorized: false }, onResponse)
        : httpRequest(options, onResponse);
      function onResponse(res: import('node:http').IncomingMessage) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : undefined) as T });
        });
        res.on('error', reject);
      }
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  async ok<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.call<T>(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path} failed (${r.status}): ${JSON.stringify(r.body)}`);
    return r.body;
  }
}

export interface FieldHubOptions {
  /** Extra `serve` arguments. */
  args?: readonly string[];
  /** `--host`; default the hub's address on the link (`0.0.0.0`: all interfaces, the installer's default). */
  host?: string;
  /** HTTPS and MQTT over TLS with the hub's own CA (the default); false: `--insecure`. */
  tls?: boolean;
}

/** `oskartrack-hub serve` in the hub's namespace; stop/start keep the data folder and the ports. */
export class FieldHub {
  process: NsProcess | undefined;
  admin: { name: string; password: string } | undefined;
  readonly api: FieldApi;
  private portal: NsProcess | undefined;

  constructor(
    private readonly net: FieldNet,
    readonly dataDir: string,
    private readonly options: FieldHubOptions = {},
  ) {
    this.api = new FieldApi(join(dataDir, '..', `${net.hubIf}.sock`), net.hubAddr, this.tls);
  }

  get tls(): boolean {
    return this.options.tls ?? true;
  }

  /** Where the box reaches the hub. */
  get url(): string {
    return `${this.tls ? 'https' : 'http'}://${this.net.hubAddr}:${HTTP_PORT}`;
  }

  async start(): Promise<void> {
    const hub = this.net.spawnNode(
      this.net.hubNs,
      HUB_BIN,
      [
        'serve',
        '--host',
        this.options.host ?? this.net.hubAddr,
        '--port',
        String(HTTP_PORT),
        '--mqtt-port',
        this.tls ? '8883' : '1883',
        ...(this.tls ? [] : ['--insecure']),
        ...(this.options.args ?? []),
      ],
      {
        OSKARTRACK_DATA_DIR: this.dataDir,
        OSKARTRACK_MEDIA_DIR: MEDIA_DIR,
        DATABASE_URL: '',
        OSKARTRACK_DB_SCHEMA: '',
        LOG_LEVEL: 'info',
      },
    );
    this.process = hub;
    await waitFor(
      'the hub serving',
      () => {
        if (!hub.alive()) throw new Error(`the hub exited:\n${this.output()}`);
        return /OskarTrack is running/.test(hub.stdout());
      },
      120_000,
      100,
    );
    const password = /password:\s+(\S+)/.exec(hub.stderr())?.[1];
    if (password) this.admin = { name: 'admin', password };
    if (!this.admin) throw new Error(`no first administrator password printed:\n${this.output()}`);
    if (!this.portal?.alive()) {
      const socket = join(this.dataDir, '..', `${this.net.hubIf}.sock`);
      this.portal = this.net.spawnNode(
        this.net.hubNs,
        PORTAL,
        [socket, this.net.hubAddr, String(HTTP_PORT)],
        {},
        TSX,
      );
      const portal = this.portal;
      await waitFor('the API portal', () => portal.stdout().includes('ready'), 30_000, 50);
    }
    await this.api.login(this.admin.name, this.admin.password);
  }

  /** SIGTERM, as systemd stops it; waits until it has exited. */
  async stop(): Promise<void> {
    await this.process?.stop(20_000);
  }

  output(): string {
    return `hub stdout:\n${this.process?.stdout().slice(-3000)}\nhub stderr:\n${this.process?.stderr().slice(-3000)}`;
  }

  async enrollmentCode(storeId: string): Promise<string> {
    const r = await this.api.ok<{ code: string }>('POST', `/api/stores/${storeId}/enrollment-codes`, {
      ttlMinutes: 30,
    });
    return r.code;
  }

  /** A store with one camera (on `source`) and one counting line. */
  async store(name: string, source = 'rtsp://camera.invalid/stream') {
    const store = await this.api.ok<{ id: string }>('POST', '/api/stores', { name });
    const camera = await this.api.ok<{ id: string }>('POST', '/api/cameras', {
      storeId: store.id,
      name: `${name} door`,
      source,
      fps: 7,
      frameWidth: 768,
      frameHeight: 576,
    });
    const line = await this.api.ok<{ id: string }>('POST', `/api/cameras/${camera.id}/lines`, {
      name: 'West line',
      start: [250, 330],
      end: [250, 180],
      inSide: 'left',
    });
    return { storeId: store.id, cameraId: camera.id, lineId: line.id };
  }

  /** Every seq the hub stored for a device's camera, in order (duplicates kept, to be seen). */
  async storedSeqs(cameraId: string, deviceId: string): Promise<number[]> {
    const seqs: number[] = [];
    let cursor: string | null = null;
    const to = new Date(Date.now() + 86_400_000).toISOString();
    do {
      const q = new URLSearchParams({ from: '2000-01-01T00:00:00.000Z', to, cameraId, limit: '1000' });
      if (cursor) q.set('cursor', cursor);
      const page: { items: { seq: number; deviceId: string }[]; nextCursor: string | null } =
        await this.api.ok('GET', `/api/events?${q}`);
      for (const e of page.items) if (e.deviceId === deviceId) seqs.push(e.seq);
      cursor = page.nextCursor;
    } while (cursor);
    return seqs.sort((a, b) => a - b);
  }
}

/** A store, a box enrolled into it with `oskartrack-agent enroll --hub URL --code CODE`, the store's camera on it. */
export async function enrolledBox(net: FieldNet, hub: FieldHub, name: string, workDir: string) {
  const shop = await hub.store(name);
  const dir = join(workDir, name.replace(/\W/g, '-'));
  const code = await hub.enrollmentCode(shop.storeId);
  const r = await agentCommand(net, ['enroll', '--hub', hub.url, '--code', code, '--data-dir', dir]);
  if (r.code !== 0) throw new Error(`enroll failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  const deviceId = (JSON.parse(readFileSync(join(dir, 'agent.json'), 'utf8')) as { deviceId: string })
    .deviceId;
  await hub.api.ok('PATCH', `/api/cameras/${shop.cameraId}`, { deviceId });
  return { ...shop, dir, deviceId };
}

/** `oskartrack-agent <args>` in the box's namespace, to its end. */
export async function agentCommand(
  net: FieldNet,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = net.spawnNode(net.boxNs, AGENT_BIN, args, env);
  const timer = setTimeout(() => child.signal('SIGKILL'), 120_000);
  const { code } = await child.exited;
  clearTimeout(timer);
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}

export interface BoxState {
  lastSeq: number;
  depth: number;
  ackedUpTo: number;
  connected: boolean;
  hub: string;
  connection: number;
  rewinds: number;
  appending: boolean;
}

/** The fixture box's last reported state. */
export function boxState(box: NsProcess): BoxState | undefined {
  const lines = box.stdout().trimEnd().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i];
    if (!line?.startsWith('{')) continue;
    try {
      return JSON.parse(line) as BoxState;
    } catch {
      // a line cut by the buffer
    }
  }
  return undefined;
}

export function startFieldBox(
  net: FieldNet,
  dataDir: string,
  target: { cameraId: string; lineId: string },
  env: { backlog?: number; rate?: number } = {},
): NsProcess {
  return net.spawnNode(
    net.boxNs,
    FIELD_BOX,
    [dataDir, target.cameraId, target.lineId],
    {
      FIELD_BOX_BACKLOG: String(env.backlog ?? 0),
      FIELD_BOX_RATE: String(env.rate ?? 0),
    },
    TSX,
  );
}

/** Stored exactly once: the seqs are 1..lastSeq, no gap and no duplicate. */
export function exactlyOnce(
  stored: readonly number[],
  lastSeq: number,
): { gaps: number; duplicates: number } {
  const seen = new Set(stored);
  let gaps = 0;
  for (let s = 1; s <= lastSeq; s++) if (!seen.has(s)) gaps++;
  return { gaps, duplicates: stored.length - seen.size };
}
