import { PROTOCOL_VERSION, topics } from '@oskartrack/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySecret } from '../../src/api/secrets.ts';
import { buildApp } from '../../src/app.ts';
import type { InboundMessage, MessageBus, MessageHandler } from '../../src/broker/bus.ts';
import { BACKENDS, uid } from '../db/backends.ts';
import { DAY0, type Fixture, H, openFixture } from './fixture.ts';

function matches(pattern: string, topic: string): boolean {
  const p = pattern.split('/');
  const t = topic.split('/');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '#') return true;
    if (p[i] !== '+' && p[i] !== t[i]) return false;
  }
  return p.length === t.length;
}

/** An in-memory bus; `respond` plays the box answering snapshot requests. */
class FakeBus implements MessageBus {
  handlers: { pattern: string; handler: MessageHandler }[] = [];
  published: InboundMessage[] = [];
  respond: ((topic: string, request: { id: string; cameraId: string }) => unknown) | undefined;
  async subscribe(pattern: string, handler: MessageHandler): Promise<void> {
    this.handlers.push({ pattern, handler });
  }
  async publish(topic: string, payload: string | Buffer): Promise<void> {
    this.published.push({ topic, payload: Buffer.from(payload) });
    const request = JSON.parse(String(payload)) as { id: string; cameraId: string };
    const answer = this.respond?.(topic, request);
    if (answer === undefined) return;
    const responseTopic = topic.replace('/request/', '/response/');
    setTimeout(() => {
      for (const h of this.handlers) {
        if (matches(h.pattern, responseTopic))
          void h.handler({ topic: responseTopic, payload: Buffer.from(JSON.stringify(answer)) });
      }
    }, 5);
  }
  async close(): Promise<void> {}
}

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);

