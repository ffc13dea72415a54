/**
 * An enrolled box's first event, as the field sends it: a camera with a line made through the API,
 * the agent's own outbox and link trusting only what enrollment pinned, one crossing stored and
 * acknowledged. For the enrollment tests (TLS hub, broker with its own CA).
 */
import { join } from 'node:path';
import { publicKeyFromBase64 } from '@oskartrack/protocol/signing';
import { Link } from '../../../agent/src/link/link.ts';
import { Outbox } from '../../../agent/src/outbox/outbox.ts';
import { type Identity, pinnedTlsOptions } from '../../../agent/src/runtime/identity.ts';
import { type Api, crossing, type Resources, silent, waitFor } from '../system/helpers.ts';

/** Sends one crossing from the box in `dir` and waits for its ack; the link stays up (closed with `resources`). */
export async function sendOneCrossing(
  resources: Resources,
  api: Api,
  storeId: string,
  identity: Identity,
  dir: string,
): Promise<Link> {
  const camera = await api.ok<{ id: string }>('POST', '/api/cameras', {
    storeId,
    deviceId: identity.deviceId,
    name: 'Door',
    source: 'rtsp://10.0.0.7/stream',
    frameWidth: 640,
    frameHeight: 480,
  });
  const line = await api.ok<{ id: string }>('POST', `/api/cameras/${camera.id}/lines`, {
    name: 'Door',
    start: [0, 240],
    end: [640, 240],
    inSide: 'left',
  });
  const outbox = new Outbox(join(dir, 'outbox.sqlite'), { logger: silent });
  resources.add(() => outbox.close());
  const link = new Link({
    url: identity.mqttUrl,
    deviceId: identity.deviceId,
    secret: identity.secret,
    software: 'enrollment-test',
    outbox,
    hubKey: publicKeyFromBase64(identity.signingKey!),
    mqttOptions: pinnedTlsOptions(identity)!,
    reconnectPeriodMs: 200,
    logger: silent,
  });
  await link.start();
  resources.add(() => link.stop());
  outbox.append([crossing(camera.id, line.id, 1)]);
  await waitFor('the event stored and acknowledged', () => outbox.depth() === 0, 30_000, 50);
  return link;
}
