import { describe, expect, it } from 'vitest';
import {
  addDrawingPoint,
  CLOSE_RADIUS,
  cancelDrawing,
  emptyEditor,
  find,
  finishDrawing,
  flipSide,
  fromApi,
  inArrow,
  insertPoint,
  isDirty,
  markSaved,
  movePoint,
  moveShape,
  payloadOf,
  removePoint,
  removeShape,
  rename,
  revert,
  shapeProblems,
  startDrawing,
  toPicture,
} from '../src/lib/editor.ts';

const frame = { width: 768, height: 576 };

function drawArea(points: [number, number][]) {
  let s = startDrawing(emptyEditor(), 'area');
  for (const p of points) s = addDrawingPoint(s, p, frame);
  return s;
}

describe('drawing', () => {
  it('closes an area when the first corner is clicked again', () => {
    let s = drawArea([
      [100, 100],
      [300, 100],
      [300, 300],
    ]);
    expect(s.drawing?.points).toHaveLength(3);
    s = addDrawingPoint(s, [100 + CLOSE_RADIUS - 2, 102], frame);
    expect(s.drawing).toBeNull();
    expect(s.shapes).toHaveLength(1);
    const area = s.shapes[0]!;
    expect(area).toMatchObject({ kind: 'area', id: null, name: 'Area 1', key: 'new-1' });
    expect(s.selected).toBe('new-1');
    expect(isDirty(area)).toBe(true);
  });

  it('does not close an area with fewer than three corners', () => {
    let s = drawArea([
      [100, 100],
      [300, 100],
    ]);
    s = addDrawingPoint(s, [101, 101], frame);
    expect(s.drawing?.points).toHaveLength(3);
    expect(finishDrawing(drawArea([[1, 1]])).shapes).toHaveLength(0);
  });

  it('finishes a line after two clicks, inside the picture', () => {
    let s = startDrawing(emptyEditor(), 'line');
    s = addDrawingPoint(s, [-20, 50.4], frame);
    s = addDrawingPoint(s, [900, 600], frame);
    expect(s.drawing).toBeNull();
    expect(s.shapes[0]).toMatchObject({
      kind: 'line',
      start: [0, 50],
      end: [768, 576],
      inSide: 'left',
      name: 'Line 1',
    });
  });

  it('cancels a drawing without adding anything', () => {
    const s = cancelDrawing(drawArea([[5, 5]]));
    expect(s.drawing).toBeNull();
    expect(s.shapes).toHaveLength(0);
  });
});

const STAMP = '2025-06-01T10:00:00.000Z';

