// The run loop: detection of the next frames overlaps with tracking this one, without changing results.
import { afterAll, describe, expect, it } from 'vitest';
import { loadSceneFile } from '../../src/analytics/index.ts';
import { createDetector, type Detector } from '../../src/detect/index.ts';
import { Engine } from '../../src/engine/engine.ts';
import { runSource } from '../../src/engine/run.ts';
import { openSource } from '../../src/source/index.ts';
import { VIDEO, YOLOX_NANO } from '../detect/pets.ts';

const SCENE = new URL('../../bench/pets09-scene.json', import.meta.url).pathname;
const opened: Detector[] = [];
afterAll(() => {
  for (const d of opened) d.close();
});

/** Runs YOLOX over the first `frames` frames and records every track row, event and frame seen. */
async function run(lanes: number, frames: number, abortAt?: number) {
  const source = await openSource(VIDEO, { fps: 7, startTime: 0 });
  const detector = await createDetector({ kind: 'yolox', model: YOLOX_NANO, lanes });
  opened.push(detector);
  const scene = await loadSceneFile(SCENE, { width: 768, height: 576 });
  const engine = new Engine({ cameraId: 'cam', detector, scene, fps: 7 });
  const rows: string[] = [];
  const events: string[] = [];
  const seen: number[] = [];
  let aliveInStep = true;
  const abort = new AbortController();
  try {
    const stats = await runSource(source, engine, {
      maxFrames: frames,
      signal: abort.signal,
      onStep: async (frame, result) => {
        seen.push(frame.index);
        aliveInStep &&= !frame.mat.empty && frame.mat.cols === 768;
        for (let i = 0; i < result.tracks.count; i++) {
          const b = Array.from(result.tracks.boxes.subarray(i * 4, i * 4 + 4), (v) => v.toFixed(2));
          rows.push(`${frame.index},${result.tracks.ids[i]},${b.join(',')}`);
        }
        for (const e of result.events) events.push(JSON.stringify(e));
        if (frame.index === abortAt) abort.abort();
        await new Promise((r) => setImmediate(r));
      },
    });
    return { stats, rows, events, seen, aliveInStep };
  } finally {
    await source.close();
  }
}

describe('runSource with a 2-lane detector', () => {
  it('tracks the same people, with the same events, as one frame at a time', async () => {
    const one = await run(1, 60);
    const two = await run(2, 60);
    expect(two.seen).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(two.aliveInStep).toBe(true);
    expect(one.rows.length).toBeGreaterThan(200);
    expect(two.rows).toEqual(one.rows);
    expect(two.events.length).toBeGreaterThan(0);
    expect(two.events).toEqual(one.events);
    expect(two.stats.frames).toBe(60);
    expect(two.stats.detectedFrames).toBe(60);
  }, 300_000);

  it('stops at an abort without handing out frames after it', async () => {
    const r = await run(2, 100, 10);
    expect(r.seen).toEqual(Array.from({ length: 11 }, (_, i) => i));
    expect(r.stats.frames).toBe(11);
  }, 300_000);
});
