/**
 * Requests to a box with several hubs on one external broker (one shared-subscription group): each
 * answer reaches the hub that asked; only event batches are dealt to one hub of the group.
 */
import { PROTOCOL_VERSION, SnapshotRequest, type SnapshotResponse, topics } from '@oskartrack/protocol';
import { openSignedAs } from '@oskartrack/protocol/signing';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_HUB_KEY } from '../../../agent/test/support/hub-key.ts';
import { requireMosquitto } from '../../../agent/test/support/mosquitto.ts';
import { SnapshotRequester } from '../../src/api/plugins/app/snapshots.ts';
import { connectExternalBus, type ExternalBus } from '../../src/broker/external.ts';
import { Resources, silent, uid } from '../broker/helpers.ts';

const url = await requireMosquitto();
const resources = new Resources();
afterEach(() => resources.release());

/** Topics are fixed under oskartrack/v1: every test uses a device id and a group of its own. */
function scope() {
  const u = `${process.pid}-${uid()}`;
  return { device: `req-${u}`, group: `test-${u}`, hubStatusTopic: `oskartrack-test/${u}/hub/status` };
}

async function hub(s: ReturnType<typeof scope>): Promise<ExternalBus> {
  const b = await connectExternalBus({
    url,
    log: silent,
    signingKey: TEST_HUB_KEY.privateKey,
    group: s.group,
    hubStatusTopic: s.hubStatusTopic,
  });
  resources.add(() => b.close());
  return b;
}

/** A box that answers each snapshot request with a picture as wide as the request's maxWidth. */
async function snapshotBox(deviceId: string): Promise<{ requests: string[] }> {
  const box = await mqtt.connectAsync(url, { clientId: `box-${uid()}`, reconnectPeriod: 0 });
  resources.add(() => box.endAsync());
  const requests: string[] = [];
  box.on('message', (topic, payload) => {
    // What the box acts on: only a request the hub signed for this topic.
    const opened = openSignedAs(SnapshotRequest, TEST_HUB_KEY.publicKey, topic, payload);
    if (!opened.ok) return;
    const request = opened.value;
    requests.push(request.id);
    const answer: SnapshotResponse = {
      v: PROTOCOL_VERSION,
      id: request.id,
      status: 'ok',
      data: {
        cameraId: request.cameraId,
        contentType: 'image/jpeg',
        width: request.maxWidth ?? 1,
        height: 10,
        base64: Buffer.from('jpeg').toString('base64'),
      },
    };
    void box.publishAsync(topics.response(deviceId, 'snapshot'), JSON.stringify(answer), { qos: 1 });
  });
  await box.subscribeAsync(topics.request(deviceId, 'snapshot'), { qos: 1 });
  return { requests };
}

describe('requests with several hubs on one broker', () => {
  it('each hub gets the answers to its own snapshot requests, asked at the same time', async () => {
    const s = scope();
    const box = await snapshotBox(s.device);
    const requesters = [
      new SnapshotRequester(await hub(s), 10_000),
      new SnapshotRequester(await hub(s), 10_000),
    ];
    for (const r of requesters) {
      await r.start();
      resources.add(async () => r.close());
    }
    const [a, b] = requesters as [SnapshotRequester, SnapshotRequester];
    const asked = await Promise.all([
      a.request(s.device, 'cam1', 100),
      b.request(s.device, 'cam1', 200),
      a.request(s.device, 'cam1', 300),
      b.request(s.device, 'cam1', 400),
    ]);
    expect(asked.map((p) => p.width)).toEqual([100, 200, 300, 400]);
    expect(box.requests).toHaveLength(4);
  });

  it('refuses to deal responses, pictures or statuses to one hub of the group', async () => {
    const s = scope();
    await expect(
      connectExternalBus({
        url,
        log: silent,
        signingKey: TEST_HUB_KEY.privateKey,
        group: s.group,
        hubStatusTopic: s.hubStatusTopic,
        sharedChannels: ['events', 'response'],
      }),
    ).rejects.toThrow(/only events/);
  });
});
