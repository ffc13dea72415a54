// The automatic every-Nth on real footage: a detector too slow for the frame rate asked of it makes
// the engine detect less often, the tracker's confirmation follows, and people are still counted.
import { afterAll, describe, expect, it } from 'vitest';
import { loadSceneFile } from '../../src/analytics/index.ts';
import { createDetector, type Detector } from '../../src/detect/index.ts';
import { Engine } from '../../src/engine/engine.ts';
import { runSource } from '../../src/engine/run.ts';
import { openSource } from '../../src/source/index.ts';
import { trackerFrames } from '../../src/track/index.ts';
import { VIDEO } from '../detect/pets.ts';

const SCENE = new URL('../../bench/pets09-scene.json', import.meta.url).pathname;
const opened: Detector[] = [];
afterAll(() => {
  for (const d of opened) d.close();
});

describe('Engine with everyNth auto', () => {
  it('detects less often with HOG on one lane asked to keep up with 1000 frames/s, and still counts', async () => {
    const source = await openSource(VIDEO, { fps: 7, startTime: 0 });
    // HOG over every scale of a 768x576 frame takes tens of ms on any CPU: far over the 1 ms a frame
    // may cost at 1000 frames/s, so every-Nth must go up to its largest value.
    const detector = await createDetector({ kind: 'hog', lanes: 1 });
    opened.push(detector);
    const scene = await loadSceneFile(SCENE, { width: 768, height: 576 });
    const engine = new Engine({
      cameraId: 'cam',
      detector,
      scene,
      fps: 7,
      everyNth: 'auto',
      pace: { fps: 1000, maxNth: 4 },
    });
    expect(engine.everyNth).toBe(1);
    const nths: number[] = [];
    const detectedAt: number[] = [];
    const events: string[] = [];
    try {
      const stats = await runSource(source, engine, {
        maxFrames: 200,
        onStep: (frame, result) => {
          nths.push(engine.everyNth);
          if (result.detected) detectedAt.push(frame.index);
          for (const e of result.events) events.push(e.kind);
        },
        onFinish: (last) => {
          for (const e of last) events.push(e.kind);
        },
      });
      expect(stats.frames).toBe(200);
      expect(stats.everyNth).toBe(4);
    } finally {
      await source.close();
    }
    expect(nths[0]).toBe(1);
    expect(engine.pace?.changes).toBeGreaterThanOrEqual(1);
    // Once raised, detections come 4 frames apart.
    const gaps = detectedAt.slice(-10).map((f, i, a) => (i ? f - a[i - 1]! : 4));
    expect(new Set(gaps)).toEqual(new Set([4]));
    expect(engine.detectedFrames).toBeLessThan(120);
    // Confirmation is counted in detected frames: it follows every-Nth to stay about 3/7 s.
    expect(engine.tracker.options.minHits).toBe(trackerFrames(7, 4).minHits);
    // People are still followed and counted: areas entered and left, visits closed at the end.
    expect(events.filter((t) => t === 'track_started').length).toBeGreaterThan(3);
    expect(events).toContain('zone_entered');
    expect(events).toContain('zone_left');
    expect(events).toContain('visit_closed');
  }, 300_000);
});
