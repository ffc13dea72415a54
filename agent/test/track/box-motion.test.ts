// Following a box between frames by what the picture shows: a textured "person" moved by a known
// step must be found that far away; a blank picture or a missing previous frame tells nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import { type CV, loadOpenCV, type Mat } from '../../src/cv.ts';
import { BoxMotion } from '../../src/track/box-motion.ts';

let cv: CV;
beforeAll(async () => {
  cv = await loadOpenCV();
});

/** A grey 640x480 BGR frame with a noise-textured 40x100 block whose top left is at (x, y). */
function frameWith(texture: Uint8Array, x: number, y: number): Mat {
  const w = 640;
  const h = 480;
  const data = Buffer.alloc(w * h * 3, 90);
  for (let r = 0; r < 100; r++) {
    for (let c = 0; c < 40; c++) {
      const v = texture[r * 40 + c]!;
      const k = ((y + r) * w + (x + c)) * 3;
      data[k] = v;
      data[k + 1] = v;
      data[k + 2] = v;
    }
  }
  return new cv.Mat(data, h, w, cv.CV_8UC3);
}

function noise(seed: number): Uint8Array {
  const t = new Uint8Array(40 * 100);
  let s = seed;
  for (let i = 0; i < t.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    t[i] = s >>> 24;
  }
  return t;
}

describe('BoxMotion', () => {
  it('finds where a box moved between two frames, in frame pixels', () => {
    const texture = noise(7);
    const m = new BoxMotion(cv, { fps: 7 });
    const out = new Float64Array(2);
    m.setFrame(frameWith(texture, 200, 150));
    expect(m.follow(200, 150, 240, 250, out)).toBe(false); // no previous frame yet
    m.setFrame(frameWith(texture, 210, 144));
    expect(m.follow(200, 150, 240, 250, out)).toBe(true);
    // The frame is searched at half size (384 px wide at most): within 2 px.
    expect(Math.abs(out[0]! - 10)).toBeLessThanOrEqual(2);
    expect(Math.abs(out[1]! + 6)).toBeLessThanOrEqual(2);
    m.close();
  });

  it('looks no farther than a fast walker moves in one frame', () => {
    const texture = noise(3);
    const m = new BoxMotion(cv, { fps: 30 });
    const out = new Float64Array(2);
    m.setFrame(frameWith(texture, 200, 150));
    // 100 px tall, 2 heights per second at 30 frames/s: about 7 px per frame; 60 px is out of reach.
    m.setFrame(frameWith(texture, 260, 150));
    const found = m.follow(200, 150, 240, 250, out);
    if (found) expect(Math.abs(out[0]!)).toBeLessThan(20);
    m.close();
  });

  it('tells nothing on a blank picture or for a box too small or out of view', () => {
    const m = new BoxMotion(cv, { fps: 7 });
    const out = new Float64Array(2);
    const blank = () => new cv.Mat(480, 640, cv.CV_8UC3, [90, 90, 90]);
    m.setFrame(blank());
    m.setFrame(blank());
    expect(m.follow(200, 150, 240, 250, out)).toBe(false);
    expect(m.follow(200, 150, 203, 154, out)).toBe(false);
    expect(m.follow(-300, -300, -200, -100, out)).toBe(false);
    m.reset();
    expect(m.follow(200, 150, 240, 250, out)).toBe(false);
    m.close();
  });
});