describe.each(BACKENDS)('resources on %s', (kind) => {
  let f: Fixture;
  let admin: string;
  let manager: string;
  let viewer: string;
  const bus = new FakeBus();
  beforeAll(async () => {
    f = await openFixture(kind, {
      bus,
      snapshotTimeoutMs: 300,
      mqttUrl: 'mqtts://hub.example.com:8883',
      extraPlugins: [
        async (app) => {
          app.get('/boom', async () => {
            throw new Error('SELECT secret FROM users WHERE 1=1 -- at /srv/hub/src/db.ts:42');
          });
        },
      ],
    });
    ({ admin, managerA: manager, viewerA: viewer } = f.tokens);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('stores: create (admin), read, rename (manager), delete (admin); bad time zone is a 400', async () => {
    const created = await f.inject(admin, {
      method: 'POST',
      url: '/api/stores',
      payload: { name: '  Gamma ', timezone: 'Europe/Berlin' },
    });
    expect(created.statusCode).toBe(201);
    const store = created.json();
    expect(store).toMatchObject({ name: 'Gamma', timezone: 'Europe/Berlin' });
    expect(store.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const bad = await f.inject(admin, {
      method: 'PATCH',
      url: `/api/stores/${store.id}`,
      payload: { timezone: 'Mars/Olympus' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/unknown time zone/);
    const dup = await f.inject(admin, {
      method: 'POST',
      url: '/api/stores',
      payload: { id: store.id, name: 'again' },
    });
    expect(dup.statusCode).toBe(409);
    const renamed = await f.inject(manager, {
      method: 'PATCH',
      url: `/api/stores/${f.a.store.id}`,
      payload: { name: 'Alpha Central' },
    });
    expect(renamed.json().name).toBe('Alpha Central');
    expect((await f.inject(admin, { method: 'DELETE', url: `/api/stores/${store.id}` })).statusCode).toBe(
      204,
    );
    expect((await f.inject(admin, { method: 'GET', url: `/api/stores/${store.id}` })).statusCode).toBe(404);
  });

  it('cameras, areas and lines: round trips, with plain-language geometry errors', async () => {
    const cam = await f.inject(manager, {
      method: 'POST',
      url: '/api/cameras',
      payload: {
        storeId: f.a.store.id,
        deviceId: f.a.device.id,
        name: 'Aisle',
        source: 'rtsp://user:pw@192.168.1.20/stream1',
        frameWidth: 800,
        frameHeight: 600,
      },
    });
    expect(cam.statusCode).toBe(201);
    const camera = cam.json();
    // Viewers do not see the camera's password.
    const seen = (await f.inject(viewer, { method: 'GET', url: `/api/cameras/${camera.id}` })).json();
    expect(seen.source).toBe('rtsp://user:***@192.168.1.20/stream1');
    const managerSees = (await f.inject(manager, { method: 'GET', url: `/api/cameras/${camera.id}` })).json();
    expect(managerSees.source).toBe('rtsp://user:pw@192.168.1.20/stream1');

    const square = [
      [100, 100],
      [300, 100],
      [300, 300],
      [100, 300],
    ];
    const zone = await f.inject(manager, {
      method: 'POST',
      url: `/api/cameras/${camera.id}/zones`,
      payload: { name: 'Shelf', polygon: square },
    });
    expect(zone.statusCode).toBe(201);
    expect(zone.json().polygon).toEqual(square);

    const bowtie = [
      [100, 100],
      [300, 300],
      [300, 100],
      [100, 300],
    ];
    const crossing = await f.inject(manager, {
      method: 'POST',
      url: `/api/cameras/${camera.id}/zones`,
      payload: { name: 'Bad', polygon: bowtie },
    });
    expect(crossing.statusCode).toBe(400);
    expect(crossing.json().message).toMatch(/edges cross each other/);
    const two = await f.inject(manager, {
      method: 'POST',
      url: `/api/cameras/${camera.id}/zones`,
      payload: {
        name: 'Bad',
        polygon: [
          [1, 1],
          [5, 5],
        ],
      },
    });
    expect(two.json().message).toMatch(/at least 3 points, got 2/);
    const outside = await f.inject(manager, {
      method: 'PATCH',
      url: `/api/zones/${zone.json().id}`,
      payload: {
        polygon: [
          [0, 0],
          [900, 0],
          [0, 100],
        ],
      },
    });
    expect(outside.statusCode).toBe(400);
    expect(outside.json().message).toMatch(/outside the 800x600 picture/);
    const garbage = await f.inject(manager, {
      method: 'POST',
      url: `/api/cameras/${camera.id}/zones`,
      payload: { name: 'x', polygon: 'square' },
    });
    expect(garbage.statusCode).toBe(400);
    expect(garbage.json().message).toMatch(/body/);

    const renamed = await f.inject(manager, {
      method: 'PATCH',
      url: `/api/zones/${zone.json().id}`,
      payload: { name: 'Top shelf' },
    });
    expect(renamed.json()).toMatchObject({ name: 'Top shelf', polygon: square });
    const zones = (await f.inject(viewer, { method: 'GET', url: `/api/cameras/${camera.id}/zones` })).json();
    expect(zones).toHaveLength(1);

    const line = await f.inject(manager, {
      method: 'POST',
      url: `/api/cameras/${camera.id}/lines`,
      payload: { name: 'Door', start: [0, 300], end: [800, 300], inSide: 'right' },
    });
    expect(line.statusCode).toBe(201);
    const dot = await f.inject(manager, {
      method: 'PATCH',
      url: `/api/lines/${line.json().id}`,
      payload: { end: [0, 300] },
    });
    expect(dot.statusCode).toBe(400);
    expect(dot.json().message).toMatch(/no length/);
    const flipped = await f.inject(manager, {
      method: 'PATCH',
      url: `/api/lines/${line.json().id}`,
      payload: { inSide: 'left' },
    });
    expect(flipped.json().inSide).toBe('left');
    expect((await f.inject(viewer, { method: 'GET', url: `/api/lines/${line.json().id}` })).json().name).toBe(
      'Door',
    );
    expect(
      (await f.inject(manager, { method: 'DELETE', url: `/api/lines/${line.json().id}` })).statusCode,
    ).toBe(204);
    expect(
      (await f.inject(manager, { method: 'DELETE', url: `/api/zones/${zone.json().id}` })).statusCode,
    ).toBe(204);
    const patched = await f.inject(manager, {
      method: 'PATCH',
      url: `/api/cameras/${camera.id}`,
      payload: { enabled: false, fps: 12.5 },
    });
    expect(patched.json()).toMatchObject({ enabled: false, fps: 12.5 });
    const wrongDevice = await f.inject(admin, {
      method: 'PATCH',
      url: `/api/cameras/${camera.id}`,
      payload: { deviceId: f.b.device.id },
    });
    expect(wrongDevice.statusCode).toBe(400);
    expect((await f.inject(manager, { method: 'DELETE', url: `/api/cameras/${camera.id}` })).statusCode).toBe(
      204,
    );
    expect((await f.inject(manager, { method: 'GET', url: `/api/cameras/${camera.id}` })).statusCode).toBe(
      404,
    );
  });

  it('refuses camera sources pointing at metadata or link-local addresses, and other schemes', async () => {
    const attempt = (token: string, source: string) =>
      f.inject(token, {
        method: 'POST',
        url: '/api/cameras',
        payload: { storeId: f.a.store.id, name: 'Cam', source },
      });
    for (const source of [
      'http://169.254.169.254/latest/meta-data/',
      'rtsp://169.254.1.1/stream',
      'http://2852039166/',
      'http://0xa9fea9fe/',
      'rtsp://0251.0376.0251.0376/x',
      'http://169.254.43518/',
      'https://[::ffff:169.254.169.254]/',
      'rtsp://[fe80::1]/x',
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://0.0.0.0:8080/',
      'rtsp://224.0.0.1/x',
      'ftp://10.0.0.1/video',
      'gopher://10.0.0.1/',
      'javascript:alert(1)',
      'rtsp://10.0.0.1/\nx',
    ]) {
      const r = await attempt(admin, source);
      expect(r.statusCode, source).toBe(400);
      expect(r.json().message, source).toMatch(/link-local|not allowed|control characters|not a valid/);
    }
    // Loopback means the box itself: administrators only.
    expect((await attempt(manager, 'rtsp://127.0.0.1:8554/cam')).statusCode).toBe(403);
    expect((await attempt(manager, 'http://[::1]/cam')).statusCode).toBe(403);
    expect((await attempt(admin, 'rtsp://127.0.0.1:8554/cam')).statusCode).toBe(201);
    // Private LAN addresses, host names and webcams are what cameras use.
    for (const source of [
      'rtsp://10.0.0.7:554/h264',
      'rtsps://cam.shop.lan/x',
      'http://172.16.4.4/mjpg',
      'https://192.168.0.9/s',
      '0',
      '3',
    ]) {
      expect((await attempt(manager, source)).statusCode, source).toBe(201);
    }
  });

  it('takes a video file as a path on the box: administrators only, absolute, not checked on the hub', async () => {
    const attempt = (token: string, source: string) =>
      f.inject(token, {
        method: 'POST',
        url: '/api/cameras',
        payload: { storeId: f.a.store.id, name: 'File', source },
      });

    // The hub does not look at its own disk: the file lives on the box, which checks it and reports back.
    const ok = await attempt(admin, '/srv/videos/door.mp4');
    expect(ok.statusCode).toBe(201);
    expect(ok.json().source).toBe('/srv/videos/door.mp4');
    const url = await attempt(admin, 'file:///srv/videos/till%20one.mp4');
    expect(url.statusCode).toBe(201);
    expect(url.json().source).toBe('/srv/videos/till one.mp4');
    expect((await attempt(admin, '/srv/videos/../other/./door.mp4')).json().source).toBe(
      '/srv/other/door.mp4',
    );
    const manager403 = await attempt(manager, '/srv/videos/door.mp4');
    expect(manager403.statusCode).toBe(403);
    expect(manager403.json().message).toMatch(/only an administrator/);
    for (const source of ['door.mp4', './videos/door.mp4', '../door.mp4', 'C:\\videos\\door.mp4']) {
      const r = await attempt(admin, source);
      expect(r.statusCode, source).toBe(400);
      expect(r.json().message, source).toMatch(/a video file is a path on the box: give its absolute path/);
    }
    for (const source of ['/srv/door\u0000.mp4', `/${'a'.repeat(2001)}`, 'file://otherhost/door.mp4']) {
      const r = await attempt(admin, source);
      expect(r.statusCode, source).toBe(400);
    }
  });

  it('enrolls a box with a one-time code: hashed, expiring, single use', async () => {
    const made = await f.inject(manager, {
      method: 'POST',
      url: `/api/stores/${f.a.store.id}/enrollment-codes`,
      payload: { ttlMinutes: 5 },
    });
    expect(made.statusCode).toBe(201);
    const { code, id } = made.json();
    expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    const listed = (
      await f.inject(manager, { method: 'GET', url: `/api/stores/${f.a.store.id}/enrollment-codes` })
    ).json();
    expect(listed.map((c: { id: string }) => c.id)).toContain(id);
    expect(JSON.stringify(listed)).not.toContain(code);
    const stored = await f.repos.enrollment.find(id);
    expect(stored?.codeHash).not.toContain(code.replaceAll('-', ''));

    const enrolled = await f.app.inject({
      method: 'POST',
      url: '/api/enroll',
      payload: { code: code.toLowerCase(), name: 'Till box' },
    });
    expect(enrolled.statusCode).toBe(201);
    const body = enrolled.json();
    expect(body).toMatchObject({
      storeId: f.a.store.id,
      mqtt: { url: 'mqtts://hub.example.com:8883', username: body.deviceId },
    });
    const hash = await f.repos.devices.credentialHash(body.deviceId);
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await verifySecret(hash!, body.secret)).toBe(true);
    const devices = (
      await f.inject(viewer, { method: 'GET', url: `/api/devices?storeId=${f.a.store.id}` })
    ).json();
    expect(devices.find((d: { id: string }) => d.id === body.deviceId)).toMatchObject({
      name: 'Till box',
      online: false,
      outboxDepth: 0,
    });
    expect(JSON.stringify(devices)).not.toMatch(/argon2|credential/i);

    const again = await f.app.inject({ method: 'POST', url: '/api/enroll', payload: { code } });
    expect(again.statusCode).toBe(400);
    expect(again.json().message).toMatch(/already used/);
    const unknown = await f.app.inject({
      method: 'POST',
      url: '/api/enroll',
      payload: { code: 'AAAA-BBBB-CCCC-DDDD' },
    });
    expect(unknown.json().message).toMatch(/not known/);
    const short = (
      await f.inject(manager, { method: 'POST', url: `/api/stores/${f.a.store.id}/enrollment-codes` })
    ).json();
    f.advance(2 * H);
    const expired = await f.app.inject({ method: 'POST', url: '/api/enroll', payload: { code: short.code } });
    expect(expired.json().message).toMatch(/expired/);
    f.advance(-2 * H);

    const shown = async () =>
      (await f.inject(manager, { method: 'GET', url: `/api/devices/${body.deviceId}` })).json().revoked;
    expect(await shown()).toBe(false);
    const revoke = await f.inject(manager, { method: 'POST', url: `/api/devices/${body.deviceId}/revoke` });
    expect(revoke.statusCode).toBe(204);
    expect(await f.repos.devices.credentialHash(body.deviceId)).toBeNull();
    expect(await shown()).toBe(true); // the installer sees it locked out
    const moved = await f.inject(manager, {
      method: 'PATCH',
      url: `/api/devices/${body.deviceId}`,
      payload: { storeId: f.b.store.id },
    });
    expect(moved.statusCode).toBe(403);
    expect(
      (await f.inject(manager, { method: 'DELETE', url: `/api/devices/${body.deviceId}` })).statusCode,
    ).toBe(204);
  });

  it('asks the box for a snapshot over the bus: picture, box error (502), timeout (504), no box (409)', async () => {
    bus.respond = (topic, req) => {
      expect(topic).toBe(topics.request(f.a.device.id, 'snapshot'));
      return {
        v: PROTOCOL_VERSION,
        id: req.id,
        status: 'ok',
        data: {
          cameraId: req.cameraId,
          contentType: 'image/jpeg',
          width: 640,
          height: 480,
          base64: JPEG.toString('base64'),
        },
      };
    };
    const ok = await f.inject(viewer, { method: 'GET', url: `/api/cameras/${f.a.camera.id}/snapshot` });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toBe('image/jpeg');
    expect(ok.rawPayload.equals(JPEG)).toBe(true);

    bus.respond = (_topic, req) => ({
      v: PROTOCOL_VERSION,
      id: req.id,
      status: 'error',
      error: 'camera not running',
    });
    const failed = await f.inject(viewer, { method: 'GET', url: `/api/cameras/${f.a.camera.id}/snapshot` });
    expect(failed.statusCode).toBe(502);
    expect(failed.json().message).toMatch(/camera not running/);

    // An answer with another transaction id, then silence.
    bus.respond = () => ({ v: PROTOCOL_VERSION, id: 'someone-else', status: 'error', error: 'x' });
    const timeout = await f.inject(viewer, { method: 'GET', url: `/api/cameras/${f.a.camera.id}/snapshot` });
    expect(timeout.statusCode).toBe(504);
    expect(timeout.json().message).toMatch(/did not answer within 0.3 s/);

    const lone = await f.repos.cameras.create({ storeId: f.a.store.id, name: 'Unassigned', source: '0' });
    const noBox = await f.inject(viewer, { method: 'GET', url: `/api/cameras/${lone.id}/snapshot` });
    expect(noBox.statusCode).toBe(409);
  });

  it('lists visitors with search and paging, visits with paths, events with filters and cursors', async () => {
    for (let i = 0; i < 5; i++) {
      await f.repos.customers.recordSighting({
        storeId: f.a.store.id,
        trackingId: `shopper-${i}`,
        at: new Date(DAY0 + i * H),
      });
    }
    await f.repos.customers.recordSighting({
      storeId: f.a.store.id,
      trackingId: '50%_off',
      at: new Date(DAY0),
    });
    const page1 = (
      await f.inject(viewer, {
        method: 'GET',
        url: `/api/customers?storeId=${f.a.store.id}&search=shopper&limit=3`,
      })
    ).json();
    expect(page1.items.map((c: { trackingId: string }) => c.trackingId)).toEqual([
      'shopper-4',
      'shopper-3',
      'shopper-2',
    ]);
    expect(page1.nextOffset).toBe(3);
    const page2 = (
      await f.inject(viewer, {
        method: 'GET',
        url: `/api/customers?storeId=${f.a.store.id}&search=shopper&limit=3&offset=3`,
      })
    ).json();
    expect(page2.items).toHaveLength(2);
    expect(page2.nextOffset).toBeNull();
    const literal = (
      await f.inject(viewer, {
        method: 'GET',
        url: `/api/customers?storeId=${f.a.store.id}&search=${encodeURIComponent('%_')}`,
      })
    ).json();
    expect(literal.items.map((c: { trackingId: string }) => c.trackingId)).toEqual(['50%_off']);
    const one = await f.inject(viewer, { method: 'GET', url: `/api/customers/${f.a.customer.id}` });
    expect(one.json()).not.toHaveProperty('faceEncoding');

    const visit = (await f.inject(viewer, { method: 'GET', url: `/api/visits/${f.a.visit.id}` })).json();
    expect(visit.path).toHaveLength(2);
    expect(visit.zones.map((z: { dwellMs: number }) => z.dwellMs).sort()).toEqual([20_000, 30_000]);
    const from = new Date(DAY0).toISOString();
    const to = new Date(DAY0 + 24 * H).toISOString();
    const visits = (
      await f.inject(viewer, { method: 'GET', url: `/api/visits?from=${from}&to=${to}` })
    ).json();
    expect(visits.items.map((v: { id: number }) => v.id)).toEqual([f.a.visit.id]);

    const events = await f.inject(viewer, {
      method: 'GET',
      url: `/api/events?from=${from}&to=${to}&storeId=${f.a.store.id}&limit=1`,
    });
    const p1 = events.json();
    expect(p1.items).toHaveLength(1);
    expect(p1.nextCursor).toBeTruthy();
    const p2 = (
      await f.inject(viewer, {
        method: 'GET',
        url: `/api/events?from=${from}&to=${to}&storeId=${f.a.store.id}&limit=1&cursor=${p1.nextCursor}`,
      })
    ).json();
    expect(p2.items[0].kind).toBe('line_crossed');
    const byKind = (
      await f.inject(viewer, {
        method: 'GET',
        url: `/api/events?from=${from}&to=${to}&kind=zone_entered&kind=zone_left`,
      })
    ).json();
    expect(byKind.items.map((e: { kind: string }) => e.kind)).toEqual(['zone_entered']);
    const byZone = (
      await f.inject(viewer, {
        method: 'GET',
        url: `/api/events?from=${from}&to=${to}&zoneId=${f.a.zone.id}`,
      })
    ).json();
    expect(byZone.items).toHaveLength(1);
    const badKind = await f.inject(viewer, {
      method: 'GET',
      url: `/api/events?from=${from}&to=${to}&kind=teleported`,
    });
    expect(badKind.statusCode).toBe(400);
    const badCursor = await f.inject(viewer, {
      method: 'GET',
      url: `/api/events?from=${from}&to=${to}&cursor=abc`,
    });
    expect(badCursor.statusCode).toBe(400);
    const backwards = await f.inject(viewer, { method: 'GET', url: `/api/events?from=${to}&to=${from}` });
    expect(backwards.json().message).toMatch(/end after it starts/);

    // An administrator without a store filter sees both stores; a viewer with several must choose.
    const all = (await f.inject(admin, { method: 'GET', url: `/api/visits?from=${from}&to=${to}` })).json();
    expect(all.items).toHaveLength(2);
    const erase = await f.inject(manager, { method: 'DELETE', url: `/api/customers/${f.a.customer.id}` });
    expect(erase.statusCode).toBe(204);
  });

  it('never leaks stack traces or SQL: a generic 500 with the request id', async () => {
    const r = await f.app.inject({ method: 'GET', url: '/boom' });
    expect(r.statusCode).toBe(500);
    const body = r.json();
    expect(body.message).toMatch(/something went wrong on the hub; .* request id/);
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body).not.toMatch(/SELECT|\.ts|at \//);
    const notFound = await f.inject(admin, { method: 'GET', url: '/api/nothing-here' });
    expect(notFound.statusCode).toBe(404);
    const badJson = await f.inject(admin, {
      method: 'POST',
      url: '/api/stores',
      payload: '{"name": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(badJson.statusCode).toBe(400);
    const nul = await f.inject(admin, { method: 'POST', url: '/api/stores', payload: { name: 'a\u0000b' } });
    expect(nul.statusCode).toBe(400);
    expect(nul.json().message).toMatch(/NUL/);
  });

  it('sends security headers, and CORS only for configured origins', async () => {
    const r = await f.inject(viewer, {
      method: 'GET',
      url: '/api/stores',
      headers: { origin: 'https://dashboard.example.com' },
    });
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['content-security-policy']).toBeDefined();
    expect(r.headers['strict-transport-security']).toBeDefined();
    expect(r.headers['access-control-allow-origin']).toBe('https://dashboard.example.com');
    const evil = await f.inject(viewer, {
      method: 'GET',
      url: '/api/stores',
      headers: { origin: 'https://evil.example.net' },
    });
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await f.app.inject({
      method: 'OPTIONS',
      url: '/api/stores',
      headers: { origin: 'https://evil.example.net', 'access-control-request-method': 'DELETE' },
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('serves the OpenAPI document and its page without a token', async () => {
    const page = await f.app.inject({ method: 'GET', url: '/api/docs/static/swagger-initializer.js' });
    expect(page.statusCode).toBe(200);
    expect([200, 302]).toContain((await f.app.inject({ method: 'GET', url: '/api/docs' })).statusCode);
    const spec = (await f.app.inject({ method: 'GET', url: '/api/docs/json' })).json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(spec.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/analytics/summary', '/api/cameras/{id}/zones', '/api/enroll']),
    );
    expect(spec.paths['/api/enroll'].post.security).toEqual([]);
  });

  it('reports health: database, broker and boxes online', async () => {
    const app = await buildApp({
      settings: f.settings,
      db: f.t.handle,
      brokerHealth: () => ({ ok: false, detail: 'external broker unreachable' }),
    });
    try {
      await f.repos.devices.recordStatus(f.a.device.id, {
        v: 1,
        state: 'online',
        at: Date.now(),
        connection: 1,
        software: 'test',
        configRevision: 0,
        outbox: { depth: 3, oldestAgeMs: 10, dropped: 0 },
        cameras: [],
      });
      const r = await app.inject({ method: 'GET', url: '/api/health' });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ status: 'degraded', database: { ok: true }, broker: { ok: false } });
      expect(r.json().devices.online).toBeGreaterThanOrEqual(1);
      const device = (await f.inject(viewer, { method: 'GET', url: `/api/devices/${f.a.device.id}` })).json();
      expect(device).toMatchObject({ online: true, outboxDepth: 3 });
      expect(device.lastSeenAt).toMatch(/^\d{4}-/);
    } finally {
      await app.close();
    }
    expect(uid()).toBeTruthy();
  });
});
