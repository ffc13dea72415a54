/**
 * Live video on the page's side: the hub's `video` message becomes a picture for an `<img>`, and the
 * boxes drawn over it are those of its own frame (the newest not later than the picture), never
 * boxes of a later frame.
 */
import { describe, expect, it } from 'vitest';
import { addTimed, type TimedTracks, tracksAt } from '../src/components/live/track-timeline.ts';
import { parseLiveMessage } from '../src/lib/live.ts';

const timed = (at: number, id = at): TimedTracks => ({
  at,
  width: 768,
  height: 576,
  tracks: [{ id, box: [1, 2, 3, 4], score: 0.9 }],
});

describe('live video on the page', () => {
  it('reads a `video` message as a data URL with the frame time and the size boxes are measured in', () => {
    const m = parseLiveMessage(
      JSON.stringify({
        type: 'video',
        storeId: 's',
        deviceId: 'd',
        cameraId: 'cam',
        frame: {
          v: 1,
          cameraId: 'cam',
          at: 1_780_000_000_123,
          frame: 9,
          width: 640,
          height: 480,
          sourceWidth: 768,
          sourceHeight: 576,
          jpeg: '/9j/AAAA',
        },
      }),
    );
    expect(m).toEqual([
      {
        type: 'video',
        picture: {
          cameraId: 'cam',
          at: 1_780_000_000_123,
          src: 'data:image/jpeg;base64,/9j/AAAA',
          width: 768,
          height: 576,
        },
      },
    ]);
    // A picture that is not base64 (or too big) is not shown.
    expect(parseLiveMessage(JSON.stringify({ type: 'video', frame: { jpeg: '<script>' } }))).toEqual([]);
  });

  it('draws the boxes of the picture’s own frame: the newest not later than it', () => {
    let items: TimedTracks[] = [];
    for (const at of [1000, 1143, 1286, 1429]) items = addTimed(items, timed(at));
    expect(tracksAt(items, 1286)?.at).toBe(1286); // the same frame
    expect(tracksAt(items, 1300)?.at).toBe(1286); // between frames: the one before, never the next
    expect(tracksAt(items, 999)).toBeUndefined(); // all later than the picture
    // Out of order and repeated updates keep time order, one entry per frame time.
    items = addTimed(items, timed(1200, 7));
    items = addTimed(items, timed(1143, 8));
    expect(items.map((i) => i.at)).toEqual([1000, 1143, 1200, 1286, 1429]);
    expect(tracksAt(items, 1150)?.tracks[0]?.id).toBe(8);
  });

  it('keeps only the last few seconds', () => {
    let items: TimedTracks[] = [];
    for (let at = 0; at <= 20_000; at += 100) items = addTimed(items, timed(at));
    expect(items[0]!.at).toBeGreaterThanOrEqual(20_000 - 6000);
    expect(items.length).toBeLessThanOrEqual(90);
    expect(items.at(-1)!.at).toBe(20_000);
  });
});
