/**
 * Live video through the whole hub (`startHub` with the demo box playing PETS 2009) and real
 * WebSocket clients: a watcher gets the camera's pictures with the frame times of its boxes, a second
 * watcher shares the same stream (one signed watch request, no second stream), the last watcher
 * leaving sends the box a stop and the pictures end, and a user of another store gets none.
 */
import {
  type ServerMessage,
  type ServerMessageOf,
  TOPIC_ROOT,
  topics,
  VIDEO_MAX_BYTES,
  VIDEO_MAX_WIDTH,
  WatchRequest,
} from '@oskartrack/protocol';
import { openSignedAs, publicKeyFromBase64 } from '@oskartrack/protocol/signing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CAMERA_ID, DEMO_DEVICE_ID, DEMO_STORE_ID } from '../../src/demo.ts';
import { seedStore } from '../db/backends.ts';
import { openTestHub, Recorder, type TestHub } from './hub.ts';

const is =
  <T extends ServerMessage['type']>(type: T) =>
  (m: ServerMessage): m is ServerMessageOf<T> =>
    m.type === type;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('live video through the hub', () => {
  let h: TestHub;
  let viewerDemo: string;
  let viewerOther: string;
  const open: Recorder[] = [];
  /** Watch requests the hub sent (opened with its public key: they are signed). */
  const requests: { deviceId: string; request: WatchRequest }[] = [];
  /** Pictures the demo box published on the bus. */
  let busPictures = 0;
  const connect = (token: string) => {
    const r = Recorder.connect(h.wsUrl, token);
    open.push(r);
    return r;
  };

  beforeAll(async () => {
    // No lease renewals during the test: every watch request comes from a watcher joining.
    h = await openTestHub('pglite', {
      demo: true,
      liveLimits: { videoLeaseMs: 60_000, videoRenewMs: 3_600_000 },
    });
    const other = await seedStore(h.t.repos, 'Other');
    viewerDemo = await h.user('viewer', [DEMO_STORE_ID]);
    viewerOther = await h.user('viewer', [other.store.id]);
    const hubKey = publicKeyFromBase64(h.hub.signingKey.publicKeyBase64);
    await h.hub.bus.subscribe(`${TOPIC_ROOT}/devices/+/request/watch`, ({ topic, payload }) => {
      const opened = openSignedAs(WatchRequest, hubKey, topic, payload);
      if (!opened.ok) throw new Error(`a watch request the box would refuse: ${opened.error}`);
      requests.push({ deviceId: topic.split('/')[3]!, request: opened.value });
    });
    await h.hub.bus.subscribe(topics.all.video, () => {
      busPictures++;
    });
  }, 180_000);

  afterAll(async () => {
    for (const r of open) r.close();
    await h?.close();
  });

  it('relays pictures to watchers of the store only, in step with the boxes, one stream for two watchers, and stops after the last', async () => {
    const first = connect(viewerDemo);
    const stranger = connect(viewerOther);
    await Promise.all([first, stranger].map((r) => r.waitFor(is('hello'))));
    expect(busPictures).toBe(0); // nobody watches: the box sends nothing

    // A user of another store may not watch the demo camera.
    stranger.send({ type: 'watch', cameraId: DEMO_CAMERA_ID });
    const refused = await stranger.waitFor(is('error'));
    expect(refused.message).toMatch(/no camera demo-camera in your stores/);

    // The demo box online and its camera running first, so the one watch request reaches it.
    first.send({ type: 'subscribe', cameraId: DEMO_CAMERA_ID });
    await first.waitFor(is('live'), 120_000, 'the demo camera’s boxes');
    first.send({ type: 'watch', cameraId: DEMO_CAMERA_ID });
    const pictures = () => first.of('video');
    await first.waitFor((m) => pictures().length >= 3 && m.type === 'video', 90_000, 'three pictures');
    expect(requests).toEqual([
      {
        deviceId: DEMO_DEVICE_ID,
        request: { v: 1, cameraId: DEMO_CAMERA_ID, leaseMs: 60_000, hub: h.hub.instanceId },
      },
    ]);
    for (const p of pictures()) {
      expect(p).toMatchObject({ storeId: DEMO_STORE_ID, deviceId: DEMO_DEVICE_ID, cameraId: DEMO_CAMERA_ID });
      const jpeg = Buffer.from(p.frame.jpeg, 'base64');
      expect(jpeg.subarray(0, 2).toString('hex')).toBe('ffd8'); // a JPEG
      expect(jpeg.length).toBeLessThanOrEqual(VIDEO_MAX_BYTES);
      expect(p.frame.width).toBeLessThanOrEqual(VIDEO_MAX_WIDTH);
    }
    // The boxes of a pictured frame carry the picture's frame time.
    const times = new Set(pictures().map((p) => p.frame.at));
    await first.waitFor(
      (m) => m.type === 'live' && times.has(m.tracks.at),
      30_000,
      'boxes with the frame time of a picture',
    );

    // A second watcher shares the stream: no second request, the same pictures.
    const second = connect(h.adminToken);
    await second.waitFor(is('hello'));
    second.send({ type: 'watch', cameraId: DEMO_CAMERA_ID });
    await second.waitFor((m) => m.type === 'subscribed' && m.video?.includes(DEMO_CAMERA_ID) === true);
    const seenBySecond = await second.waitFor(is('video'), 30_000, 'a picture for the second watcher');
    await first.waitFor((m) => m.type === 'video' && m.frame.at === seenBySecond.frame.at, 10_000);
    expect(requests).toHaveLength(1);
    const ats = first.of('video').map((p) => p.frame.at);
    expect(new Set(ats).size).toBe(ats.length); // one stream: no picture twice

    // The first leaves (unwatch): the other still watches, no stop yet.
    first.send({ type: 'unwatch', cameraId: DEMO_CAMERA_ID });
    await first.waitFor((m) => m.type === 'subscribed' && m.video === undefined);
    const firstCount = first.of('video').length;
    const later = second.of('video').length;
    await second.waitFor(() => second.of('video').length > later + 1, 30_000, 'more pictures');
    expect(requests).toHaveLength(1);
    expect(first.of('video').length).toBe(firstCount);

    // The last watcher's socket closes: the hub tells the box to stop, and the pictures end.
    second.close();
    await waitUntil(() => requests.length === 2, 'the stop request');
    expect(requests[1]).toEqual({
      deviceId: DEMO_DEVICE_ID,
      request: { v: 1, cameraId: DEMO_CAMERA_ID, leaseMs: 0, hub: h.hub.instanceId },
    });
    await quiet(() => busPictures, 'the box to stop sending pictures');
    expect(stranger.of('video')).toEqual([]);
  }, 180_000);
});

async function waitUntil(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  for (const start = Date.now(); !check(); await sleep(100))
    if (Date.now() - start > timeoutMs) throw new Error(`no ${what} within ${timeoutMs} ms`);
}

/** Waits until `count` stays the same for two seconds (a QoS 0 picture in flight may still land). */
async function quiet(count: () => number, what: string, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    const before = count();
    await sleep(2000);
    if (count() === before) return;
    if (Date.now() - start > timeoutMs) throw new Error(`waited ${timeoutMs} ms for ${what}`);
  }
}
