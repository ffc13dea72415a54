import { describe, expect, it } from 'vitest';
import { camerasOf, describeHealth } from '../src/lib/camera-health.ts';
import { parseLiveMessage } from '../src/lib/live.ts';

const time = (t: number) => new Date(t).toISOString().slice(11, 16);
const at = Date.parse('2025-03-01T10:42:00Z');

describe("a camera's picture in plain words", () => {
  it('reads the cameras of a status message, and ignores a status the hub would never send', () => {
    const status = {
      v: 1,
      state: 'online',
      at,
      connection: 1,
      software: 'oskartrack-agent/test',
      configRevision: 1,
      outbox: { depth: 0, oldestAgeMs: 0, dropped: 0 },
      cameras: [
        { cameraId: 'door', state: 'reconnecting', fps: 0, problem: 'unreachable', since: at, gaps: 3 },
      ],
    };
    const message = (s: unknown) =>
      JSON.stringify({ type: 'status', storeId: 's', deviceId: 'box', status: s });
    const [m] = parseLiveMessage(message(status));
    expect(m).toMatchObject({
      type: 'device',
      cameras: [{ cameraId: 'door', state: 'reconnecting', problem: 'unreachable', since: at, gaps: 3 }],
    });
    // A broken camera entry breaks the contract: the whole message is dropped, not half-read.
    expect(parseLiveMessage(message({ ...status, cameras: [{ state: 'running' }, 'junk'] }))).toEqual([]);
    expect(camerasOf('nope')).toEqual([]);
  });

  it('says since when the picture is lost, why, and how often it was lost today', () => {
    const words = describeHealth(
      'Door',
      {
        cameraId: 'door',
        state: 'reconnecting',
        problem: 'unreachable',
        error: 'nothing listens at 10.0.0.5:554: check the camera is on and the port is right',
        since: at + 3000,
        lastFrameAt: at,
        gaps: 3,
        gapMs: 120_000,
      },
      time,
    );
    expect(words).toEqual({
      ok: false,
      headline: 'Camera Door: no picture since 10:42 (reconnecting)',
      detail:
        'Nothing listens at 10.0.0.5:554: check the camera is on and the port is right. Lost the picture 3 times in the last 24 hours, 2 min in total.',
    });
  });

  it('falls back to advice for the problem, and reports a picture that came back', () => {
    expect(
      describeHealth(
        'Door',
        { cameraId: 'door', state: 'reconnecting', problem: 'credentials', since: at },
        time,
      ),
    ).toMatchObject({
      headline: 'Camera Door: no picture since 10:42 (reconnecting)',
      detail: 'The camera refused the user name or password: correct them on the hub.',
    });
    expect(
      describeHealth('Door', { cameraId: 'door', state: 'running', gaps: 1, gapMs: 5000 }, time),
    ).toEqual({
      ok: true,
      headline: 'Camera Door: picture OK',
      detail: 'Lost the picture once in the last 24 hours, 5 s in total.',
    });
    expect(describeHealth('Door', { cameraId: 'door', state: 'running', gaps: 0 })).toMatchObject({
      detail: '',
    });
  });

  it('says when a running camera looks covered, moved or dark, and when its box skips pictures', () => {
    const covered = describeHealth(
      'Door',
      { cameraId: 'door', state: 'running', picture: 'covered', pictureSince: at },
      time,
    );
    expect(covered.ok).toBe(false);
    expect(covered.headline).toBe('Camera Door: the picture looks covered since 10:42');
    expect(covered.detail).toMatch(/nothing is in front of the lens/);
    expect(describeHealth('Door', { cameraId: 'door', state: 'running', picture: 'moved' }).detail).toMatch(
      /redraw the areas/,
    );
    expect(describeHealth('Door', { cameraId: 'door', state: 'running', picture: 'dark' }).detail).toMatch(
      /too dark/,
    );
    const slow = describeHealth('Door', { cameraId: 'door', state: 'running', dropped: 120 });
    expect(slow.ok).toBe(true);
    expect(slow.detail).toMatch(/^120 pictures skipped to keep up/);
    const status = camerasOf([
      { cameraId: 'door', state: 'running', picture: 'dark', pictureSince: at, dropped: 3 },
    ]);
    expect(status).toEqual([expect.objectContaining({ picture: 'dark', pictureSince: at, dropped: 3 })]);
  });
});
