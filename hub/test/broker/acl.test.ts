import { topics } from '@oskartrack/protocol';
import { describe, expect, it } from 'vitest';
import { devicePublishDecision, deviceSubscribeDecision, topicMatches } from '../../src/broker/acl.ts';
import { createFrameGuard } from '../../src/broker/frame-guard.ts';

const A = 'dev-a';
const B = 'dev-b';

describe('device publish rules', () => {
  it('allows its own agent channels', () => {
    for (const topic of [
      topics.status(A),
      topics.events(A),
      topics.live(A, 'cam-1'),
      topics.response(A, 'snapshot'),
      topics.video(A, 'cam-1'),
    ]) {
      expect(devicePublishDecision(A, topic, false), topic).toEqual({ ok: true });
    }
    expect(devicePublishDecision(A, topics.status(A), true)).toEqual({ ok: true });
    // Live video: never retained, never another box's, and watch requests are the hub's alone.
    expect(devicePublishDecision(A, topics.video(A, 'cam-1'), true).ok).toBe(false);
    expect(devicePublishDecision(A, topics.video(B, 'cam-1'), false).ok).toBe(false);
    expect(devicePublishDecision(A, topics.request(A, 'watch'), false).ok).toBe(false);
  });

  it("refuses another device's topics, the hub's channels, retained non-status and anything else", () => {
    const refused: Array<[string, boolean]> = [
      [topics.events(B), false],
      [topics.status(B), true],
      [topics.ack(A), false],
      [topics.config(A), true],
      [topics.request(A, 'snapshot'), false],
      [topics.events(A), true],
      [topics.live(A, 'cam-1'), true],
      [topics.hubStatus, true],
      [`${topics.events(A)}/extra`, false],
      [`${topics.deviceRoot(A)}/live`, false],
      ['$SYS/broker/x', false],
      ['other/topic', false],
    ];
    for (const [topic, retain] of refused) {
      expect(devicePublishDecision(A, topic, retain).ok, `${topic} retain=${retain}`).toBe(false);
    }
  });
});

describe('device subscribe rules', () => {
  it('allows its own ack, config, requests and the hub status', () => {
    for (const pattern of [
      topics.ack(A),
      topics.config(A),
      `${topics.deviceRoot(A)}/request/+`,
      topics.request(A, 'snapshot'),
      topics.hubStatus,
    ]) {
      expect(deviceSubscribeDecision(A, pattern), pattern).toEqual({ ok: true });
    }
  });

  it('refuses wildcards over devices, other devices and its own agent channels', () => {
    for (const pattern of [
      topics.config(B),
      topics.ack(B),
      `${topics.deviceRoot(B)}/request/+`,
      'oskartrack/v1/devices/+/config',
      'oskartrack/v1/#',
      '#',
      `${topics.deviceRoot(A)}/#`,
      `${topics.deviceRoot(A)}/+`,
      topics.events(A),
      topics.status(A),
      '$SYS/#',
    ]) {
      expect(deviceSubscribeDecision(A, pattern).ok, pattern).toBe(false);
    }
  });
});

describe('topicMatches', () => {
  it('follows MQTT wildcard rules', () => {
    expect(topicMatches('a/+/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+/c', 'a/b/d')).toBe(false);
    expect(topicMatches('a/+', 'a/b/c')).toBe(false);
    expect(topicMatches('a/#', 'a')).toBe(true);
    expect(topicMatches('a/#', 'a/b/c')).toBe(true);
    expect(topicMatches('#', '$SYS/x')).toBe(false);
    expect(topicMatches(topics.all.live, topics.live(A, 'cam'))).toBe(true);
    expect(topicMatches(topics.all.events, topics.status(A))).toBe(false);
  });
});

describe('frame guard', () => {
  const publishHeader = (remaining: number): Buffer => {
    const bytes = [0x32];
    let x = remaining;
    do {
      let b = x % 128;
      x = Math.floor(x / 128);
      if (x > 0) b |= 0x80;
      bytes.push(b);
    } while (x > 0);
    return Buffer.from(bytes);
  };

  it('passes packets up to the limit, split anywhere, and flags the first one over it', () => {
    const guard = createFrameGuard(1000);
    const stream = Buffer.concat([
      publishHeader(1000),
      Buffer.alloc(1000, 7),
      Buffer.from([0xc0, 0x00]), // PINGREQ
      publishHeader(10),
      Buffer.alloc(10),
      publishHeader(1001),
      Buffer.alloc(50),
    ]);
    const flagged: Array<number | undefined> = [];
    for (let i = 0; i < stream.length; i += 3) flagged.push(guard.push(stream.subarray(i, i + 3)));
    expect(flagged.filter((x) => x !== undefined)).toEqual([1001]);
    expect(flagged.findIndex((x) => x !== undefined)).toBe(Math.floor((1000 + 3 + 2 + 2 + 10 + 3 - 1) / 3));
  });

  it('flags a remaining length that never ends', () => {
    expect(createFrameGuard(1e9).push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff]))).toBe(
      Number.POSITIVE_INFINITY,
    );
  });
});
