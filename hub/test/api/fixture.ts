/**
 * One API test context: a test database (PostgreSQL schema or PGlite), the app built on it, and two
 * stores A and B with a box, a camera, an area, a line, a visitor, a visit and events each, plus users:
 * admin, a manager and a viewer of store A, and a viewer of store B.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventOf, SequencedEvent } from '@oskartrack/protocol';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse, RouteOptions } from 'fastify';
import pino from 'pino';
import { createUser } from '../../src/api/users-command.ts';
import { type AppOptions, buildApp } from '../../src/app.ts';
import type { DatabaseKind } from '../../src/db/database.ts';
import type { Repositories } from '../../src/db/repositories/index.ts';
import type { Settings } from '../../src/settings.ts';
import { UploadService, uploadsPlugin } from '../../src/uploads/index.ts';
import { openTestDatabase, seedStore, type TestDatabase, uid } from '../db/backends.ts';

export const PASSWORD = 'correct-horse-battery';
export const DAY0 = Date.parse('2025-07-01T00:00:00Z');
export const H = 3_600_000;

export const tri: [number, number][] = [
  [10, 10],
  [200, 10],
  [10, 200],
];

export async function seedStoreData(repos: Repositories, name: string) {
  const s = await seedStore(repos, name);
  const zone = await repos.zones.createZone({ cameraId: s.camera.id, name: 'Till', polygon: tri });
  const zone2 = await repos.zones.createZone({
    cameraId: s.camera.id,
    name: 'Bakery',
    polygon: [
      [300, 300],
      [600, 300],
      [600, 470],
      [300, 470],
    ],
  });
  const line = await repos.zones.createLine({
    cameraId: s.camera.id,
    name: 'Door',
    start: [0, 240],
    end: [640, 240],
    inSide: 'left',
  });
  const customer = await repos.customers.recordSighting({
    storeId: s.store.id,
    trackingId: `t-${s.u}`,
    at: new Date(DAY0 + H),
    newVisit: true,
  });
  const { visit } = await repos.visits.create({
    cameraId: s.camera.id,
    customerId: customer.id,
    trackId: 1,
    startedAt: new Date(DAY0 + H),
    endedAt: new Date(DAY0 + H + 60_000),
    path: [
      { at: DAY0 + H, point: [50, 50] },
      { at: DAY0 + H + 30_000, point: [400, 400] },
    ],
    zones: [
      { zoneId: zone.id, dwellMs: 20_000 },
      { zoneId: zone2.id, dwellMs: 30_000 },
    ],
  });
  const events: SequencedEvent[] = [
    {
      seq: 1,
      event: { kind: 'zone_entered', cameraId: s.camera.id, at: DAY0 + H, trackId: 1, zoneId: zone.id },
    },
    {
      seq: 2,
      event: {
        kind: 'line_crossed',
        cameraId: s.camera.id,
        at: DAY0 + H + 1000,
        trackId: 1,
        lineId: line.id,
        direction: 'in',
      },
    },
  ];
  await repos.events.insertEvents(s.device.id, events);
  const upload = await repos.uploads.create({
    storeId: s.store.id,
    cameraId: s.camera.id,
    deviceId: s.device.id,
    createdBy: null,
    fileName: 'recording.avi',
    sizeBytes: 1000,
    detector: 'hog',
    fps: null,
    startTime: new Date(DAY0),
    framesTotal: null,
  });
  return { ...s, zone, zone2, line, customer, visit, upload };
}
export type StoreData = Awaited<ReturnType<typeof seedStoreData>>;

export interface Fixture {
  t: TestDatabase;
  repos: Repositories;
  app: FastifyInstance;
  routes: RouteOptions[];
  dataDir: string;
  mediaDir: string;
  settings: Settings;
  a: StoreData;
  b: StoreData;
  names: { admin: string; managerA: string; viewerA: string; viewerB: string };
  tokens: { admin: string; managerA: string; viewerA: string; viewerB: string };
  /** Moves the clock the app signs and checks tokens with. */
  advance(ms: number): void;
  inject(token: string | undefined, options: InjectOptions): Promise<LightMyRequestResponse>;
  login(name: string, password?: string, address?: string): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

