import { describe, expect, it } from 'vitest';
import { cameraWords } from '../../src/runtime/camera-words.ts';

const time = (t: number) => new Date(t).toISOString().slice(11, 16);
const at = Date.parse('2025-03-01T10:42:00Z');

describe("a camera's line in the box's status", () => {
  it('says since when the picture is lost, why, and how often it was lost', () => {
    expect(
      cameraWords(
        {
          cameraId: 'door',
          name: 'Door',
          state: 'reconnecting',
          fps: 0,
          error: 'the camera refused the user name or password: correct them on the hub',
          problem: 'credentials',
          since: at + 60_000,
          lastFrameAt: at,
          gaps: 3,
          gapMs: 125_000,
        },
        time,
      ),
    ).toBe(
      'camera Door: no picture since 10:42 (reconnecting): the camera refused the user name or password: correct them on the hub; lost the picture 3 times in the last 24 hours, 2 min in total',
    );
  });

  it('shows a running camera with its rate, and gaps only when there were some', () => {
    const c = { cameraId: 'door', name: 'Door', state: 'running', fps: 9.84, since: at, gaps: 0, gapMs: 0 };
    expect(cameraWords(c, time)).toBe('camera Door: running, 9.8 frames/s');
    expect(cameraWords({ ...c, gaps: 1, gapMs: 4_000 }, time)).toBe(
      'camera Door: running, 9.8 frames/s; lost the picture once in the last 24 hours, 4 s in total',
    );
  });
});

describe("a running camera's picture problem in the box's status", () => {
  const c = { cameraId: 'door', name: 'Door', state: 'running', fps: 7, since: at, gaps: 0, gapMs: 0 };

  it('says the picture looks covered, moved or dark, since when, and what to check', () => {
    expect(cameraWords({ ...c, picture: 'covered', pictureSince: at }, time)).toBe(
      'camera Door: running, 7.0 frames/s; the picture looks covered since 10:42: check nothing is in front of the lens',
    );
    expect(cameraWords({ ...c, picture: 'moved', pictureSince: at }, time)).toMatch(
      /looks moved since 10:42: the camera was turned or knocked/,
    );
    expect(cameraWords({ ...c, picture: 'dark', pictureSince: at }, time)).toMatch(
      /too dark to see people since 10:42: check the lights/,
    );
  });

  it('says nothing about the picture while it is fine', () => {
    expect(cameraWords(c, time)).toBe('camera Door: running, 7.0 frames/s');
  });

  it('says how many pictures a live camera skipped to keep up', () => {
    expect(cameraWords({ ...c, droppedFrames: 120 }, time)).toBe(
      'camera Door: running, 7.0 frames/s (120 pictures skipped to keep up)',
    );
  });
});
