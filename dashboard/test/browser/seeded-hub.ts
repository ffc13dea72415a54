/**
 * A real hub for browser tests whose data is seeded through the hub's own repositories (embedded
 * PGlite in a temp folder, the embedded broker, no demo box): numbers that stay put while a test
 * reads them. Also a recording's visits, tagged with their upload as the upload worker tags them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningHub } from '@oskartrack/hub/server';
import pino from 'pino';

export interface SeededHub {
  hub: RunningHub;
  url: string;
  admin: { name: string; password: string };
  stop(): Promise<void>;
}

export async function startSeededHub(): Promise<SeededHub> {
  const dataDir = await mkdtemp(join(tmpdir(), 'oskartrack-seeded-'));
  const { startHub } = await import('@oskartrack/hub/server');
  const hub = await startHub({
    settings: {
      databaseUrl: undefined,
      databaseSchema: undefined,
      dataDir,
      mediaDir: join(dataDir, 'media'),
    },
    log: pino({ level: process.env.OSKARTRACK_TEST_LOG ?? 'silent' }),
    port: 0,
    host: '127.0.0.1',
    mqttPort: 0,
    insecure: true,
  });
  if (!hub.admin) throw new Error('the hub created no first administrator');
  return {
    hub,
    url: hub.url,
    admin: hub.admin,
    async stop() {
      await hub.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Visits of an uploaded recording on a camera: what the upload worker stores for it. */
export async function seedRecording(
  hub: RunningHub,
  place: { storeId: string; cameraId: string; deviceId: string },
  visits: readonly { startedAt: number; durationMs: number }[],
): Promise<string> {
  const r = hub.app.repos;
  const upload = await r.uploads.create({
    storeId: place.storeId,
    cameraId: place.cameraId,
    deviceId: place.deviceId,
    createdBy: null,
    fileName: 'test-video.avi',
    sizeBytes: 1000,
    detector: 'hog',
    fps: null,
    startTime: new Date(visits[0]?.startedAt ?? Date.now()),
    framesTotal: null,
  });
  await r.visits.createManyFromEvents(
    place.deviceId,
    visits.map((v, i) => ({
      seq: i + 1,
      event: {
        kind: 'visit_closed' as const,
        cameraId: place.cameraId,
        at: v.startedAt + v.durationMs,
        trackId: 1000 + i,
        startedAt: v.startedAt,
        durationMs: v.durationMs,
        path: [],
        zones: [],
      },
    })),
    { uploadId: upload.id },
  );
  return upload.id;
}

/** The instant the current day began in `timeZone` (no daylight-saving change that day assumed). */
export function zoneMidnight(timeZone: string, now = Date.now()): number {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    })
      .formatToParts(new Date(now))
      .map((x) => [x.type, Number(x.value)]),
  ) as Record<string, number>;
  const wallNow = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!);
  const offset = wallNow - Math.floor(now / 60_000) * 60_000;
  return Date.UTC(p.year!, p.month! - 1, p.day!) - offset;
}

/** `2026-11-24 14:05:00` in `timeZone`, as Sweden writes dates (the ISO order). */
export function wallText(at: number, timeZone: string): string {
  return new Date(at).toLocaleString('sv-SE', { timeZone, hour12: false });
}
