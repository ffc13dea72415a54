// `GET /api/dead-letters`, and the device routes telling the broker accounts about revocation and removal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceAccounts } from '../../src/broker/device-accounts.ts';
import { DAY0, type Fixture, openFixture } from './fixture.ts';

/** Records what the routes asked of the broker accounts; `failing` makes every call fail. */
function recordingAccounts(failing = false): DeviceAccounts & { calls: string[] } {
  const calls: string[] = [];
  const step = async (what: string) => {
    calls.push(what);
    if (failing) throw new Error('broker unreachable');
  };
  return {
    calls,
    provision: (id) => step(`provision ${id}`),
    revoke: (id) => step(`revoke ${id}`),
    remove: (id) => step(`remove ${id}`),
    health: () => ({ ok: !failing, detail: 'test' }),
  };
}

describe('dead letters and broker accounts through the API', () => {
  let f: Fixture;
  const accounts = recordingAccounts();
  beforeAll(async () => {
    f = await openFixture('pglite', { deviceAccounts: accounts });
  });
  afterAll(() => f?.close());

  it('counts dead letters per box and camera, for administrators only', async () => {
    const event = (seq: number) => ({
      kind: 'line_crossed' as const,
      at: DAY0 + seq,
      cameraId: 'cam-gone',
      trackId: seq,
      lineId: 'line-x',
      direction: 'in' as const,
    });
    await f.repos.deadLetters.add(
      f.a.device.id,
      [1, 2, 3].map((seq) => ({ seq, event: event(seq), reason: 'unknown camera' as const })),
    );
    const r = await f.inject(f.tokens.admin, {
      method: 'GET',
      url: `/api/dead-letters?storeId=${f.a.store.id}`,
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual([
      expect.objectContaining({
        deviceId: f.a.device.id,
        storeId: f.a.store.id,
        cameraId: 'cam-gone',
        count: 3,
        lastReason: 'unknown camera',
      }),
    ]);
    const other = await f.inject(f.tokens.admin, {
      method: 'GET',
      url: `/api/dead-letters?storeId=${f.b.store.id}`,
    });
    expect(other.json()).toEqual([]);
    const manager = await f.inject(f.tokens.managerA, { method: 'GET', url: '/api/dead-letters' });
    expect(manager.statusCode).toBe(403);
  });

  it('revoking and removing a box tell its broker account, after the database', async () => {
    const revoke = await f.inject(f.tokens.admin, {
      method: 'POST',
      url: `/api/devices/${f.b.device.id}/revoke`,
    });
    expect(revoke.statusCode).toBe(204);
    expect(await f.repos.devices.credentialHash(f.b.device.id)).toBeNull();
    const removed = await f.inject(f.tokens.admin, {
      method: 'DELETE',
      url: `/api/devices/${f.b.device.id}`,
    });
    expect(removed.statusCode).toBe(204);
    expect(accounts.calls).toEqual([`revoke ${f.b.device.id}`, `remove ${f.b.device.id}`]);
  });
});

describe('a broker that does not confirm', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture('pglite', { deviceAccounts: recordingAccounts(true) });
  });
  afterAll(() => f?.close());

  it('a revocation is kept in the hub and answered 503 with what to do', async () => {
    const r = await f.inject(f.tokens.admin, { method: 'POST', url: `/api/devices/${f.a.device.id}/revoke` });
    expect(r.statusCode).toBe(503);
    expect(r.json().message).toMatch(/revoked in the hub but the MQTT broker did not confirm it; try again/);
    expect(await f.repos.devices.credentialHash(f.a.device.id)).toBeNull();
  });
});
