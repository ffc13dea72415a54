import { describe, expect, it } from 'vitest';
import { fpsProblem, kindOf, plainRefusal, sourceProblem } from '../src/components/boxes/camera-source.ts';
import { exactZone, matchZones, zoneProblem } from '../src/components/boxes/time-zones.ts';
import { cameraNextStep, describeBox, lastCameraError } from '../src/lib/camera-health.ts';

const time = (t: number) => new Date(t).toISOString().slice(11, 16);
const at = Date.parse('2025-03-01T10:42:00Z');
const ZONES = ['Europe/London', 'Europe/Berlin', 'America/New_York', 'America/Argentina/Buenos_Aires', 'UTC'];

describe("a camera's source as an installer types it", () => {
  it('tells the kinds apart and checks each in words', () => {
    expect(kindOf('0')).toBe('webcam');
    expect(kindOf('rtsp://10.0.0.5/stream')).toBe('network');
    expect(kindOf('/var/videos/door.mp4')).toBe('file');
    expect(sourceProblem('webcam', 'usb')).toMatch(/0 for the first camera/);
    expect(sourceProblem('network', '192.168.1.20')).toMatch(/starts with rtsp:\/\//);
    expect(sourceProblem('file', 'door.mp4')).toMatch(/full path on the box/);
    expect(sourceProblem('network', 'rtsp://192.168.1.20:554/s1')).toBeUndefined();
    expect(fpsProblem('')).toBeUndefined();
    expect(fpsProblem('12.5')).toBeUndefined();
    expect(fpsProblem('0')).toMatch(/above 0/);
    expect(fpsProblem('fast')).toMatch(/at most 240/);
  });

  it("says the hub's schema refusals in words, and leaves words alone", () => {
    expect(plainRefusal('Invalid body/fps must be <= 240.')).toBe('The frame rate must be at most 240.');
    expect(plainRefusal('Invalid body/name must NOT have fewer than 1 characters.')).toBe(
      'The name must not be empty.',
    );
    const words = 'A webcam number must be between 0 and 99.';
    expect(plainRefusal(words)).toBe(words);
  });
});

describe('time zones', () => {
  it('finds a zone from part of a city, any case, and refuses what is not one with the nearest names', () => {
    expect(exactZone('europe/london', ZONES)).toBe('Europe/London');
    expect(matchZones('london', 8, ZONES)).toEqual(['Europe/London']);
    expect(matchZones('buenos aires', 8, ZONES)).toEqual(['America/Argentina/Buenos_Aires']);
    expect(zoneProblem('Europe/London', ZONES)).toBeUndefined();
    expect(zoneProblem('London', ZONES)).toContain('did you mean Europe/London?');
    expect(zoneProblem('Narnia', ZONES)).toContain('use a name like Europe/London');
  });
});

describe("a box's health in plain words", () => {
  const box = {
    name: 'Door box',
    online: true,
    lastSeenAt: new Date(at).toISOString(),
    outboxDepth: 0,
    outboxOldestAgeMs: 0,
  };
  it('says when a box is offline or never connected, and what to do next', () => {
    expect(describeBox(box, time)).toEqual({ ok: true, headline: 'Box Door box: connected', next: '' });
    const off = describeBox({ ...box, online: false }, time);
    expect(off.ok).toBe(false);
    expect(off.headline).toBe('Box Door box: offline since 10:42');
    expect(off.next).toMatch(/power and network/);
    expect(describeBox({ ...box, lastSeenAt: null }, time).headline).toMatch(/never connected/);
    const stuck = describeBox({ ...box, outboxDepth: 40, outboxOldestAgeMs: 20 * 60_000 }, time);
    expect(stuck.ok).toBe(false);
    expect(stuck.headline).toMatch(/40 counts wait on it/);
    const locked = describeBox({ ...box, online: false, revoked: true }, time);
    expect(locked).toMatchObject({
      ok: false,
      headline: 'Box Door box: locked out, it cannot connect to the hub',
    });
    expect(locked.next).toMatch(/new enrollment code/);
  });

  it("gives a camera's last error with its time and the next step", () => {
    const broken = { cameraId: 'door', state: 'reconnecting', problem: 'credentials', since: at };
    expect(lastCameraError(broken)).toEqual({
      text: 'The camera refused the user name or password: correct them on the hub',
      at,
    });
    expect(cameraNextStep(broken)).toMatch(/^Next: the camera refused .* doctor/);
    expect(lastCameraError({ ...broken, error: 'connection refused by 10.0.0.5:554' })?.text).toBe(
      'Connection refused by 10.0.0.5:554',
    );
    expect(lastCameraError({ cameraId: 'door', state: 'running' })).toBeUndefined();
    expect(cameraNextStep({ cameraId: 'door', state: 'running' })).toBe('');
  });
});
