// Colour signatures on a drawn picture: the same shirt matches, another colour does not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CV, loadOpenCV, type Mat } from '../../src/cv.ts';
import { Appearance } from '../../src/track/appearance.ts';
import type { Tracks } from '../../src/types.ts';

let cv: CV;
let frame: Mat;
beforeAll(async () => {
  cv = await loadOpenCV();
  // Grey street; a person in a red shirt at x 100-140 and one in a blue shirt at x 300-340.
  frame = new cv.Mat(400, 600, cv.CV_8UC3, [128, 128, 128]);
  frame.drawRectangle(new cv.Rect(100, 100, 40, 100), new cv.Vec3(30, 30, 200), -1);
  frame.drawRectangle(new cv.Rect(300, 100, 40, 100), new cv.Vec3(200, 60, 30), -1);
  frame.drawRectangle(new cv.Rect(500, 100, 40, 100), new cv.Vec3(40, 40, 210), -1);
});
afterAll(() => frame?.release());

const tracks = (id: number, x: number): Tracks => ({
  frameIndex: 0,
  at: 0,
  count: 1,
  ids: Uint32Array.of(id),
  boxes: Float32Array.of(x, 80, x + 40, 260),
  scores: Float32Array.of(0.9),
});

describe('Appearance', () => {
  it('finds the same colours similar and other colours not, and forgets ended people', () => {
    const a = new Appearance(cv);
    a.setFrame(frame);
    a.observe(tracks(7, 100));
    expect(a.size).toBe(1);
    // The same red shirt elsewhere in the picture, and another red shirt: the same look.
    expect(a.similarity(7, 100, 80, 140, 260)).toBeGreaterThan(0.95);
    expect(a.sameLook(7, 500, 80, 540, 260)).toBe(true);
    // Blue is someone else.
    // (Same brightness: only the hue-saturation half differs.)
    expect(a.similarity(7, 300, 80, 340, 260)).toBeLessThanOrEqual(0.5);
    expect(a.sameLook(7, 300, 80, 340, 260)).toBe(false);
    // Unknown ids and boxes too small to measure never match.
    expect(a.similarity(8, 100, 80, 140, 260)).toBe(0);
    expect(a.similarity(7, 100, 80, 102, 82)).toBe(0);
    a.forget(7);
    expect(a.size).toBe(0);
  });

  it('averages a signature over frames, so one frame of another colour does not replace it', () => {
    const a = new Appearance(cv);
    a.setFrame(frame);
    a.observe(tracks(1, 100));
    a.observe(tracks(1, 300)); // one frame where the box slipped onto the blue person
    expect(a.sameLook(1, 100, 80, 140, 260)).toBe(true);
    expect(a.sameLook(1, 300, 80, 340, 260)).toBe(false);
  });
});
