import { polygonArea } from '@oskartrack/protocol';
import { describe, expect, it } from 'vitest';
import { loadOpenCV } from '../../src/cv.ts';
import { MotRowsBuilder } from '../../src/eval/mot-format.ts';
import {
  clipPolygon,
  clipSegment,
  keptFrame,
  outputSize,
  PETS09_VARIANTS,
  type SceneVariant,
  transformBox,
  transformFrame,
  transformRows,
  transformScene,
} from '../../src/eval/scene-variants.ts';
import { PETS_CLIP } from '../support/clip.ts';

const SOURCE = { width: 100, height: 80 };
const closer2x: SceneVariant = {
  name: 'c2',
  description: '',
  crop: { x: 20, y: 10, width: 50, height: 40 },
  scale: 2,
  frameStep: 1,
};

describe('transformBox', () => {
  it('maps a box inside the crop by offset and scale', () => {
    expect(transformBox([30, 20, 10, 20], closer2x.crop!, 2)).toEqual([20, 20, 20, 40]);
  });

  it('cuts a box at the crop edge and keeps it when at least half is visible', () => {
    // 10 x 20 box, 6 px of its width inside the right edge (x 64..70): 60 % visible.
    expect(transformBox([64, 20, 10, 20], closer2x.crop!, 2)).toEqual([88, 20, 12, 40]);
  });

  it('drops a box with less than half visible, or wholly outside', () => {
    expect(transformBox([66, 20, 10, 20], closer2x.crop!, 2)).toBeNull(); // 40 % visible
    expect(transformBox([0, 0, 10, 5], closer2x.crop!, 2)).toBeNull();
  });

  it('scales down for a reduced resolution', () => {
    expect(transformBox([10, 20, 30, 40], { x: 0, y: 0, ...SOURCE }, 0.5)).toEqual([5, 10, 15, 20]);
  });
});

describe('frame dropping', () => {
  it('keeps frames 1, 1 + step, ... and renumbers them 1, 2, ...', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((f) => keptFrame(f, 3))).toEqual([1, 0, 0, 2, 0, 0, 3]);
    expect([1, 2, 3, 4].map((f) => keptFrame(f, 1))).toEqual([1, 2, 3, 4]);
  });

  it('transforms ground truth rows: dropped frames left out, kept ones renumbered, conf kept', () => {
    const b = new MotRowsBuilder();
    for (let f = 1; f <= 5; f++) b.push(f, 7, 30, 20, 10, 20, f === 3 ? 0 : 1);
    b.push(3, 8, 0, 0, 5, 5); // outside the crop
    const v: SceneVariant = { ...closer2x, frameStep: 2 };
    const out = transformRows(b.rows(), v, SOURCE);
    expect(Array.from(out.frame)).toEqual([1, 2, 3]);
    expect(Array.from(out.id)).toEqual([7, 7, 7]);
    expect(Array.from(out.conf)).toEqual([1, 0, 1]);
    expect(Array.from(out.left)).toEqual([20, 20, 20]);
    expect(Array.from(out.height)).toEqual([40, 40, 40]);
  });

  it('keeps a person under half visible as a row to ignore (conf 0), leaves out one wholly outside', () => {
    const b = new MotRowsBuilder();
    b.push(1, 7, 66, 20, 10, 20); // 40 % inside the right edge
    b.push(2, 7, 64, 20, 10, 20); // 60 % inside
    b.push(3, 7, 80, 20, 10, 20); // wholly outside
    const out = transformRows(b.rows(), closer2x, SOURCE);
    expect(Array.from(out.frame)).toEqual([1, 2]);
    expect(Array.from(out.conf)).toEqual([0, 1]);
    expect(Array.from(out.left)).toEqual([92, 88]);
    expect(Array.from(out.width)).toEqual([8, 12]);
  });

  it('stops at maxSourceFrames before renumbering', () => {
    const b = new MotRowsBuilder();
    for (let f = 1; f <= 10; f++) b.push(f, 1, 30, 20, 10, 20);
    const out = transformRows(b.rows(), { ...closer2x, frameStep: 2 }, SOURCE, 6);
    expect(Array.from(out.frame)).toEqual([1, 2, 3]);
  });
});

describe('areas and lines', () => {
  it('clips a polygon to the crop', () => {
    const square: [number, number][] = [
      [60, 20],
      [80, 20],
      [80, 40],
      [60, 40],
    ];
    const clipped = clipPolygon(square, closer2x.crop!);
    expect(polygonArea(clipped)).toBeCloseTo(200); // x 60..70 of 60..80
  });

  it('clips a segment and keeps its direction', () => {
    expect(clipSegment([0, 30], [100, 30], closer2x.crop!)).toEqual([
      [20, 30],
      [70, 30],
    ]);
    expect(clipSegment([0, 0], [10, 5], closer2x.crop!)).toBeNull();
  });

  it('keeps areas and lines at least half inside, mapped to output pixels', () => {
    const scene = transformScene(
      {
        zones: [
          {
            id: 'in',
            name: 'in',
            polygon: [
              [30, 20],
              [40, 20],
              [40, 30],
            ],
          },
          {
            id: 'mostly-out',
            name: 'mostly-out',
            polygon: [
              [65, 20],
              [95, 20],
              [95, 30],
              [65, 30],
            ],
          },
        ],
        lines: [
          { id: 'a', name: 'a', start: [30, 45], end: [30, 15], inSide: 'left' },
          { id: 'b', name: 'b', start: [0, 30], end: [40, 30], inSide: 'right' },
        ],
      },
      closer2x,
      SOURCE,
    );
    expect(scene.zones.map((z) => z.id)).toEqual(['in']);
    // Clipping may start the ring at another vertex: compare the vertex set.
    expect([...scene.zones[0]!.polygon].sort()).toEqual([
      [20, 20],
      [40, 20],
      [40, 40],
    ]);
    // Line b: 20 of its 40 px inside, exactly half: kept.
    expect(scene.lines.map((l) => [l.id, l.start, l.end])).toEqual([
      ['a', [20, 70], [20, 10]],
      ['b', [0, 40], [40, 40]],
    ]);
  });
});

describe('a real frame', () => {
  it('has the expected size after each variant', async () => {
    const cv = await loadOpenCV();
    const capture = new cv.VideoCapture(PETS_CLIP);
    const mat = capture.read();
    capture.release();
    const source = { width: mat.cols, height: mat.rows };
    for (const name of ['closer-3x', 'half-res']) {
      const v = PETS09_VARIANTS.find((x) => x.name === name)!;
      const out = transformFrame(mat, v);
      expect([out.cols, out.rows]).toEqual([768, 576].map((n) => (name === 'half-res' ? n / 2 : n)));
      expect({ width: out.cols, height: out.rows }).toEqual(outputSize(v, source));
      out.release();
    }
    mat.release();
  });
});
