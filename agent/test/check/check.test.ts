// The camera check on real footage (PETS09-S2L1, people about 81 px tall in its ground truth): the
// person height it measures, and the "people are small" warning on a copy shrunk to half its size
// but not on the original.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CameraCheck, check, type DeviceConfig } from '@oskartrack/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/check.ts';
import { formatCheck } from '../../src/check/format.ts';
import { checkCommand } from '../../src/commands/check.ts';
import { YOLOX_NANO } from '../detect/pets.ts';
import { cutClip } from '../support/clip.ts';

const CLI = fileURLToPath(new URL('../../bin/oskartrack-agent.js', import.meta.url));
/** 9 s of video at 7 frames/s; each check looks at the first 6 s. */
const FRAMES = 63;
const SECONDS = 6;

let dir = '';
let original = '';
let half = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oskartrack-check-'));
  original = join(dir, 'original.avi');
  half = join(dir, 'half.avi');
  await cutClip(original, FRAMES, 1);
  await cutClip(half, FRAMES, 0.5);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function savedConfig(dataDir: string, source: string): void {
  const config: DeviceConfig = {
    v: 1,
    revision: 3,
    cameras: [{ id: 'entrance', name: 'Entrance', source, fps: 7, zones: [], lines: [] }],
    detector: { kind: 'yolox', model: YOLOX_NANO, scoreThreshold: 0.1, everyNth: 1, motionGate: false },
    live: { enabled: false, maxFps: 2 },
  };
  writeFileSync(join(dataDir, 'config.json'), JSON.stringify(config));
}

describe('camera check on PETS09', () => {
  it('measures people of the original view at a sane height, with both detectors, and warns of nothing small', async () => {
    const dataDir = mkdtempSync(join(dir, 'box-'));
    savedConfig(dataDir, original);
    // The box's saved camera and detector (YOLOX), and HOG on a sample beside it.
    // A generous time limit: a busy test machine still looks at all 6 s with both detectors.
    const { check: c } = await checkCommand({ seconds: SECONDS, dataDir, budgetMs: 240_000 });
    expect(check(CameraCheck, c).ok).toBe(true);
    expect(c).toMatchObject({
      cameraId: 'entrance',
      width: 768,
      height: 576,
      cameraFps: 7,
      seconds: SECONDS,
    });
    expect(c.runs.map((r) => [r.detector, r.configured])).toEqual([
      ['yolox', true],
      ['hog', false],
    ]);
    expect(c.runs[0]!.frames).toBe(SECONDS * 7);
    // Ground truth: median 81 px, 10th-90th percentile 67-107 px over the clip.
    const h = c.personHeight!;
    expect(h.median).toBeGreaterThan(60);
    expect(h.median).toBeLessThan(120);
    expect(h.p10).toBeLessThanOrEqual(h.median);
    expect(h.p90).toBeGreaterThanOrEqual(h.median);
    expect(c.runs[0]!.peopleShare).toBeGreaterThan(0.5);
    expect(c.brightness).toBeGreaterThan(60);
    expect(c.motionShare).toBeGreaterThan(0.5);
    const codes = c.warnings.map((w) => w.code);
    for (const bad of ['small-people', 'top-down', 'no-people', 'dark'] as const)
      expect(codes).not.toContain(bad);
    expect(c.verdict).not.toBe('poor');
    const text = formatCheck(c);
    expect(text).toContain(`typically ${Math.round(h.median)} px tall`);
    expect(text).toMatch(/Recommended: (HOG|YOLOX)/);
  }, 300_000);

  it('warns that people are small on a copy shrunk to half its size', async () => {
    const c = await runCheck({
      source: half,
      fps: 7,
      seconds: SECONDS,
      detector: { kind: 'yolox', model: YOLOX_NANO },
      dataDir: dir,
      tryOther: false,
      budgetMs: 240_000,
    });
    expect(c).toMatchObject({ width: 384, height: 288 });
    const h = c.personHeight!;
    expect(h.median).toBeGreaterThan(20);
    expect(h.median).toBeLessThan(60);
    const small = c.warnings.find((w) => w.code === 'small-people');
    expect(small?.message).toMatch(
      /^people are smaller than 60 px .*: move the camera closer or use a higher resolution$/,
    );
    expect(c.verdict).not.toBe('good');
  }, 300_000);

  it('tells the installer what to type when the box has no camera to check', () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    const r = spawnSync(process.execPath, [CLI, 'check', '--data-dir', empty], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('name a video file or stream address to check');
  }, 90_000);
});