let addressCounter = 1;
/** A fresh client address, so per-address login limits of one test never touch another. */
export function freshAddress(): string {
  addressCounter++;
  return `10.${(addressCounter >> 16) & 255}.${(addressCounter >> 8) & 255}.${addressCounter & 255}`;
}

export async function openFixture(kind: DatabaseKind, options: Partial<AppOptions> = {}): Promise<Fixture> {
  const t = await openTestDatabase(kind);
  const repos = t.repos;
  const dataDir = mkdtempSync(join(tmpdir(), 'oskartrack-api-'));
  const mediaDir = join(dataDir, 'media');
  mkdirSync(mediaDir);
  const settings: Settings = {
    databaseUrl: undefined,
    databaseSchema: undefined,
    dataDir,
    mediaDir,
    jwtSecret: `test-${uid()}-${uid()}-${uid()}-${uid()}-${uid()}`,
    corsOrigins: ['https://dashboard.example.com'],
  };
  const a = await seedStoreData(repos, 'Alpha');
  const b = await seedStoreData(repos, 'Beta');
  const u = uid();
  const names = {
    admin: `admin-${u}`,
    managerA: `manager-${u}`,
    viewerA: `viewer-a-${u}`,
    viewerB: `viewer-b-${u}`,
  };
  await createUser(repos, { name: names.admin, password: PASSWORD, role: 'admin' });
  await createUser(repos, {
    name: names.managerA,
    password: PASSWORD,
    role: 'manager',
    storeIds: [a.store.id],
  });
  await createUser(repos, {
    name: names.viewerA,
    password: PASSWORD,
    role: 'viewer',
    storeIds: [a.store.id],
  });
  await createUser(repos, {
    name: names.viewerB,
    password: PASSWORD,
    role: 'viewer',
    storeIds: [b.store.id],
  });

  let offset = 0;
  const routes: RouteOptions[] = [];
  // The uploads routes live in their own plugin (as in `serve`); they are here so that every route
  // test walks them too. No job runs in these tests.
  const uploads = new UploadService({
    repos,
    db: t.handle.db,
    dataDir,
    log: pino({ level: 'silent' }),
  });
  const app = await buildApp({
    settings,
    db: t.handle,
    onRoute: (r) => routes.push(r),
    extraPlugins: [uploadsPlugin({ service: uploads }), ...(options.extraPlugins ?? [])],
    loginRateLimit: { perAddress: 1000, freeFailures: 1000, windowMs: 60_000 },
    ...options,
    auth: { clock: () => Date.now() + offset, ...options.auth },
  });
  await app.ready();

  const inject = (token: string | undefined, o: InjectOptions) =>
    app.inject({
      ...o,
      headers: { ...(o.headers ?? {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
  const login = (name: string, password = PASSWORD, address = freshAddress()) =>
    app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { name, password },
      remoteAddress: address,
    });
  const token = async (name: string) => {
    const r = await login(name);
    if (r.statusCode !== 200) throw new Error(`login ${name}: ${r.statusCode} ${r.body}`);
    return r.json().accessToken as string;
  };
  const tokens = {
    admin: await token(names.admin),
    managerA: await token(names.managerA),
    viewerA: await token(names.viewerA),
    viewerB: await token(names.viewerB),
  };
  return {
    t,
    repos,
    app,
    routes,
    dataDir,
    mediaDir,
    settings,
    a,
    b,
    names,
    tokens,
    advance: (ms) => {
      offset += ms;
    },
    inject,
    login,
    async close() {
      await app.close();
      await t.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A visit_closed event, for tests that build visits from events. */
export function visitClosed(cameraId: string, at: number, trackId: number): EventOf<'visit_closed'> {
  return {
    kind: 'visit_closed',
    cameraId,
    at,
    trackId,
    startedAt: at - 1000,
    durationMs: 1000,
    path: [],
    zones: [],
  };
}
