/**
 * What the installer pages call: the enrollment command with the hub's address, the detector every box
 * runs, a store's time zone refused in words, a camera as the editor sends it, and changing one's own
 * password (this session stays, the others end).
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageBus } from '../../src/broker/bus.ts';
import { ConfigPush, DEFAULT_DETECTOR } from '../../src/broker/config-push.ts';
import { BACKENDS, uid } from '../db/backends.ts';
import { type Fixture, openFixture, PASSWORD } from './fixture.ts';

/** Building a config body publishes nothing: a bus that refuses to be used. */
const noBus: MessageBus = {
  subscribe: () => Promise.reject(new Error('not used')),
  publish: () => Promise.reject(new Error('not used')),
  close: async () => {},
};

describe.each(BACKENDS)('installer routes on %s', (kind) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(kind);
  }, 120_000);
  afterAll(async () => f?.close());

  const newCode = (host: string) =>
    f.inject(f.tokens.admin, {
      method: 'POST',
      url: `/api/stores/${f.a.store.id}/enrollment-codes`,
      headers: { host },
      payload: {},
    });

  it('gives the whole enrollment command with the address the browser used and the code', async () => {
    const r = await newCode('hub.shop.lan:8080');
    expect(r.statusCode).toBe(201);
    const body = r.json() as { code: string; command: string; hubUrl: string; hubUrlWarning?: string };
    expect(body.hubUrl).toBe('http://hub.shop.lan:8080');
    expect(body.command).toBe(
      `npx --no oskartrack-agent enroll --hub http://hub.shop.lan:8080 --code ${body.code}`,
    );
    expect(body.hubUrlWarning).toBeUndefined();
  });

  it("warns that an address of the hub's own machine only works there, and says what to do", async () => {
    const body = (await newCode('127.0.0.1:8080')).json() as { hubUrl: string; hubUrlWarning?: string };
    expect(body.hubUrl).toBe('http://127.0.0.1:8080');
    expect(body.hubUrlWarning).toMatch(/--public-url/);
  });

  it('keeps the detector every box runs, for administrators, and puts it in the boxes’ config', async () => {
    const url = '/api/settings/detector';
    expect((await f.inject(f.tokens.managerA, { method: 'GET', url })).statusCode).toBe(403);
    const before = await f.inject(f.tokens.admin, { method: 'GET', url });
    expect(before.json()).toEqual(DEFAULT_DETECTOR);
    const wanted = { kind: 'yolox', scoreThreshold: 0.4, everyNth: 2, motionGate: true };
    const put = await f.inject(f.tokens.admin, { method: 'PUT', url, payload: wanted });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual(wanted);
    expect((await f.inject(f.tokens.admin, { method: 'GET', url })).json()).toEqual(wanted);
    const push = new ConfigPush({ db: f.t.handle.db, bus: noBus, log: pino({ level: 'silent' }) });
    expect((await push.body(f.a.device.id)).detector).toEqual(wanted);

    const bad = await f.inject(f.tokens.admin, { method: 'PUT', url, payload: { ...wanted, everyNth: 0 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/everyNth/);
    expect((await f.inject(f.tokens.managerA, { method: 'PUT', url, payload: wanted })).statusCode).toBe(403);
  });

  it('refuses a time zone that is not an IANA name and names one that is', async () => {
    const url = `/api/stores/${f.a.store.id}`;
    const bad = await f.inject(f.tokens.admin, { method: 'PATCH', url, payload: { timezone: 'London' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('use a name like Europe/London');
    const ok = await f.inject(f.tokens.admin, {
      method: 'PATCH',
      url,
      payload: { timezone: 'Europe/London' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().timezone).toBe('Europe/London');
  });

  it('adds and changes a camera as the editor sends it, and refuses a wrong frame rate', async () => {
    const create = await f.inject(f.tokens.managerA, {
      method: 'POST',
      url: '/api/cameras',
      payload: {
        storeId: f.a.store.id,
        name: 'Back door',
        deviceId: f.a.device.id,
        source: 'rtsp://192.168.1.20:554/stream1',
        fps: null,
        enabled: true,
      },
    });
    expect(create.statusCode).toBe(201);
    const id = create.json().id as string;
    const tooFast = await f.inject(f.tokens.managerA, {
      method: 'PATCH',
      url: `/api/cameras/${id}`,
      payload: { fps: 500 },
    });
    expect(tooFast.statusCode).toBe(400);
    expect(tooFast.json().message).toMatch(/fps/);
    const changed = await f.inject(f.tokens.managerA, {
      method: 'PATCH',
      url: `/api/cameras/${id}`,
      payload: { name: 'Back door (yard)', source: '1', fps: 12.5, deviceId: null },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({
      name: 'Back door (yard)',
      source: '1',
      fps: 12.5,
      deviceId: null,
      detector: null,
    });
    // Its own detector, checked like the hub-wide one.
    const own = { kind: 'yolox', scoreThreshold: 0.3, everyNth: 'auto', motionGate: false };
    const wrongDetector = await f.inject(f.tokens.managerA, {
      method: 'PATCH',
      url: `/api/cameras/${id}`,
      payload: { detector: { ...own, everyNth: 0 } },
    });
    expect(wrongDetector.statusCode).toBe(400);
    const withOwn = await f.inject(f.tokens.managerA, {
      method: 'PATCH',
      url: `/api/cameras/${id}`,
      payload: { detector: own },
    });
    expect(withOwn.statusCode).toBe(200);
    expect(withOwn.json().detector).toEqual(own);
  });

  it('changes your own password: checked first, same rules, this session stays, the others end', async () => {
    const name = `pw-${uid()}`;
    const created = await f.inject(f.tokens.admin, {
      method: 'POST',
      url: '/api/users',
      payload: { name, password: PASSWORD, role: 'viewer', storeIds: [f.a.store.id] },
    });
    expect(created.statusCode).toBe(201);
    const here = (await f.login(name)).json().accessToken as string;
    const elsewhere = (await f.login(name)).json().accessToken as string;
    const change = (currentPassword: string, newPassword: string) =>
      f.inject(here, {
        method: 'POST',
        url: '/api/auth/password',
        payload: { currentPassword, newPassword },
      });

    const wrong = await change('not-the-password', 'a-brand-new-password');
    // 400, not 401: the caller is signed in, and stays so.
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().message).toMatch(/current password is wrong/);
    const short = await change(PASSWORD, 'short');
    expect(short.statusCode).toBe(400);
    expect(short.json().message).toMatch(/at least 10 characters/);
    expect((await f.login(name)).statusCode).toBe(200);

    expect((await change(PASSWORD, 'a-brand-new-password')).statusCode).toBe(204);
    expect((await f.inject(here, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(200);
    expect((await f.inject(elsewhere, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    expect((await f.login(name)).statusCode).toBe(401);
    expect((await f.login(name, 'a-brand-new-password')).statusCode).toBe(200);
  });
});

describe('the enrollment command with a public URL', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture('pglite', { publicUrl: 'https://hub.example:8443' });
  }, 120_000);
  afterAll(async () => f?.close());

  it('names the public URL whatever address the browser used', async () => {
    const r = await f.inject(f.tokens.admin, {
      method: 'POST',
      url: `/api/stores/${f.a.store.id}/enrollment-codes`,
      headers: { host: '127.0.0.1:3000' },
      payload: {},
    });
    const body = r.json() as { code: string; command: string; hubUrl: string; hubUrlWarning?: string };
    expect(body.hubUrl).toBe('https://hub.example:8443');
    expect(body.command).toBe(
      `npx --no oskartrack-agent enroll --hub https://hub.example:8443 --code ${body.code}`,
    );
    expect(body.hubUrlWarning).toBeUndefined();
  });
});
