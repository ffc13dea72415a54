/**
 * An uploaded recording is counted once and placed where it happened: the same bytes for the same
 * camera are refused with 409 while their job counts (in the database, so every hub agrees; a failed
 * or deleted job's file may come again; another file or another camera is a new recording), and a
 * file cut short, uploaded without a start time, ends at its upload by the frames it holds, not by
 * the count its header promised.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UploadJob } from '@oskartrack/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutClip, PETS_CLIP } from '../../../agent/test/support/clip.ts';
import { DuplicateRecordingError, recordingsDeviceId } from '../../src/db/repositories/index.ts';
import { RecordingsDevices } from '../../src/uploads/recordings-device.ts';
import { BACKENDS, uid } from '../db/backends.ts';
import { openTestHub, type TestHub } from '../live/hub.ts';

const START = '2025-07-01T09:00:00.000Z';
const TIME_ZONE = 'Europe/Berlin';

interface Form {
  cameraId: string;
  startTime?: string;
  fps?: string;
  file: { name: string; data: Buffer };
}

function formData(f: Form): FormData {
  const form = new FormData();
  form.append('cameraId', f.cameraId);
  if (f.startTime) form.append('startTime', f.startTime);
  if (f.fps) form.append('fps', f.fps);
  form.append('file', new Blob([new Uint8Array(f.file.data)]), f.file.name);
  return form;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The refusal's words, with the first job's upload dated in the store's time zone. */
function refusal(first: UploadJob): string {
  const date = new Intl.DateTimeFormat('en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: TIME_ZONE,
  }).format(new Date(first.createdAt));
  return `This recording was already added on ${date}: its visitors are counted once. To count it again (with another detector, say), delete that upload first.`;
}

