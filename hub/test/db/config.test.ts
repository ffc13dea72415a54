import type { DeviceStatus } from '@oskartrack/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../src/db/errors.ts';
import { inTransaction, recordingsDeviceId } from '../../src/db/repositories/index.ts';
import { BACKENDS, openTestDatabase, seedStore, type TestDatabase, uid } from './backends.ts';

const HASH = 'scrypt$0123456789abcdef$0123456789abcdef';

function status(over: Partial<DeviceStatus> = {}): DeviceStatus {
  return {
    v: 1,
    state: 'online',
    at: Date.parse('2025-03-01T10:00:00Z'),
    connection: 3,
    software: '0.1.0',
    configRevision: 7,
    outbox: { depth: 12, oldestAgeMs: 4000, dropped: 0 },
    cameras: [],
    ...over,
  };
}

describe.each(BACKENDS)('configuration repositories on %s', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('stores', () => {
    it('create, read, list, update, delete', async () => {
      const { stores } = t.repos;
      const a = await stores.create({ name: '  Berlin Mitte ', timezone: 'Europe/Berlin' });
      expect(a.id).toMatch(/^store_[A-Za-z0-9_-]{12}$/);
      expect(a.name).toBe('Berlin Mitte');
      expect(a.createdAt).toBeInstanceOf(Date);
      const b = await stores.create({ id: `b-${uid()}`, name: 'Aachen' });
      expect(b.timezone).toBe('UTC');
      expect(await stores.get(a.id)).toEqual(a);
      expect((await stores.list({ ids: [a.id, b.id] })).map((s) => s.name)).toEqual([
        'Aachen',
        'Berlin Mitte',
      ]);
      expect(await stores.list({ ids: [] })).toEqual([]);
      const renamed = await stores.update(a.id, { name: 'Berlin Alex' });
      expect(renamed.name).toBe('Berlin Alex');
      expect(renamed.timezone).toBe('Europe/Berlin');
      expect(renamed.updatedAt.getTime()).toBeGreaterThanOrEqual(a.updatedAt.getTime());
      await stores.delete(b.id);
      expect(await stores.find(b.id)).toBeUndefined();
      await expect(stores.get(b.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(stores.delete(b.id)).rejects.toThrow(`store "${b.id}" does not exist`);
    });

    it('rejects bad input', async () => {
      const { stores } = t.repos;
      await expect(stores.create({ name: '' })).rejects.toBeInstanceOf(ValidationError);
      await expect(stores.create({ name: 'x', timezone: 'Mars/Olympus' })).rejects.toThrow(
        /unknown time zone/,
      );
      await expect(stores.create({ id: 'has space', name: 'x' })).rejects.toThrow(/store id/);
      const s = await stores.create({ name: 'Dup' });
      await expect(stores.create({ id: s.id, name: 'Dup again' })).rejects.toBeInstanceOf(ConflictError);
      await expect(stores.update('nope', { name: 'y' })).rejects.toBeInstanceOf(NotFoundError);
    });

    it('deleting a store removes its devices, cameras and areas', async () => {
      const { store, device, camera } = await seedStore(t.repos);
      const zone = await t.repos.zones.createZone({
        cameraId: camera.id,
        name: 'Till',
        polygon: [
          [0, 0],
          [10, 0],
          [10, 10],
        ],
      });
      await t.repos.stores.delete(store.id);
      expect(await t.repos.devices.find(device.id)).toBeUndefined();
      expect(await t.repos.cameras.find(camera.id)).toBeUndefined();
      expect(await t.repos.zones.findZone(zone.id)).toBeUndefined();
    });
  });

  describe('devices', () => {
    it('revokes a credential only while there is one: of two racing takeovers, one wins', async () => {
      const { store } = await seedStore(t.repos);
      const d = await t.repos.devices.create({ storeId: store.id, name: 'Till', credentialHash: HASH });
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      let revoked!: () => void;
      const firstRevoked = new Promise<void>((r) => {
        revoked = r;
      });
      const first = inTransaction(t.db, async (repos) => {
        const won = await repos.devices.revokeIfHeld(d.id);
        revoked();
        await held;
        return won;
      });
      await firstRevoked;
      // Waits for the first one's row lock (PostgreSQL) or its turn (PGlite), then finds it revoked.
      const second = inTransaction(t.db, (repos) => repos.devices.revokeIfHeld(d.id));
      release();
      expect(await first).toBe(true);
      expect(await second).toBe(false);
      expect(await t.repos.devices.credentialHash(d.id)).toBeNull();
    });

    it('create, read, list, update, credential, delete', async () => {
      const { store } = await seedStore(t.repos);
      const { devices } = t.repos;
      const d = await devices.create({ storeId: store.id, name: 'Pi by the door', credentialHash: HASH });
      expect(d).not.toHaveProperty('credentialHash');
      expect(d.online).toBe(false);
      expect(d.lastSeenAt).toBeNull();
      expect(await devices.credentialHash(d.id)).toBe(HASH);
      expect((await devices.list({ storeId: store.id })).map((x) => x.id).sort()).toEqual(
        [d.id, `dev-${store.id.slice(6)}`].sort(),
      );
      expect((await devices.update(d.id, { name: 'Pi 2' })).name).toBe('Pi 2');
      await devices.setCredential(d.id, null);
      expect(await devices.credentialHash(d.id)).toBeNull();
      await devices.delete(d.id);
      expect(await devices.find(d.id)).toBeUndefined();
      await expect(devices.credentialHash(d.id)).rejects.toBeInstanceOf(NotFoundError);
    });

    it("tells a store's uploaded-recordings device from its boxes", async () => {
      const { store } = await seedStore(t.repos);
      const { devices } = t.repos;
      const rec = await devices.create({
        id: recordingsDeviceId(store.id),
        storeId: store.id,
        name: 'Uploads',
      });
      expect(rec.kind).toBe('recordings');
      expect((await devices.get(rec.id)).kind).toBe('recordings');
      expect((await devices.update(rec.id, { name: 'Videos' })).kind).toBe('recordings');
      const kinds = (await devices.list({ storeId: store.id })).map((d) => [d.id, d.kind]);
      expect(kinds).toContainEqual([rec.id, 'recordings']);
      expect(kinds).toContainEqual([`dev-${store.id.slice(6)}`, 'box']);
      // A long store id gets a hashed recordings id, still recognised.
      expect(recordingsDeviceId('s'.repeat(64))).toMatch(/^upload-[0-9a-f]{32}$/);
    });

    it('an unknown store is a NotFoundError naming it', async () => {
      await expect(t.repos.devices.create({ storeId: 'no-such-store', name: 'x' })).rejects.toThrow(
        new NotFoundError('store', 'no-such-store'),
      );
    });

    it('records status, ignores a stale last will, and never moves last seen back', async () => {
      const { device } = await seedStore(t.repos);
      const { devices } = t.repos;
      const seen = new Date('2025-03-01T10:00:01Z');
      expect(await devices.recordStatus(device.id, status(), seen)).toBe(true);
      let d = await devices.get(device.id);
      expect(d).toMatchObject({
        online: true,
        connection: 3,
        softwareVersion: '0.1.0',
        configRevision: 7,
        outboxDepth: 12,
        outboxOldestAgeMs: 4000,
      });
      expect(d.lastSeenAt?.toISOString()).toBe(seen.toISOString());
      expect(d.statusAt?.toISOString()).toBe('2025-03-01T10:00:00.000Z');

      // The last will of connection 2 arrives late: ignored.
      expect(await devices.recordStatus(device.id, status({ state: 'offline', connection: 2 }), seen)).toBe(
        false,
      );
      expect((await devices.get(device.id)).online).toBe(true);
      // Its own last will goes through.
      expect(
        await devices.recordStatus(device.id, status({ state: 'offline' }), new Date('2025-03-01T09:00:00Z')),
      ).toBe(true);
      d = await devices.get(device.id);
      expect(d.online).toBe(false);
      expect(d.lastSeenAt?.toISOString()).toBe(seen.toISOString());

      // A newer report of connection 4, then its last will, written when it connected: offline, but
      // the outbox and config it reported later stay (the will's are as old as the connection).
      const later = Date.parse('2025-03-01T10:05:00Z');
      const connected = Date.parse('2025-03-01T10:01:00Z');
      const fresh = {
        connection: 4,
        configRevision: 9,
        outbox: { depth: 83, oldestAgeMs: 60_000, dropped: 0 },
      };
      await devices.recordStatus(device.id, status({ ...fresh, at: later }), seen);
      const will = { connection: 4, configRevision: 8, outbox: { depth: 0, oldestAgeMs: 0, dropped: 0 } };
      expect(
        await devices.recordStatus(device.id, status({ ...will, state: 'offline', at: connected }), seen),
      ).toBe(true);
      d = await devices.get(device.id);
      expect(d).toMatchObject({
        online: false,
        configRevision: 9,
        outboxDepth: 83,
        outboxOldestAgeMs: 60_000,
      });
      expect(d.statusAt?.getTime()).toBe(later);
      // The box's clock was ahead and is right again: its next connection's report still counts.
      const corrected = {
        connection: 5,
        configRevision: 10,
        outbox: { depth: 2, oldestAgeMs: 1000, dropped: 0 },
      };
      await devices.recordStatus(device.id, status({ ...corrected, at: later - 60_000 }), seen);
      d = await devices.get(device.id);
      expect(d).toMatchObject({ online: true, configRevision: 10, outboxDepth: 2 });
      expect(d.statusAt?.getTime()).toBe(later - 60_000);

      await devices.touch(device.id, new Date('2025-03-02T00:00:00Z'));
      expect((await devices.get(device.id)).lastSeenAt?.toISOString()).toBe('2025-03-02T00:00:00.000Z');
      await expect(devices.recordStatus('ghost', status())).rejects.toBeInstanceOf(NotFoundError);
      await expect(devices.touch('ghost')).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('cameras', () => {
    it('create, read, list, update, delete', async () => {
      const { store, device, camera } = await seedStore(t.repos);
      const { cameras } = t.repos;
      expect(camera).toMatchObject({
        storeId: store.id,
        deviceId: device.id,
        fps: 15,
        frameWidth: 640,
        enabled: true,
      });
      const c2 = await cameras.create({ storeId: store.id, name: 'Aisle', source: '0' });
      expect(c2.deviceId).toBeNull();
      expect((await cameras.list({ storeId: store.id })).map((c) => c.name)).toEqual(['Aisle', 'Entrance']);
      expect((await cameras.list({ deviceId: device.id })).map((c) => c.id)).toEqual([camera.id]);
      const moved = await cameras.update(c2.id, {
        deviceId: device.id,
        fps: null,
        frameWidth: 1280,
        frameHeight: 720,
      });
      expect(moved).toMatchObject({ deviceId: device.id, fps: null, frameWidth: 1280, frameHeight: 720 });
      expect((await cameras.update(c2.id, { deviceId: null })).deviceId).toBeNull();
      await cameras.delete(c2.id);
      await expect(cameras.get(c2.id)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('deleting its device leaves the camera unassigned', async () => {
      const { device, camera } = await seedStore(t.repos);
      await t.repos.devices.delete(device.id);
      expect((await t.repos.cameras.get(camera.id)).deviceId).toBeNull();
    });

    it('rejects unknown stores and devices, a device of another store, bad sizes', async () => {
      const a = await seedStore(t.repos);
      const b = await seedStore(t.repos);
      const { cameras } = t.repos;
      const base = { storeId: a.store.id, name: 'C', source: 'rtsp://x' };
      await expect(cameras.create({ ...base, storeId: 'nope' })).rejects.toThrow(
        new NotFoundError('store', 'nope'),
      );
      await expect(cameras.create({ ...base, deviceId: 'nope' })).rejects.toThrow(
        new NotFoundError('device', 'nope'),
      );
      await expect(cameras.create({ ...base, deviceId: b.device.id })).rejects.toThrow(
        /belongs to another store/,
      );
      await expect(cameras.create({ ...base, fps: 0 })).rejects.toBeInstanceOf(ValidationError);
      await expect(cameras.create({ ...base, frameWidth: -1 })).rejects.toBeInstanceOf(ValidationError);
      await expect(cameras.create({ ...base, source: ' ' })).rejects.toBeInstanceOf(ValidationError);
      await expect(cameras.update(a.camera.id, { deviceId: b.device.id })).rejects.toThrow(/another store/);
      await expect(cameras.update('nope', { name: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('areas and counting lines', () => {
    const square: [number, number][] = [
      [100, 100],
      [300, 100],
      [300, 300],
      [100, 300],
    ];

    it('zone create, read, list, update, delete', async () => {
      const { camera } = await seedStore(t.repos);
      const { zones } = t.repos;
      const z = await zones.createZone({ cameraId: camera.id, name: 'Checkout', polygon: square });
      expect(z.polygon).toEqual(square);
      expect(await zones.getZone(z.id)).toEqual(z);
      const z2 = await zones.createZone({
        id: `z-${uid()}`,
        cameraId: camera.id,
        name: 'Bakery',
        polygon: square,
      });
      expect((await zones.listZones(camera.id)).map((x) => x.name)).toEqual(['Bakery', 'Checkout']);
      const tri: [number, number][] = [
        [0, 0],
        [50, 0],
        [0, 50],
      ];
      const updated = await zones.updateZone(z.id, { polygon: tri });
      expect(updated.polygon).toEqual(tri);
      expect(updated.name).toBe('Checkout');
      await zones.deleteZone(z2.id);
      expect(await zones.findZone(z2.id)).toBeUndefined();
      await expect(zones.deleteZone(z2.id)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('rejects an area with fewer than 3 points, crossing edges, no surface or outside the picture', async () => {
      const { camera } = await seedStore(t.repos);
      const { zones } = t.repos;
      const make = (polygon: [number, number][]) =>
        zones.createZone({ cameraId: camera.id, name: 'A', polygon });
      await expect(
        make([
          [0, 0],
          [10, 10],
        ]),
      ).rejects.toThrow('bad area: an area needs at least 3 points, got 2');
      await expect(
        make([
          [0, 0],
          [100, 100],
          [100, 0],
          [0, 100],
        ]),
      ).rejects.toThrow(/edges cross each other/);
      await expect(
        make([
          [0, 0],
          [5, 5],
          [10, 10],
        ]),
      ).rejects.toThrow(/no surface/);
      await expect(
        make([
          [0, 0],
          [700, 0],
          [0, 100],
        ]),
      ).rejects.toThrow(/outside the 640x480 picture/);
      const bad = [
        [0, 0],
        [1, Number.NaN],
        [2, 2],
      ] as [number, number][];
      await expect(make(bad)).rejects.toBeInstanceOf(ValidationError);
      await expect(zones.createZone({ cameraId: 'nope', name: 'A', polygon: square })).rejects.toThrow(
        new NotFoundError('camera', 'nope'),
      );
      const z = await make(square);
      await expect(
        zones.updateZone(z.id, {
          polygon: [
            [1, 1],
            [2, 2],
          ],
        }),
      ).rejects.toBeInstanceOf(ValidationError);
      expect((await zones.getZone(z.id)).polygon).toEqual(square);
    });

    it('line create, read, list, update, delete; zero-length lines are refused', async () => {
      const { camera } = await seedStore(t.repos);
      const { zones } = t.repos;
      const line = await zones.createLine({
        cameraId: camera.id,
        name: 'Door',
        start: [10, 400],
        end: [600, 400],
        inSide: 'left',
      });
      expect(line).toMatchObject({ start: [10, 400], end: [600, 400], inSide: 'left' });
      expect(await zones.listLines(camera.id)).toEqual([line]);
      const flipped = await zones.updateLine(line.id, { inSide: 'right', end: [600, 410] });
      expect(flipped).toMatchObject({ inSide: 'right', start: [10, 400], end: [600, 410] });
      await expect(
        zones.createLine({ cameraId: camera.id, name: 'Dot', start: [5, 5], end: [5, 5], inSide: 'left' }),
      ).rejects.toThrow('bad counting line: the line has no length');
      await expect(zones.updateLine(line.id, { end: [10, 400] })).rejects.toThrow(/no length/);
      await expect(
        zones.createLine({
          cameraId: camera.id,
          name: 'X',
          start: [0, 0],
          end: [9, 9],
          inSide: 'up' as 'left',
        }),
      ).rejects.toThrow(/inSide/);
      await expect(
        zones.createLine({ cameraId: 'nope', name: 'X', start: [0, 0], end: [9, 9], inSide: 'left' }),
      ).rejects.toBeInstanceOf(NotFoundError);

      const zone = await zones.createZone({ cameraId: camera.id, name: 'Till', polygon: square });
      expect(await zones.geometry(camera.id)).toEqual({
        zones: [{ id: zone.id, name: 'Till', polygon: square }],
        lines: [{ id: line.id, name: 'Door', start: [10, 400], end: [600, 410], inSide: 'right' }],
      });
      await zones.deleteLine(line.id);
      await expect(zones.getLine(line.id)).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('users', () => {
    it('create, read, login lookup, update, store scope, delete', async () => {
      const { users } = t.repos;
      const { store } = await seedStore(t.repos);
      const other = await seedStore(t.repos);
      const admin = await users.create({ name: `admin-${uid()}`, passwordHash: HASH, role: 'admin' });
      expect(admin).not.toHaveProperty('passwordHash');
      const name = `mia-${uid()}`;
      const mia = await users.create({ name, passwordHash: HASH, role: 'manager', storeIds: [store.id] });
      expect(mia).toMatchObject({ name, role: 'manager', disabled: false });
      expect(await users.storeIds(mia.id)).toEqual([store.id]);
      expect((await users.findForLogin(name))?.passwordHash).toBe(HASH);
      expect(await users.findForLogin('nobody')).toBeUndefined();
      expect((await users.findByName(name))?.id).toBe(mia.id);
      expect((await users.list()).map((u) => u.name)).toContain(name);

      await users.setStores(mia.id, [other.store.id, store.id, other.store.id]);
      expect(await users.storeIds(mia.id)).toEqual([other.store.id, store.id].sort());
      await users.setStores(mia.id, [other.store.id]);
      expect(await users.storeIds(mia.id)).toEqual([other.store.id]);
      await expect(users.setStores(mia.id, ['no-such-store'])).rejects.toThrow(
        new NotFoundError('store', 'no-such-store'),
      );
      expect(await users.storeIds(mia.id)).toEqual([other.store.id]);

      const updated = await users.update(mia.id, { role: 'viewer', disabled: true });
      expect(updated).toMatchObject({ role: 'viewer', disabled: true });
      await users.recordLogin(admin.id, new Date('2025-01-01T00:00:00Z'));
      expect((await users.get(admin.id)).lastLoginAt?.toISOString()).toBe('2025-01-01T00:00:00.000Z');
      await users.delete(mia.id);
      expect(await users.find(mia.id)).toBeUndefined();
      await expect(users.get('not-a-uuid')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('rejects duplicate names, bad roles, missing hashes; keeps one enabled admin', async () => {
      const { users } = t.repos;
      const name = `dup-${uid()}`;
      await users.create({ name, passwordHash: HASH, role: 'viewer' });
      await expect(users.create({ name, passwordHash: HASH, role: 'viewer' })).rejects.toThrow(ConflictError);
      await expect(users.create({ name: 'x y', passwordHash: HASH, role: 'viewer' })).rejects.toThrow(
        /user name/,
      );
      await expect(
        users.create({ name: `r-${uid()}`, passwordHash: HASH, role: 'root' as 'admin' }),
      ).rejects.toThrow(/role must be/);
      await expect(
        users.create({ name: `p-${uid()}`, passwordHash: 'short', role: 'viewer' }),
      ).rejects.toThrow(/password hash/);
      await expect(
        users.create({ name: `s-${uid()}`, passwordHash: HASH, role: 'viewer', storeIds: ['nope'] }),
      ).rejects.toBeInstanceOf(NotFoundError);

      // Disable every admin but one, then try to remove the last.
      for (const u of await users.list())
        if (u.role === 'admin') await users.update(u.id, { role: 'viewer' }).catch(() => {});
      const admins = (await users.list()).filter((u) => u.role === 'admin' && !u.disabled);
      expect(admins).toHaveLength(1);
      const last = admins[0]!;
      await expect(users.update(last.id, { disabled: true })).rejects.toThrow(
        /at least one enabled administrator/,
      );
      await expect(users.delete(last.id)).rejects.toBeInstanceOf(ConflictError);
      expect((await users.get(last.id)).disabled).toBe(false);
    });
  });

  describe('enrollment codes', () => {
    it('create, list, consume once, expire, delete', async () => {
      const { store, device } = await seedStore(t.repos);
      const { enrollment } = t.repos;
      const now = new Date('2025-05-01T12:00:00Z');
      const hash = `sha256-${uid()}-0123456789abcdef`;
      const code = await enrollment.create({
        storeId: store.id,
        codeHash: hash,
        expiresAt: new Date('2025-05-02T00:00:00Z'),
      });
      expect(code.usedAt).toBeNull();
      expect((await enrollment.list(store.id, { now })).map((c) => c.id)).toEqual([code.id]);

      const used = await enrollment.consume(hash, { now });
      expect(used.ok && used.code.storeId).toBe(store.id);
      expect(await enrollment.consume(hash, { now })).toEqual({ ok: false, reason: 'used' });
      await enrollment.attachDevice(code.id, device.id);
      expect((await enrollment.find(code.id))?.deviceId).toBe(device.id);
      expect(await enrollment.list(store.id, { now })).toEqual([]);
      expect(await enrollment.list(store.id, { now, includeUsedAndExpired: true })).toHaveLength(1);

      const old = `sha256-${uid()}-fedcba9876543210`;
      await enrollment.create({
        storeId: store.id,
        codeHash: old,
        expiresAt: new Date('2025-04-01T00:00:00Z'),
      });
      expect(await enrollment.consume(old, { now })).toEqual({ ok: false, reason: 'expired' });
      expect(await enrollment.consume('unknown-hash-0000000', { now })).toEqual({
        ok: false,
        reason: 'unknown',
      });
      expect(await enrollment.deleteExpired(now)).toBeGreaterThanOrEqual(1);
      await enrollment.delete(code.id);
      expect(await enrollment.find(code.id)).toBeUndefined();
    });

    it('two boxes presenting one code: only one gets in', async () => {
      const { store } = await seedStore(t.repos);
      const hash = `sha256-${uid()}-race-race-race`;
      await t.repos.enrollment.create({
        storeId: store.id,
        codeHash: hash,
        expiresAt: new Date(Date.now() + 60_000),
      });
      const results = await Promise.all([1, 2, 3].map(() => t.repos.enrollment.consume(hash)));
      expect(results.filter((r) => r.ok)).toHaveLength(1);
    });

    it('rejects unknown stores and duplicate codes', async () => {
      const { store } = await seedStore(t.repos);
      const expiresAt = new Date(Date.now() + 60_000);
      await expect(
        t.repos.enrollment.create({ storeId: 'nope', codeHash: 'h'.repeat(20), expiresAt }),
      ).rejects.toThrow(new NotFoundError('store', 'nope'));
      const codeHash = `dup-${uid()}-0123456789`;
      await t.repos.enrollment.create({ storeId: store.id, codeHash, expiresAt });
      await expect(
        t.repos.enrollment.create({ storeId: store.id, codeHash, expiresAt }),
      ).rejects.toBeInstanceOf(ConflictError);
    });
  });
});
