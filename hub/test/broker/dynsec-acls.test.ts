import { CHANNELS, type Channel, topics } from '@oskartrack/protocol';
import { describe, expect, it } from 'vitest';
import { devicePublishDecision, deviceSubscribeDecision, topicMatches } from '../../src/broker/acl.ts';
import { deviceAcls, deviceIdOfRole, deviceRoleName, hubAcls } from '../../src/broker/dynsec-acls.ts';

const ID = 'dev-abc';
const NAMED = { live: 'cam-1', request: 'snapshot', response: 'snapshot', video: 'cam-1' } as Partial<
  Record<Channel, string>
>;

/** One concrete topic per channel of a device. */
function topicOf(deviceId: string, channel: Channel): string {
  const sub = NAMED[channel];
  return `${topics.deviceRoot(deviceId)}/${channel}${sub ? `/${sub}` : ''}`;
}

describe('dynamic-security rules', () => {
  it('let a device do on Mosquitto what the embedded broker lets it do, and nothing more', () => {
    const acls = deviceAcls(ID);
    const publishes = acls.filter((a) => a.acltype === 'publishClientSend').map((a) => a.topic);
    const subscribes = acls.filter((a) => a.acltype.startsWith('subscribe')).map((a) => a.topic);
    for (const channel of Object.keys(CHANNELS) as Channel[]) {
      for (const owner of [ID, 'dev-other']) {
        const topic = topicOf(owner, channel);
        const mayPublish = publishes.some((p) => topicMatches(p, topic));
        expect(mayPublish, `publish ${topic}`).toBe(devicePublishDecision(ID, topic, false).ok);
        const maySubscribe = subscribes.some((p) => topicMatches(p, topic));
        expect(maySubscribe, `subscribe ${topic}`).toBe(deviceSubscribeDecision(ID, topic).ok);
      }
    }
    expect(subscribes).toContain(topics.hubStatus);
    expect(publishes).toContain(`${topics.deviceRoot(ID)}/video/+`);
    expect(acls.every((a) => a.allow && !a.topic.includes('#'))).toBe(true);
  });

  it('give the hub the whole tree, shared subscriptions included, and name device roles reversibly', () => {
    const hub = hubAcls();
    expect(hub.map((a) => a.topic)).toContain('$share/+/oskartrack/v1/#');
    expect(hub.filter((a) => a.acltype === 'publishClientSend').map((a) => a.topic)).toEqual([
      'oskartrack/v1/#',
    ]);
    expect(deviceIdOfRole(deviceRoleName(ID))).toBe(ID);
    expect(deviceIdOfRole('admin')).toBeUndefined();
    expect(() => deviceAcls('a/b')).toThrow(/invalid device id/);
  });
});