describe('editing', () => {
  const base = fromApi(
    [
      {
        id: 'a',
        cameraId: 'c',
        name: 'Door',
        polygon: [
          [10, 10],
          [110, 10],
          [110, 110],
          [10, 110],
        ],
        createdAt: STAMP,
        updatedAt: STAMP,
      },
    ],
    [
      {
        id: 'l',
        cameraId: 'c',
        name: 'Entrance',
        start: [0, 200],
        end: [100, 200],
        inSide: 'left',
        createdAt: STAMP,
        updatedAt: STAMP,
      },
    ],
  );

  it('starts clean from the hub', () => {
    expect(base.shapes.map(isDirty)).toEqual([false, false]);
  });

  it('moves a corner, clamped to the picture', () => {
    const s = movePoint(base, 'a', 2, [900, -5], frame);
    expect(find(s, 'a')).toMatchObject({
      points: [
        [10, 10],
        [110, 10],
        [768, 0],
        [10, 110],
      ],
    });
    expect(isDirty(find(s, 'a')!)).toBe(true);
    const l = movePoint(base, 'l', 1, [50, 300], frame);
    expect(find(l, 'l')).toMatchObject({ end: [50, 300] });
  });

  it('moves a whole shape but stops at the edges without changing its form', () => {
    const s = moveShape(base, 'a', -50, 1000, frame);
    expect(find(s, 'a')).toMatchObject({
      points: [
        [0, 476],
        [100, 476],
        [100, 576],
        [0, 576],
      ],
    });
  });

  it('adds and removes corners, keeping at least three', () => {
    let s = insertPoint(base, 'a', 0, [60, 0], frame);
    expect(find(s, 'a')).toMatchObject({
      points: [
        [10, 10],
        [60, 0],
        [110, 10],
        [110, 110],
        [10, 110],
      ],
    });
    s = removePoint(s, 'a', 1);
    s = removePoint(s, 'a', 0);
    s = removePoint(s, 'a', 0);
    expect((find(s, 'a') as { points: unknown[] }).points).toHaveLength(3);
  });

  it('renames, flips a line and reverts to what the hub holds', () => {
    let s = rename(base, 'a', 'Till');
    s = flipSide(s, 'l');
    expect(find(s, 'l')).toMatchObject({ inSide: 'right' });
    expect(payloadOf(find(s, 'a')!)).toMatchObject({ name: 'Till' });
    s = revert(revert(s, 'a'), 'l');
    expect(s.shapes.map(isDirty)).toEqual([false, false]);
    expect(find(s, 'a')?.name).toBe('Door');
  });

  it('marks a new shape saved under its new id and keeps it selected', () => {
    let s = drawArea([
      [100, 100],
      [300, 100],
      [300, 300],
    ]);
    s = finishDrawing(s, 'Shelf');
    s = markSaved(s, 'new-1', 'shelf-1');
    expect(s.selected).toBe('shelf-1');
    expect(find(s, 'shelf-1')).toMatchObject({ id: 'shelf-1', name: 'Shelf' });
    expect(isDirty(find(s, 'shelf-1')!)).toBe(false);
    expect(revert(rename(s, 'shelf-1', 'x'), 'shelf-1').shapes[0]?.name).toBe('Shelf');
    expect(removeShape(s, 'shelf-1')).toMatchObject({ shapes: [], selected: null });
  });
});

describe('validation in plain words', () => {
  const area = (points: [number, number][], name = 'A') =>
    ({ kind: 'area', key: 'k', id: null, name, points, saved: null }) as const;

  it('accepts a good area', () => {
    expect(
      shapeProblems(
        area([
          [0, 0],
          [10, 0],
          [10, 10],
        ]),
        frame,
      ),
    ).toEqual([]);
  });

  it('explains crossing edges, missing names and points outside the picture', () => {
    const bow = area(
      [
        [0, 0],
        [100, 100],
        [100, 0],
        [0, 100],
      ],
      ' ',
    );
    const problems = shapeProblems(bow, frame);
    expect(problems[0]).toBe('give the area a name');
    expect(problems.some((p) => p.includes('cross'))).toBe(true);
    expect(
      shapeProblems(
        area([
          [0, 0],
          [10, 0],
          [10, 900],
        ]),
        frame,
      ),
    ).toEqual(['point 3 lies outside the 768x576 picture (10, 900: x goes from 0 to 768, y from 0 to 576)']);
    expect(
      shapeProblems(
        area([
          [0, 0],
          [10, 0],
        ]),
        frame,
      )[0],
    ).toContain('at least 3 points');
  });

  it('explains a line without length', () => {
    expect(
      shapeProblems(
        {
          kind: 'line',
          key: 'l',
          id: null,
          name: 'L',
          start: [5, 5],
          end: [5, 5],
          inSide: 'left',
          saved: null,
        },
        frame,
      ),
    ).toEqual(['the line has no length']);
  });
});

describe('picture coordinates', () => {
  it('maps a pointer on a scaled picture to picture pixels', () => {
    const rect = { left: 100, top: 50, width: 384, height: 288 };
    expect(toPicture(100, 50, rect, frame)).toEqual([0, 0]);
    expect(toPicture(292, 194, rect, frame)).toEqual([384, 288]);
    expect(toPicture(10_000, -10, rect, frame)).toEqual([768, 0]);
  });

  it('points the "in" arrow to the left of the walking direction (smaller y for a line going right)', () => {
    const a = inArrow({ start: [0, 100], end: [100, 100], inSide: 'left' }, 10);
    expect(a.from).toEqual([50, 100]);
    expect(a.to).toEqual([50, 90]);
    expect(inArrow({ start: [0, 100], end: [100, 100], inSide: 'right' }, 10).to).toEqual([50, 110]);
  });
});
