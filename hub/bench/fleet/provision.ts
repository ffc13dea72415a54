/**
 * Sets the fleet up through the hubs' API, as installers would: a store per box, a one-time code, the
 * box's enrollment (`POST /api/enroll`: the hub creates the box's own broker account and topic rules
 * on Mosquitto), then the box's camera with a door line and two areas. The work is spread over the
 * hubs, a few requests at a time.
 */
import type { EnrollReply } from '@oskartrack/protocol';
import { callJson } from './http.ts';

export interface BoxSpec {
  index: number;
  deviceId: string;
  storeId: string;
  secret: string;
  mqttUrl: string;
  cameraId: string;
  lineId: string;
  zoneIds: string[];
  /** The hub's public signing key, as enrollment gave it. */
  hubKey: string;
}

export interface HubEndpoint {
  url: string;
  token: string;
}

/** Loopback source address of box `i`: 127.1.0.1, 127.1.0.2, ... */
export function boxAddress(i: number): string {
  const n = i + 1;
  return `127.1.${(n >> 8) & 255}.${n & 255}`;
}

const ZONES: Array<{ name: string; polygon: Array<[number, number]> }> = [
  {
    name: 'Tills',
    polygon: [
      [100, 100],
      [600, 100],
      [600, 400],
      [100, 400],
    ],
  },
  {
    name: 'Fresh food',
    polygon: [
      [700, 100],
      [1200, 100],
      [1200, 400],
      [700, 400],
    ],
  },
];

async function provisionBox(hub: HubEndpoint, i: number): Promise<BoxSpec> {
  const as = { token: hub.token };
  const store = await callJson<{ id: string }>(
    hub.url,
    'POST',
    '/api/stores',
    { name: `Fleet shop ${i}` },
    as,
  );
  const { code } = await callJson<{ code: string }>(
    hub.url,
    'POST',
    `/api/stores/${store.id}/enrollment-codes`,
    {},
    as,
  );
  const box = await callJson<EnrollReply>(
    hub.url,
    'POST',
    '/api/enroll',
    { code, name: `Fleet box ${i}` },
    { from: boxAddress(i) },
  );
  const camera = await callJson<{ id: string }>(
    hub.url,
    'POST',
    '/api/cameras',
    {
      storeId: store.id,
      deviceId: box.deviceId,
      name: 'Entrance',
      source: 'rtsp://10.0.0.10/stream',
      frameWidth: 1280,
      frameHeight: 720,
    },
    as,
  );
  const line = await callJson<{ id: string }>(
    hub.url,
    'POST',
    `/api/cameras/${camera.id}/lines`,
    { name: 'Door', start: [0, 600], end: [1280, 600], inSide: 'left' },
    as,
  );
  const zoneIds: string[] = [];
  for (const zone of ZONES) {
    const z = await callJson<{ id: string }>(hub.url, 'POST', `/api/cameras/${camera.id}/zones`, zone, as);
    zoneIds.push(z.id);
  }
  return {
    index: i,
    deviceId: box.deviceId,
    storeId: store.id,
    secret: box.secret,
    mqttUrl: box.mqtt.url,
    cameraId: camera.id,
    lineId: line.id,
    zoneIds,
    hubKey: box.signingKey,
  };
}

/** `count` boxes, `concurrency` set up at a time, round-robin over the hubs. */
export async function provisionFleet(
  hubs: readonly HubEndpoint[],
  count: number,
  concurrency: number,
  progress: (done: number) => void = () => undefined,
): Promise<BoxSpec[]> {
  const boxes: BoxSpec[] = new Array(count);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      boxes[i] = await provisionBox(hubs[i % hubs.length]!, i);
      done++;
      if (done % 100 === 0) progress(done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return boxes;
}
