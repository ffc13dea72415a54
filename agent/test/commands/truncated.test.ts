// A recording cut short (the first 3 % of PETS09's vtest.avi, as an upload or copy stopped midway):
// `process` and `check` finish with a warning that names the frames read of the frames the header
// promised, and FFmpeg's complaints about the cut frame stay off the terminal (one debug line instead).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCommand } from '../../src/commands/check.ts';
import { processRecording, summary } from '../../src/commands/process.ts';
import { VIDEO } from '../detect/pets.ts';
import { cutClip } from '../support/clip.ts';

const SKIPPED_FRAMES = '/usr/share/doc/opencv-doc/examples/data/tree.avi';
const CLI = fileURLToPath(new URL('../../bin/oskartrack-agent.js', import.meta.url));
const WARNING =
  /^The video ended after (\d+) of 795 frames: the file looks truncated or damaged; counts cover only the part that could be read\.$/;
/**
 * A line of FFmpeg's: as FFmpeg writes it ("[msmpeg4 @ 0x55d0c2a4b7c0] ac-tex damaged at 21 33"), or
 * through OpenCV's logger when OPENCV_FFMPEG_LOGLEVEL is set ("[OPENCV:FFMPEG:16] ac-tex damaged ...").
 */
const FFMPEG_LINE = /\[(?:[\w-]+ @ 0x[0-9a-f]+|OPENCV:FFMPEG:\d+)\]/;

let dir = '';
let cut = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'oskartrack-truncated-'));
  cut = join(dir, 'cut.avi');
  const whole = readFileSync(VIDEO);
  writeFileSync(cut, whole.subarray(0, Math.round(whole.length * 0.03)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const exec = promisify(execFile);

describe('a truncated recording', () => {
  it('process warns with the frames read of the frames expected', async () => {
    const r = await processRecording({ video: cut, detector: 'hog' });
    const match = WARNING.exec(r.warning ?? '');
    expect(match).not.toBeNull();
    expect(Number(match![1])).toBe(r.stats.frames);
    expect(r.stats.frames).toBeGreaterThan(0);
    expect(summary(r).split('\n').at(-1)).toBe(`Warning: ${r.warning}`);
  });

  it('process stopped by --max-frames does not warn', async () => {
    const r = await processRecording({ video: VIDEO, detector: 'hog', maxFrames: 5 });
    expect(r.warning).toBeUndefined();
    expect(summary(r)).not.toContain('Warning');
  });

  it('process on a whole file does not warn', async () => {
    // The first 40 frames of vtest.avi written as a file of their own: whole, its header says 40.
    const whole = join(dir, 'whole.avi');
    await cutClip(whole, 40);
    const r = await processRecording({ video: whole, detector: 'hog' });
    expect(r.stats.frames).toBe(40);
    expect(r.warning).toBeUndefined();
  }, 120_000);

  it('process on a whole file with dropped frames does not warn: its timestamps reach its end', async () => {
    // Debian's opencv-doc sample: its header counts 444 frames at 15 frames/s, it holds 68 frames
    // timed over the same 29.6 s (a recorder that skipped frames).
    const r = await processRecording({ video: SKIPPED_FRAMES, detector: 'hog' });
    expect(r.stats.frames).toBeLessThan(444 / 2);
    expect(r.warning).toBeUndefined();
  }, 120_000);

  it('check warns that it covers only the part that could be read', async () => {
    const { check } = await checkCommand({
      source: cut,
      detector: 'hog',
      seconds: 10,
      noOther: true,
      dataDir: dir,
      budgetMs: 240_000,
    });
    // Too little video for a verdict: it says so first, instead of "will count well".
    expect(check.verdict).toBe('poor');
    expect(check.summary).toMatch(/^This view cannot be judged yet: the check had only \d+\.\d s of video\./);
    const warning = check.warnings[0];
    expect(warning?.code).toBe('short-video');
    expect(warning?.message).toMatch(
      /^The video ended after \d+ of 795 frames: the file looks truncated or damaged; the check covers only the part that could be read\.$/,
    );
  }, 300_000);

  it("keeps FFmpeg's own lines off the terminal, and logs one line about them at debug level", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'debug', LOG_FORMAT: 'json' };
    // The same file with FFmpeg's errors asked for: it does complain about it.
    const loud = await exec(process.execPath, [CLI, 'process', cut, '--detector', 'hog'], {
      env: { ...env, OPENCV_FFMPEG_LOGLEVEL: '16' },
    });
    expect(`${loud.stderr}${loud.stdout}`).toMatch(FFMPEG_LINE);
    delete env.OPENCV_FFMPEG_LOGLEVEL;
    const r = await exec(process.execPath, [CLI, 'process', cut, '--detector', 'hog'], { env });
    expect(r.stderr).not.toMatch(FFMPEG_LINE);
    expect(r.stdout).not.toMatch(FFMPEG_LINE);
    expect(r.stdout).toMatch(/^Warning: The video ended after \d+ of 795 frames/m);
    const debug = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(debug).toContainEqual(
      expect.objectContaining({
        level: 20,
        msg: expect.stringMatching(/^FFmpeg's own messages about .*cut\.avi were silenced/),
      }),
    );
  }, 120_000);
});
