// Which frame rate the check takes and says it took: the rate given, the file's timestamps where they
// disagree with its header, else the header, said plainly (vtest.avi's AVI timestamps follow its
// header's 10 frames/s, though it was recorded at 7: only the operator can tell).
import { describe, expect, it } from 'vitest';
import { checkCamera } from '../../src/check/check.ts';
import { formatCheck } from '../../src/check/format.ts';
import { DASHBOARD_WORDS, frameRateOf } from '../../src/check/frame-rate.ts';
import { loadOpenCV } from '../../src/cv.ts';
import { FileSource } from '../../src/source/file.ts';
import type { Capture } from '../../src/source/index.ts';
import { VIDEO } from '../detect/pets.ts';

const file = { kind: 'file', fps: 10, fpsFrom: 'header', headerFps: 10 } as const;

describe('the frame rate a check takes', () => {
  it('prefers the rate given, then timestamps that disagree with the header, then the header', () => {
    expect(frameRateOf({ ...file, fps: 7, fpsFrom: 'override' }, 7, 10)).toEqual({
      fps: 7,
      note: "7 frames/s, as given (--fps, or the camera's settings on the hub); the header says 10 frames/s",
    });
    expect(frameRateOf(file, undefined, 7)).toEqual({
      fps: 7,
      note: "7 frames/s from the file's timestamps; its header says 10 frames/s, which is wrong: count it with --fps 7",
    });
    expect(frameRateOf(file, undefined, 10.2)).toEqual({
      fps: 10,
      note: "10 frames/s from the file's header (the file's timestamps follow the header, so the file cannot tell whether it is true): if the camera recorded at another rate, give the true rate with --fps",
    });
    expect(frameRateOf(file, undefined, undefined).note).toContain(
      'the file has no timestamps to check it against',
    );
    expect(frameRateOf({ kind: 'file', fps: 25, fpsFrom: 'default' }, undefined, undefined).note).toBe(
      'the file says no frame rate: 25 frames/s assumed; give the true rate with --fps',
    );
  });

  it("says it in the camera settings' words for a check asked from the dashboard", () => {
    expect(frameRateOf(file, undefined, 7, DASHBOARD_WORDS).note).toBe(
      "7 frames/s from the file's timestamps; its header says 10 frames/s, which is wrong: set the camera's frame rate to 7 in its settings",
    );
    expect(frameRateOf({ ...file, fps: 7, fpsFrom: 'override' }, 7, 10, DASHBOARD_WORDS).note).toBe(
      "7 frames/s, as given (the camera's settings); the header says 10 frames/s",
    );
    expect(
      frameRateOf({ kind: 'stream', fps: 25, fpsFrom: 'default' }, undefined, undefined, DASHBOARD_WORDS)
        .note,
    ).toBe("the camera reports no frame rate: set the camera's true frame rate in its settings");
  });

  it("reads a file's own timestamps: vtest.avi's follow its header", async () => {
    const cv = await loadOpenCV();
    const source = await FileSource.open(cv, VIDEO);
    for (let i = 0; i < 20; i++) await source.read();
    expect(source.info.headerFps).toBe(10);
    expect(source.timestampFps()).toBeCloseTo(10, 3);
    await source.close();
  });

  it('tells timestamps at 7 frames/s from a header that says 10 (injected capture)', async () => {
    const cv = await loadOpenCV();
    let decoded = 0;
    const capture: Capture = {
      readAsync: async () => (decoded++ < 30 ? new cv.Mat(48, 64, cv.CV_8UC3) : new cv.Mat()),
      get: (p) => (p === cv.CAP_PROP_FPS ? 10 : p === cv.CAP_PROP_POS_MSEC ? ((decoded - 1) * 1000) / 7 : 30),
      release: () => {},
    };
    const source = await FileSource.open(cv, VIDEO, { openCapture: () => capture });
    while (await source.read());
    expect(source.info.fps).toBe(10);
    expect(source.timestampFps()).toBeCloseTo(7, 6);
    await source.close();
  });

  it('says that the header rate was used on vtest.avi, and the rate given when there is one', async () => {
    const o = {
      source: VIDEO,
      seconds: 3,
      detector: { kind: 'hog' },
      dataDir: '/nonexistent',
      tryOther: false,
      budgetMs: 240_000,
    } as const;
    const header = await checkCamera(o);
    expect(header.check.cameraFps).toBe(10);
    expect(formatCheck(header.check)).toContain(
      "\nFrame rate: 10 frames/s from the file's header (the file's timestamps follow the header, so the file cannot tell whether it is true): if the camera recorded at another rate, give the true rate with --fps\n",
    );
    const given = await checkCamera({ ...o, fps: 7 });
    expect(given.check.cameraFps).toBe(7);
    expect(given.check.runs[0]!.seconds).toBe(3);
    expect(given.check.cameraFpsFrom).toBe(
      "7 frames/s, as given (--fps, or the camera's settings on the hub); the header says 10 frames/s",
    );
  }, 300_000);
});
