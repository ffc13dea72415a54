/**
 * The live feed's part in alerts: an alert goes to the clients that see its store (administrators
 * see all), and the alert engine reads each device's latest status and hears of every new one.
 */
import type { DeviceStatus, ServerMessage } from '@oskartrack/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/api/scope.ts';
import type { Repositories } from '../../src/db/repositories/index.ts';
import { LiveFeed, type LiveSocket } from '../../src/live/feed.ts';

class FakeSocket implements LiveSocket {
  bufferedAmount = 0;
  readyState = 1;
  readonly sent: ServerMessage[] = [];
  send(data: Buffer, _options: { binary: boolean }, cb?: (err?: Error) => void): void {
    this.sent.push(JSON.parse(data.toString()) as ServerMessage);
    cb?.();
  }
  close(): void {
    this.readyState = 3;
  }
  terminate(): void {
    this.readyState = 3;
  }
}

const stores: Record<string, string> = { 'dev-a': 'store-a', 'dev-b': 'store-b' };
const repos = {
  devices: { find: async (id: string) => (stores[id] ? { storeId: stores[id] } : undefined) },
  cameras: { find: async () => undefined },
} as unknown as Pick<Repositories, 'devices' | 'cameras'>;

const principal = (storeIds: string[], role: Principal['role'] = 'viewer'): Principal => ({
  userId: `u-${storeIds.join('-') || role}`,
  name: 'someone',
  role,
  storeIds,
  sessionId: 's',
});

const alert = (storeId: string, state: 'firing' | 'cleared') => ({
  id: '6f1c1c52-8a55-4f4e-9a1e-3f0a2b7c9d10',
  ruleId: '0b4d3c2a-1e5f-4a6b-8c7d-9e0f1a2b3c4d',
  storeId,
  kind: 'box_offline' as const,
  subject: 'dev-a',
  state,
  message: "Camera unit 'Back office' has been offline for 65 minutes",
  details: {},
  firedAt: new Date('2026-03-01T10:00:00Z'),
  clearedAt: state === 'cleared' ? new Date('2026-03-01T11:00:00Z') : null,
});

const status = (state: 'online' | 'offline'): DeviceStatus => ({
  v: 1,
  state,
  at: 1_750_000_000_000,
  connection: 1,
  software: 'test',
  configRevision: 1,
  outbox: { depth: 0, oldestAgeMs: 0, dropped: 0 },
  cameras: [],
});

describe('LiveFeed and alerts', () => {
  const feeds: LiveFeed[] = [];
  afterEach(() => {
    for (const f of feeds.splice(0)) f.close();
  });
  const feed = () => {
    const f = new LiveFeed({ repos, log: { debug() {}, info() {}, warn() {}, error() {} }, tickMs: 10 });
    feeds.push(f);
    return f;
  };
  const join = (f: LiveFeed, p: Principal) => {
    const socket = new FakeSocket();
    f.connect(socket, { principal: p, token: 't', verify: async () => p });
    return socket;
  };

  it('sends an alert firing and clearing to the clients of its store only', () => {
    const f = feed();
    const a = join(f, principal(['store-a']));
    const b = join(f, principal(['store-b']));
    const admin = join(f, principal([], 'admin'));
    f.alert(alert('store-a', 'firing'));
    f.alert(alert('store-a', 'cleared'));
    const alertsOf = (s: FakeSocket) => s.sent.filter((m) => m.type === 'alert');
    expect(alertsOf(a).map((m) => m.type === 'alert' && m.alert.state)).toEqual(['firing', 'cleared']);
    expect(alertsOf(b)).toEqual([]);
    expect(alertsOf(admin)).toHaveLength(2);
    const [first] = alertsOf(a);
    expect(first).toMatchObject({
      alert: { storeId: 'store-a', firedAt: '2026-03-01T10:00:00.000Z', clearedAt: null },
    });
  });

  it('keeps each device’s latest status and tells listeners of every new one', () => {
    const f = feed();
    const heard: string[] = [];
    const off = f.onStatus((deviceId, s) => heard.push(`${deviceId} ${s.state}`));
    expect(f.latestStatus('dev-a')).toBeUndefined();
    f.deviceStatus('dev-a', status('online'));
    f.deviceStatus('dev-a', status('offline'));
    expect(f.latestStatus('dev-a')?.state).toBe('offline');
    off();
    f.deviceStatus('dev-b', status('online'));
    expect(heard).toEqual(['dev-a online', 'dev-a offline']);
  });
});
