// The routes that change cameras, areas, lines, devices and stores raise the domain events config push
// and the live feed listen to (instead of matching request URLs).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DomainEventMap, DomainEvents } from '../../src/domain/events.ts';
import { BACKENDS } from '../db/backends.ts';
import { type Fixture, openFixture, seedStoreData } from './fixture.ts';

type Heard = { [E in keyof DomainEventMap]: [E, DomainEventMap[E]] }[keyof DomainEventMap];

describe.each(BACKENDS)('domain events from the API on %s', (kind) => {
  let f: Fixture;
  let admin: string;
  const domain = new DomainEvents();
  let heard: Heard[] = [];
  beforeAll(async () => {
    f = await openFixture(kind, { domain });
    admin = f.tokens.admin;
    const names: (keyof DomainEventMap)[] = [
      'config-changed',
      'geometry-changed',
      'camera-changed',
      'device-moved',
      'device-revoked',
      'device-removed',
      'store-changed',
    ];
    for (const name of names) domain.on(name, (e) => heard.push([name, e] as Heard));
  });
  afterAll(async () => {
    await f?.close();
  });
  beforeEach(() => {
    heard = [];
  });
  const send = (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Record<string, unknown>) =>
    f.inject(admin, { method, url, ...(payload ? { payload } : {}) });

  it('a camera given to another box changes both boxes configs', async () => {
    const s = await seedStoreData(f.repos, 'Cam');
    const other = await seedStoreData(f.repos, 'Other');
    const box2 = await f.repos.devices.create({ storeId: s.store.id, name: 'Second' });
    const r = await send('PATCH', `/api/cameras/${s.camera.id}`, { deviceId: box2.id });
    expect(r.statusCode).toBe(200);
    expect(heard).toEqual([
      ['camera-changed', { cameraId: s.camera.id, storeId: s.store.id }],
      ['config-changed', { deviceIds: [s.device.id, box2.id] }],
    ]);
    heard = [];
    expect((await send('DELETE', `/api/cameras/${other.camera.id}`)).statusCode).toBe(204);
    expect(heard).toEqual([
      ['camera-changed', { cameraId: other.camera.id, storeId: other.store.id }],
      ['config-changed', { deviceIds: [other.device.id] }],
    ]);
  });

  it('areas and lines drawn, changed and removed name their camera', async () => {
    const s = await seedStoreData(f.repos, 'Geo');
    const polygon = [
      [0, 0],
      [100, 0],
      [100, 100],
    ];
    const zone = await send('POST', `/api/cameras/${s.camera.id}/zones`, { name: 'New', polygon });
    expect(zone.statusCode).toBe(201);
    expect((await send('PATCH', `/api/zones/${s.zone.id}`, { name: 'Renamed' })).statusCode).toBe(200);
    expect((await send('DELETE', `/api/lines/${s.line.id}`)).statusCode).toBe(204);
    expect(heard).toEqual([
      ['geometry-changed', { cameraId: s.camera.id }],
      ['geometry-changed', { cameraId: s.camera.id }],
      ['geometry-changed', { cameraId: s.camera.id }],
    ]);
  });

  it('a refused change raises nothing', async () => {
    const s = await seedStoreData(f.repos, 'Refused');
    const r = await send('PATCH', `/api/devices/${s.device.id}`, { storeId: f.b.store.id });
    expect(r.statusCode).toBe(400);
    expect((await send('PATCH', `/api/zones/no-such-zone`, { name: 'x' })).statusCode).toBe(404);
    expect(heard).toEqual([]);
  });

  it('a box moved, revoked and removed; a store changed', async () => {
    const s = await seedStoreData(f.repos, 'Box');
    const moved = await send('PATCH', `/api/devices/${s.device.id}`, {
      storeId: f.b.store.id,
      cameras: 'move',
    });
    expect(moved.statusCode).toBe(200);
    expect((await send('POST', `/api/devices/${s.device.id}/revoke`)).statusCode).toBe(204);
    expect((await send('DELETE', `/api/devices/${s.device.id}`)).statusCode).toBe(204);
    expect((await send('PATCH', `/api/stores/${s.store.id}`, { name: 'Renamed' })).statusCode).toBe(200);
    expect(heard).toEqual([
      ['device-moved', { deviceId: s.device.id, fromStoreId: s.store.id, toStoreId: f.b.store.id }],
      ['config-changed', { deviceIds: [s.device.id] }],
      ['device-revoked', { deviceId: s.device.id }],
      ['device-removed', { deviceId: s.device.id }],
      ['store-changed', { storeId: s.store.id }],
    ]);
  });
});
