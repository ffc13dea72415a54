/**
 * Uploads through the whole hub (`startHub`, real HTTP and WebSocket): short clips cut from the PETS
 * 2009 video processed end to end (events, visits, seqs continuing, progress to done over REST and
 * the live feed, the file deleted, one worker process probing and counting both recordings; a worker
 * killed mid-job fails that job with words and a new one counts the next upload), kept apart from the live cameras (out of the live feed and of the
 * numbers unless `includeRecordings`, deleted with everything they produced, a start time never in
 * the future), and refusals (not a video, undecodable, too large, wrong role or store, missing fields).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UploadJob } from '@oskartrack/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutClip } from '../../../agent/test/support/clip.ts';
import { recordingsDeviceId } from '../../src/db/repositories/index.ts';
import { BACKENDS, seedStore, uid } from '../db/backends.ts';
import { openTestHub, Recorder, type TestHub } from '../live/hub.ts';

const MAX_BYTES = 3 * 1024 * 1024;
const START = '2025-07-01T09:00:00.000Z';
const DAY = 86_400_000;

interface Form {
  cameraId?: string;
  startTime?: string;
  fps?: string;
  detector?: string;
  file?: { name: string; data: Buffer };
}

function formData(f: Form): FormData {
  const form = new FormData();
  for (const key of ['cameraId', 'startTime', 'fps', 'detector'] as const) {
    const v = f[key];
    if (v !== undefined) form.append(key, v);
  }
  if (f.file) form.append('file', new Blob([new Uint8Array(f.file.data)]), f.file.name);
  return form;
}

describe.each(BACKENDS)('uploads on %s', (kind) => {
  let h: TestHub;
  let dir: string;
  let clip: Buffer;
  let shortClip: Buffer;
  let storeId: string;
  let cameraId: string;
  let otherCameraId: string;
  let manager: string;
  let viewer: string;
  let otherManager: string;
  let otherViewer: string;

  const post = (token: string | undefined, form: Form) =>
    fetch(`${h.hub.url}/api/uploads`, {
      method: 'POST',
      body: formData(form),
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  const get = (token: string, path: string) =>
    fetch(`${h.hub.url}/api/uploads${path}`, { headers: { authorization: `Bearer ${token}` } });
  const leftovers = () => readdirSync(h.hub.uploads.dir);

  async function waitDone(token: string, id: string): Promise<UploadJob> {
    const deadline = Date.now() + 480_000;
    for (;;) {
      const r = await get(token, `/${id}`);
      expect(r.status).toBe(200);
      const job = (await r.json()) as UploadJob;
      if (job.state === 'done' || job.state === 'failed') return job;
      if (Date.now() > deadline) throw new Error(`job ${id} still ${job.state}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oskartrack-clips-'));
    await cutClip(join(dir, 'clip.avi'), 40);
    await cutClip(join(dir, 'short.avi'), 8);
    clip = readFileSync(join(dir, 'clip.avi'));
    shortClip = readFileSync(join(dir, 'short.avi'));
    h = await openTestHub(kind, { settings: { uploadMaxBytes: MAX_BYTES }, uploads: { progressMs: 0 } });
    const r = h.t.repos;
    const u = uid();
    storeId = (await r.stores.create({ id: `rec-${u}`, name: 'Recorded shop' })).id;
    cameraId = (
      await r.cameras.create({
        storeId,
        name: 'Recording',
        source: 'rtsp://10.0.0.9/stream',
        frameWidth: 768,
        frameHeight: 576,
      })
    ).id;
    await r.zones.createZone({
      cameraId,
      name: 'Centre',
      polygon: [
        [300, 150],
        [600, 150],
        [600, 450],
        [300, 450],
      ],
    });
    await r.zones.createLine({ cameraId, name: 'West', start: [250, 330], end: [250, 180], inSide: 'left' });
    const other = await seedStore(r, 'Other');
    otherCameraId = other.camera.id;
    manager = await h.user('manager', [storeId]);
    viewer = await h.user('viewer', [storeId]);
    otherManager = await h.user('manager', [other.store.id]);
    otherViewer = await h.user('viewer', [other.store.id]);
  }, 180_000);

  afterAll(async () => {
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('processes a clip end to end: progress to done over REST and the live feed, events and visits stored, video deleted', async () => {
    const ws = Recorder.connect(h.wsUrl, manager);
    const stranger = Recorder.connect(h.wsUrl, otherViewer);
    await Promise.all([ws, stranger].map((r) => r.waitFor((m) => m.type === 'hello')));

    const r = await post(manager, {
      cameraId,
      startTime: START,
      fps: '7',
      file: { name: 'pets-clip.avi', data: clip },
    });
    expect(r.status, await r.clone().text()).toBe(202);
    const queued = (await r.json()) as UploadJob;
    expect(r.headers.get('location')).toBe(`/api/uploads/${queued.id}`);
    expect(queued).toMatchObject({ state: 'queued', cameraId, storeId, fileName: 'pets-clip.avi' });
    expect(queued.sizeBytes).toBe(clip.length);

    const job = await waitDone(manager, queued.id);
    expect(job.error).toBeNull();
    expect(job.state).toBe('done');
    expect(job.framesDone).toBe(40);
    expect(job.framesTotal).toBe(40);
    expect(job.fps).toBeGreaterThan(0);
    expect(job.finishedAt).not.toBeNull();
    const summary = job.summary!;
    expect(summary.visitors).toBeGreaterThan(0);
    expect(summary.events.track_started).toBeGreaterThan(0);
    expect(summary.visits).toBeGreaterThan(0);
    expect(summary.videoSeconds).toBeCloseTo(40 / 7, 3);
    expect(summary.zones.map((z) => z.name)).toEqual(['Centre']);
    // The worker that probed and counted it stays for the next upload.
    const workerPid = h.hub.uploads.workerPid();
    expect(workerPid).toBeDefined();

    // Stored under the store's recordings device, tagged with the upload, at the times given.
    const deviceId = recordingsDeviceId(storeId);
    const device = await h.t.repos.devices.get(deviceId);
    expect(device.storeId).toBe(storeId);
    // Listed as the store's recordings, not as a box that is offline.
    const listed = await fetch(`${h.hub.url}/api/devices?storeId=${storeId}`, {
      headers: { authorization: `Bearer ${viewer}` },
    });
    const rows = (await listed.json()) as { id: string; kind: string }[];
    expect(rows.find((d) => d.id === deviceId)?.kind).toBe('recordings');
    const health = await fetch(`${h.hub.url}/api/health`);
    const healthBody = (await health.json()) as { devices: { online: number; offline: number } };
    expect(healthBody.devices.offline + healthBody.devices.online).toBe(
      (await h.t.repos.devices.list()).filter((d) => d.id !== deviceId).length,
    );
    const eventCount = Object.values(summary.events).reduce((a, b) => a + b, 0);
    expect(await h.t.repos.events.lastSeq(deviceId)).toBe(eventCount);
    const from = new Date(START);
    const to = new Date(Date.parse(START) + 60_000);
    const events = await h.t.repos.events.list({ deviceId, from, to, limit: 1000, uploadId: queued.id });
    expect(events.items.length).toBe(eventCount);
    for (const e of events.items) expect(e.cameraId).toBe(cameraId);
    expect((await h.t.repos.events.list({ deviceId, from, to })).items).toEqual([]);
    const visits = await h.t.repos.visits.list({ cameraId, from, to, limit: 1000, includeRecordings: true });
    expect(visits.items.length).toBe(summary.visits);
    expect((await h.t.repos.visits.list({ cameraId, from, to })).items).toEqual([]);

    // Progress over the live feed: queued, processing with frames, done; nothing for another store.
    const jobs = ws.of('job').filter((m) => m.job.id === queued.id);
    expect(jobs[0]!.job.state).toBe('queued');
    expect(jobs.some((m) => m.job.state === 'processing' && m.job.framesDone > 0)).toBe(true);
    await ws.waitFor((m) => m.type === 'job' && m.job.id === queued.id && m.job.state === 'done');
    // A recording is not live: none of its events went to the live feed.
    expect(ws.of('events').filter((m) => m.deviceId === deviceId)).toEqual([]);
    expect(stranger.messages.map((m) => m.type)).toEqual(['hello']);
    ws.close();
    stranger.close();

    // The video is gone (privacy), and the job is visible to the store's viewer but nobody else.
    expect(leftovers()).toEqual([]);
    expect((await get(viewer, `/${queued.id}`)).status).toBe(200);
    expect((await get(otherViewer, `/${queued.id}`)).status).toBe(404);
    const list = (await (await get(viewer, '')).json()) as UploadJob[];
    expect(list.map((j) => j.id)).toContain(queued.id);
    expect(((await (await get(otherViewer, '')).json()) as UploadJob[]).map((j) => j.id)).not.toContain(
      queued.id,
    );

    // A second recording continues the device's seqs, at its own start time.
    const second = await post(manager, {
      cameraId,
      startTime: new Date(Date.parse(START) + DAY).toISOString(),
      file: { name: 'next-day.avi', data: shortClip },
    });
    expect(second.status).toBe(202);
    const done2 = await waitDone(manager, ((await second.json()) as UploadJob).id);
    expect(done2.state).toBe('done');
    expect(done2.framesDone).toBe(8);
    const more = Object.values(done2.summary!.events).reduce((a, b) => a + b, 0);
    expect(more).toBeGreaterThan(0);
    expect(await h.t.repos.events.lastSeq(deviceId)).toBe(eventCount + more);
    const day2 = await h.t.repos.events.list({
      deviceId,
      from: new Date(Date.parse(START) + DAY),
      to: new Date(Date.parse(START) + DAY + 60_000),
      limit: 1000,
      includeRecordings: true,
    });
    expect(day2.items.length).toBe(more);
    expect(Math.min(...day2.items.map((e) => e.seq))).toBe(eventCount + 1);
    expect(leftovers()).toEqual([]);
    // One worker process did both: Node and OpenCV started once.
    expect(h.hub.uploads.workerPid()).toBe(workerPid);
    // Deleted, the same files may come again (the next tests upload the clip; counted-once.test.ts).
    for (const id of [queued.id, done2.id]) {
      const del = await fetch(`${h.hub.url}/api/uploads/${id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${manager}` },
      });
      expect(del.status).toBe(204);
    }
  }, 900_000);

  it('keeps a recording apart: out of the numbers unless asked, deleted with all it made, started in the past', async () => {
    const before = Date.now();
    const r = await post(manager, { cameraId, fps: '7', file: { name: 'no-start.avi', data: clip } });
    expect(r.status, await r.clone().text()).toBe(202);
    const queued = (await r.json()) as UploadJob;
    // No start time given: 40 frames at 7 fps taken to end at the upload, so started before it.
    const start = Date.parse(queued.startTime);
    expect(start).toBeLessThanOrEqual(Date.now() - 5_000);
    expect(start).toBeGreaterThanOrEqual(before - 8_000);
    // The API answers while the recording is counted.
    const during = await get(viewer, '');
    expect(during.status).toBe(200);
    expect(((await during.json()) as UploadJob[]).map((j) => j.id)).toContain(queued.id);
    const job = await waitDone(manager, queued.id);
    expect(job.state, job.error ?? '').toBe('done');
    expect(job.summary!.visits).toBeGreaterThan(0);

    const range = `storeId=${storeId}&from=${new Date(start - 3_600_000).toISOString()}&to=${new Date(Date.now() + 3_600_000).toISOString()}`;
    const read = async (path: string, extra = '') => {
      const res = await fetch(`${h.hub.url}/api/analytics/${path}?${range}${extra}`, {
        headers: { authorization: `Bearer ${viewer}` },
      });
      expect(res.status).toBe(200);
      return (await res.json()) as { visitors: number; zones: unknown[]; points: { visitors: number }[] };
    };
    const areas = job.summary!.zones.some((z) => z.entries > 0) ? 1 : 0;
    for (const source of ['raw', 'summaries']) {
      expect((await read('summary', `&source=${source}`)).visitors).toBe(0);
      expect((await read('summary', `&source=${source}&includeRecordings=true`)).visitors).toBeGreaterThan(0);
      expect((await read('zones', `&source=${source}`)).zones).toEqual([]);
      expect((await read('zones', `&source=${source}&includeRecordings=true`)).zones.length).toBe(areas);
    }
    expect((await read('summary', '&source=raw&includeRecordings=true')).visitors).toBe(job.summary!.visits);
    const series = await read('timeseries', '&includeRecordings=true');
    expect(series.points.reduce((n, p) => n + p.visitors, 0)).toBe(job.summary!.visits);

    // Deleted by a manager of the store only, with every event, visit and number it produced.
    const del = (token: string) =>
      fetch(`${h.hub.url}/api/uploads/${queued.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await del(viewer)).status).toBe(403);
    expect((await del(otherManager)).status).toBe(404);
    expect((await del(manager)).status).toBe(204);
    expect((await get(manager, `/${queued.id}`)).status).toBe(404);
    expect((await del(manager)).status).toBe(404);
    for (const source of ['raw', 'summaries'])
      expect((await read('summary', `&source=${source}&includeRecordings=true`)).visitors).toBe(0);
    const from = new Date(start - 3_600_000);
    const to = new Date(Date.now() + 3_600_000);
    expect((await h.t.repos.events.list({ from, to, uploadId: queued.id })).items).toEqual([]);
    expect((await h.t.repos.visits.list({ from, to, cameraId, includeRecordings: true })).items).toEqual([]);
    const rows = await h.t.repos.summaries.list({
      period: 'hour',
      storeId,
      from,
      to,
      includeRecordings: true,
    });
    expect(rows).toEqual([]);
  }, 900_000);

  it('deletes a job while it is counted: stopped and gone, and the same worker serves on', async () => {
    const ws = Recorder.connect(h.wsUrl, manager);
    await ws.waitFor((m) => m.type === 'hello');
    const r = await post(manager, { cameraId, startTime: START, file: { name: 'removed.avi', data: clip } });
    expect(r.status).toBe(202);
    const id = ((await r.json()) as UploadJob).id;
    await ws.waitFor(
      (m) => m.type === 'job' && m.job.id === id && m.job.state === 'processing' && m.job.framesDone > 0,
      480_000,
    );
    const pid = h.hub.uploads.workerPid();
    const del = await fetch(`${h.hub.url}/api/uploads/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${manager}` },
    });
    ws.close();
    expect(del.status).toBe(204);
    expect((await get(manager, `/${id}`)).status).toBe(404);
    const from = new Date(START);
    const to = new Date(Date.parse(START) + 60_000);
    expect((await h.t.repos.events.list({ from, to, uploadId: id })).items).toEqual([]);
    expect(leftovers()).toEqual([]);
    // Stopped by a message, not by ending the process: the next upload finds it.
    expect(h.hub.uploads.workerPid()).toBe(pid);
    process.kill(pid!, 0);
  }, 900_000);

  it('fails a job whose worker is killed mid-job, keeps answering, starts a new worker, and reports a file cut short', async () => {
    const ws = Recorder.connect(h.wsUrl, manager);
    await ws.waitFor((m) => m.type === 'hello');
    const r = await post(manager, { cameraId, startTime: START, file: { name: 'killed.avi', data: clip } });
    expect(r.status).toBe(202);
    const id = ((await r.json()) as UploadJob).id;
    // Killed once it has counted frames (its first progress), well before the clip's end.
    await ws.waitFor(
      (m) => m.type === 'job' && m.job.id === id && m.job.state === 'processing' && m.job.framesDone > 0,
      480_000,
    );
    const pid = h.hub.uploads.workerPid();
    expect(pid).toBeDefined();
    process.kill(pid!, 'SIGKILL');
    const killed = await waitDone(manager, id);
    ws.close();
    expect(killed.state).toBe('failed');
    expect(killed.error).toMatch(
      /^the video decoder stopped unexpectedly: its process was killed \(SIGKILL\).*upload the recording again/,
    );
    expect(killed.framesDone).toBeLessThan(40);
    expect((await fetch(`${h.hub.url}/api/health`)).status).toBe(200);
    expect(leftovers()).toEqual([]);

    // The first 30 % of the clip: its header still says 40 frames.
    const cut = clip.subarray(0, Math.floor(clip.length * 0.3));
    const next = await post(manager, { cameraId, startTime: START, file: { name: 'cut.avi', data: cut } });
    expect(next.status, await next.clone().text()).toBe(202);
    const done = await waitDone(manager, ((await next.json()) as UploadJob).id);
    expect(done.state).toBe('done');
    expect(done.framesTotal).toBe(40);
    expect(done.framesDone).toBeLessThan(40);
    expect(done.summary?.warning).toBe(
      `The video ended after ${done.framesDone} of 40 frames: the file looks truncated or damaged; counts cover only the part that could be read.`,
    );
    // Probed and counted by a new worker.
    expect(h.hub.uploads.workerPid()).toBeDefined();
    expect(h.hub.uploads.workerPid()).not.toBe(pid);
  }, 900_000);

  it('refuses a file that is not a video with 400 and keeps nothing', async () => {
    const text = await post(manager, {
      cameraId,
      startTime: START,
      file: {
        name: 'notes.avi',
        data: Buffer.from('these are not the frames you are looking for\n'.repeat(20)),
      },
    });
    expect(text.status).toBe(400);
    expect(((await text.json()) as { message: string }).message).toMatch(/not a video file/);

    const ext = await post(manager, {
      cameraId,
      startTime: START,
      file: { name: 'report.pdf', data: Buffer.from('%PDF-1.4\n') },
    });
    expect(ext.status).toBe(400);
    expect(((await ext.json()) as { message: string }).message).toMatch(/does not look like a video/);

    // A real AVI header with the rest cut off: the signature passes, decoding does not.
    const broken = await post(manager, {
      cameraId,
      startTime: START,
      file: { name: 'broken.avi', data: clip.subarray(0, 600) },
    });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { message: string }).message).toMatch(/could not be decoded/);
    expect(leftovers()).toEqual([]);
  }, 600_000);

  it('refuses a video over the size limit with 413, declared or streamed', async () => {
    const big = Buffer.alloc(MAX_BYTES + 1024 * 1024, 7);
    clip.copy(big); // a real AVI header in front
    const declared = await post(manager, {
      cameraId,
      startTime: START,
      file: { name: 'big.avi', data: big },
    });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { message: string }).message).toMatch(/larger than the 3 MB/);

    // Chunked, with no length up front: the stream is cut at the limit.
    const boundary = `----oskartrack${uid()}`;
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="cameraId"\r\n\r\n${cameraId}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="startTime"\r\n\r\n${START}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.avi"\r\n` +
        'Content-Type: video/x-msvideo\r\n\r\n',
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const chunks = [
      head,
      ...Array.from({ length: 8 }, (_, i) => big.subarray(i * 524_288, (i + 1) * 524_288)),
      tail,
    ];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(new Uint8Array(next));
        else controller.close();
      },
    });
    const streamed = await fetch(`${h.hub.url}/api/uploads`, {
      method: 'POST',
      body,
      duplex: 'half',
      headers: {
        authorization: `Bearer ${manager}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(leftovers()).toEqual([]);
  }, 600_000);

  it('refuses viewers, other stores, missing fields and no token', async () => {
    const file = { name: 'clip.avi', data: shortClip };
    expect((await post(undefined, { cameraId, startTime: START, file })).status).toBe(401);
    expect((await post(viewer, { cameraId, startTime: START, file })).status).toBe(403);
    expect((await post(otherManager, { cameraId, startTime: START, file })).status).toBe(404);
    expect((await post(manager, { cameraId: otherCameraId, startTime: START, file })).status).toBe(404);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const later = await post(manager, { cameraId, startTime: future, file });
    expect(later.status).toBe(400);
    expect(((await later.json()) as { message: string }).message).toBe(
      `the start time ${future} is in the future: give the date and time the recording began, or leave it out to count it as ending now`,
    );
    const badStart = await post(manager, { cameraId, startTime: 'yesterday', file });
    expect(badStart.status).toBe(400);
    expect((await post(manager, { cameraId, startTime: START, detector: 'magic', file })).status).toBe(400);
    expect((await post(manager, { cameraId, startTime: START, fps: '-3', file })).status).toBe(400);
    expect((await post(manager, { cameraId, startTime: START })).status).toBe(400);
    const json = await fetch(`${h.hub.url}/api/uploads`, {
      method: 'POST',
      body: JSON.stringify({ cameraId }),
      headers: { authorization: `Bearer ${manager}`, 'content-type': 'application/json' },
    });
    expect(json.status).toBe(415);
    expect(leftovers()).toEqual([]);
  }, 600_000);
});
