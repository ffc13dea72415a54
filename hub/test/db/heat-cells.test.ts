import { describe, expect, it } from 'vitest';
import { heatCells } from '../../src/db/repositories/heat-cells.ts';
import { HEAT_GRID_COLS, HEAT_GRID_ROWS } from '../../src/db/schema.ts';

describe('heatCells', () => {
  const at = 0;
  it('counts points per cell, clamps the far edges into the last cell and leaves out points outside', () => {
    const cells = heatCells(
      [
        { at, point: [0, 0] },
        { at, point: [1, 1] },
        { at, point: [640, 480] },
        { at, point: [639.9, 479.9] },
        { at, point: [320, 240] },
        { at, point: [-1, 10] },
        { at, point: [10, 481] },
      ],
      640,
      480,
    );
    const sorted = [...cells].sort((a, b) => a.y - b.y || a.x - b.x);
    expect(sorted).toEqual([
      { x: 0, y: 0, count: 2 },
      { x: HEAT_GRID_COLS / 2, y: HEAT_GRID_ROWS / 2, count: 1 },
      { x: HEAT_GRID_COLS - 1, y: HEAT_GRID_ROWS - 1, count: 2 },
    ]);
  });

  it('gives nothing for an empty path', () => {
    expect(heatCells([], 640, 480)).toEqual([]);
  });
});
