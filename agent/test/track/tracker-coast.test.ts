// A lost person is still shown at their predicted place for a few frames (coasting). Nobody is seen
// there, so those frames must not count as time spent in an area: time ends at the last sighting.
import type { TrackingEvent, ZoneDef } from '@oskartrack/protocol';
import { describe, expect, it } from 'vitest';
import { SceneAnalytics } from '../../src/analytics/scene-analytics.ts';
import { Tracker, trackerFrames } from '../../src/track/tracker.ts';
import type { Detections } from '../../src/types.ts';

const FPS = 7;
const FRAME_MS = 1000 / FPS;
const FRAME = { width: 640, height: 480 };
const area: ZoneDef = {
  id: 'area',
  name: 'Area',
  polygon: [
    [0, 200],
    [640, 200],
    [640, 480],
    [0, 480],
  ],
};

/**
 * A person standing in the area (feet at y = 300), detected on frames 0 to `lastSeen`, then no more
 * (they left unseen, or the detector lost them); the tracker with the engine's frame counts at 7
 * frames/s, the analytics on its output. Returns the events and the scores of the output boxes.
 */
function run(lastSeen: number) {
  const tracker = new Tracker(trackerFrames(FPS));
  const analytics = new SceneAnalytics('cam', { zones: [area], lines: [] }, { fps: FPS });
  const det: Detections = {
    count: 0,
    boxes: Float32Array.of(300, 200, 340, 300),
    scores: Float32Array.of(0.9),
  };
  const events: TrackingEvent[] = [];
  const scores: number[][] = [];
  for (let i = 0; i < lastSeen + 40; i++) {
    det.count = i <= lastSeen ? 1 : 0;
    const t = tracker.update(det, i, Math.round(i * FRAME_MS), FRAME);
    scores.push(Array.from(t.scores.subarray(0, t.count)));
    events.push(...analytics.update(t, tracker.ended()));
  }
  events.push(...analytics.finish());
  return { events, scores };
}

describe('Tracker coasting and time spent', () => {
  it('shows a lost person at their predicted place for two frames, with score 0', () => {
    const { scores } = run(20);
    expect(trackerFrames(FPS).coastFrames).toBe(2);
    expect(scores[20]).toEqual([expect.closeTo(0.9, 5)]);
    expect(scores[21]).toEqual([0]);
    expect(scores[22]).toEqual([0]);
    expect(scores[23]).toEqual([]);
  });

  it('ends the time spent in an area at the last sighting, not at the last predicted frame', () => {
    const lastSeen = 20;
    const { events } = run(lastSeen);
    const left = events.filter((e) => e.kind === 'zone_left');
    expect(left).toHaveLength(1);
    // Present from the start (frame 0) to the last sighting (frame 20).
    expect(left[0]).toMatchObject({
      at: Math.round(lastSeen * FRAME_MS),
      dwellMs: Math.round(lastSeen * FRAME_MS),
    });
    const visit = events.find((e) => e.kind === 'visit_closed');
    expect(visit).toMatchObject({ at: Math.round(lastSeen * FRAME_MS) });
  });
});