describe.each(BACKENDS)('uploads counted once on %s', (kind) => {
  let h: TestHub;
  let dir: string;
  let clip: Buffer;
  let otherClip: Buffer;
  let storeId: string;
  let cameraId: string;
  let secondCameraId: string;
  let manager: string;

  const post = (form: Form) =>
    fetch(`${h.hub.url}/api/uploads`, {
      method: 'POST',
      body: formData(form),
      headers: { authorization: `Bearer ${manager}` },
    });
  const get = async (id: string) => {
    const r = await fetch(`${h.hub.url}/api/uploads/${id}`, {
      headers: { authorization: `Bearer ${manager}` },
    });
    expect(r.status).toBe(200);
    return (await r.json()) as UploadJob;
  };
  const remove = async (id: string) => {
    const r = await fetch(`${h.hub.url}/api/uploads/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${manager}` },
    });
    expect(r.status).toBe(204);
  };
  const accepted = async (r: Response) => {
    expect(r.status, await r.clone().text()).toBe(202);
    return (await r.json()) as UploadJob;
  };

  async function waitDone(id: string): Promise<UploadJob> {
    for (;;) {
      const job = await get(id);
      if (job.state === 'done' || job.state === 'failed') return job;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oskartrack-once-'));
    await cutClip(join(dir, 'clip.avi'), 6);
    await cutClip(join(dir, 'other.avi'), 7);
    clip = readFileSync(join(dir, 'clip.avi'));
    otherClip = readFileSync(join(dir, 'other.avi'));
    h = await openTestHub(kind, { uploads: { progressMs: 0 } });
    const r = h.t.repos;
    storeId = (await r.stores.create({ id: `once-${uid()}`, name: 'Once', timezone: TIME_ZONE })).id;
    const camera = (name: string) =>
      r.cameras.create({
        storeId,
        name,
        source: 'rtsp://10.0.0.9/stream',
        frameWidth: 768,
        frameHeight: 576,
      });
    cameraId = (await camera('Door')).id;
    secondCameraId = (await camera('Till')).id;
    manager = await h.user('manager', [storeId]);
  }, 180_000);

  afterAll(async () => {
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses the same bytes for the same camera with 409, in the database, whichever hub asks', async () => {
    const repos = h.t.repos;
    await new RecordingsDevices(repos).ensure(storeId);
    const job = {
      storeId,
      cameraId,
      deviceId: recordingsDeviceId(storeId),
      createdBy: null,
      fileName: 'x.avi',
      sizeBytes: 1,
      detector: 'hog',
      fps: null,
      startTime: new Date(START),
      framesTotal: null,
    };
    const sha = sha256(Buffer.from(uid()));
    // Two hubs receiving the same file at once: the unique index lets one job through.
    const both = await Promise.allSettled([
      repos.uploads.create({ ...job, contentSha256: sha }),
      repos.uploads.create({ ...job, contentSha256: sha }),
    ]);
    const made = both.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const refused = both.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(made).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toBeInstanceOf(DuplicateRecordingError);
    const first = made[0]!;
    expect((refused[0] as DuplicateRecordingError).existing.id).toBe(first.id);
    // Another camera, or other bytes: new recordings. A failed job's file may come again.
    const made2 = [
      await repos.uploads.create({ ...job, cameraId: secondCameraId, contentSha256: sha }),
      await repos.uploads.create({ ...job, contentSha256: sha256(Buffer.from(uid())) }),
    ];
    await repos.uploads.update(first.id, { state: 'failed' });
    const again = await repos.uploads.create({ ...job, contentSha256: sha });
    await expect(repos.uploads.create({ ...job, contentSha256: sha })).rejects.toBeInstanceOf(
      DuplicateRecordingError,
    );
    for (const row of [first, again, ...made2]) await repos.uploads.delete(row.id);
  });

  it('answers a second upload of the same recording for the camera with 409 and plain words', async () => {
    const file = { name: 'door.avi', data: clip };
    const first = await accepted(await post({ cameraId, startTime: START, file }));
    const ids = [first.id];
    try {
      // The same bytes at the same start time, under another name, or with no start time at all.
      for (const form of [
        { cameraId, startTime: START, file },
        { cameraId, startTime: START, file: { name: 'copy of door.avi', data: clip } },
        { cameraId, file },
      ]) {
        const again = await post(form);
        expect(again.status).toBe(409);
        expect(((await again.json()) as { message: string }).message).toBe(refusal(first));
      }
      // Another camera, or another file: new recordings.
      ids.push((await accepted(await post({ cameraId: secondCameraId, startTime: START, file }))).id);
      const other = { name: 'door-2.avi', data: otherClip };
      ids.push((await accepted(await post({ cameraId, startTime: START, file: other }))).id);
      // Deleted, its visitors are no longer counted: the file may come again.
      await remove(first.id);
      ids.shift();
      ids.push((await accepted(await post({ cameraId, startTime: START, file }))).id);
      const listed = (await h.t.repos.uploads.list({ storeIds: [storeId] })).filter((j) =>
        ids.includes(j.id),
      );
      expect(listed).toHaveLength(3);
    } finally {
      for (const id of ids) await remove(id);
    }
  }, 600_000);

  it('places a file cut short without a start time by the frames it holds, ending at its upload', async () => {
    // The first 3 % of the PETS clip: its header still promises all 795 frames.
    const whole = readFileSync(PETS_CLIP);
    const cut = whole.subarray(0, Math.floor(whole.length * 0.03));
    writeFileSync(join(dir, 'cut.avi'), cut);
    const queued = await accepted(
      await post({ cameraId, fps: '7', file: { name: 'cut.avi', data: readFileSync(join(dir, 'cut.avi')) } }),
    );
    const job = await waitDone(queued.id);
    expect(job.state, job.error ?? '').toBe('done');
    expect(job.framesTotal).toBe(795);
    expect(job.framesDone).toBeGreaterThan(0);
    expect(job.framesDone).toBeLessThan(795);
    // Its last frame lies within the second before its upload (start times are whole seconds).
    const uploaded = Date.parse(job.createdAt);
    const end = Date.parse(job.startTime) + (job.framesDone * 1000) / 7;
    expect(end).toBeLessThanOrEqual(uploaded);
    expect(end).toBeGreaterThan(uploaded - 1000);
    // Its events lie in that span too.
    const events = await h.t.repos.events.list({
      deviceId: recordingsDeviceId(storeId),
      uploadId: job.id,
      from: new Date(uploaded - 3_600_000),
      to: new Date(uploaded + 3_600_000),
      limit: 1000,
    });
    expect(events.items.length).toBeGreaterThan(0);
    for (const e of events.items) {
      expect(e.at.getTime()).toBeGreaterThanOrEqual(Date.parse(job.startTime));
      expect(e.at.getTime()).toBeLessThanOrEqual(uploaded);
    }
    await remove(job.id);
  }, 900_000);
});
