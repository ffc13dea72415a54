// Moving a box to another store says what happens to its cameras: `move` takes them with their areas
// and lines, `detach` leaves them in the old store without a box; without the choice it is a 400.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../db/backends.ts';
import { type Fixture, openFixture, seedStoreData } from './fixture.ts';

describe.each(BACKENDS)('moving a box on %s', (kind) => {
  let f: Fixture;
  let admin: string;
  beforeAll(async () => {
    f = await openFixture(kind);
    admin = f.tokens.admin;
  });
  afterAll(async () => {
    await f?.close();
  });

  const patch = (deviceId: string, payload: Record<string, unknown>) =>
    f.inject(admin, { method: 'PATCH', url: `/api/devices/${deviceId}`, payload });

  it('refuses a move without saying what happens to the cameras, and changes nothing', async () => {
    const s = await seedStoreData(f.repos, 'Ask');
    const r = await patch(s.device.id, { storeId: f.b.store.id });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toBe(
      'this box reads 1 camera: say what happens to it with "cameras": "move" (to the new store, with areas and lines) or "detach" (they stay in the old store without a box)',
    );
    expect((await f.repos.devices.get(s.device.id)).storeId).toBe(s.store.id);
    expect(await f.repos.cameras.get(s.camera.id)).toMatchObject({
      storeId: s.store.id,
      deviceId: s.device.id,
    });
    const bad = await patch(s.device.id, { storeId: f.b.store.id, cameras: 'keep' });
    expect(bad.statusCode).toBe(400);
  });

  it('moves the cameras with their areas and lines', async () => {
    const s = await seedStoreData(f.repos, 'Move');
    const before = await f.repos.zones.geometry(s.camera.id);
    expect(before.zones.length).toBeGreaterThan(0);
    const r = await patch(s.device.id, { storeId: f.b.store.id, cameras: 'move' });
    expect(r.statusCode).toBe(200);
    expect(r.json().storeId).toBe(f.b.store.id);
    expect(await f.repos.cameras.get(s.camera.id)).toMatchObject({
      storeId: f.b.store.id,
      deviceId: s.device.id,
    });
    expect(await f.repos.zones.geometry(s.camera.id)).toEqual(before);
    expect((await f.repos.cameras.list({ storeId: s.store.id })).map((c) => c.id)).not.toContain(s.camera.id);
  });

  it('detaches the cameras: they stay in the old store without a box', async () => {
    const s = await seedStoreData(f.repos, 'Detach');
    const r = await patch(s.device.id, { storeId: f.b.store.id, cameras: 'detach' });
    expect(r.statusCode).toBe(200);
    expect((await f.repos.devices.get(s.device.id)).storeId).toBe(f.b.store.id);
    expect(await f.repos.cameras.get(s.camera.id)).toMatchObject({ storeId: s.store.id, deviceId: null });
    expect(await f.repos.cameras.list({ deviceId: s.device.id })).toEqual([]);
  });

  it('moves a box without cameras, and renames one, without asking', async () => {
    const s = await seedStoreData(f.repos, 'Empty');
    await f.repos.cameras.update(s.camera.id, { deviceId: null });
    expect((await patch(s.device.id, { storeId: f.b.store.id })).statusCode).toBe(200);
    const t = await seedStoreData(f.repos, 'Rename');
    const renamed = await patch(t.device.id, { name: 'Door box' });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ name: 'Door box', storeId: t.store.id });
    expect((await patch(t.device.id, { storeId: t.store.id })).statusCode).toBe(200);
  });
});
