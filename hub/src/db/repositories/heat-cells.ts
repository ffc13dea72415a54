/**
 * A visit's path on the heatmap grid (HEAT_GRID_COLS x HEAT_GRID_ROWS over the camera's picture), as
 * ingest adds it: the same cells as the rebuild's SQL (movement-summaries.ts heatInsert), points
 * outside the picture left out, the right and bottom edges clamped into the last cell.
 */
import type { PathPoint } from '@oskartrack/protocol';
import { HEAT_GRID_COLS, HEAT_GRID_ROWS } from '../schema.ts';

export interface HeatCell {
  x: number;
  y: number;
  count: number;
}

export function heatCells(path: readonly PathPoint[], width: number, height: number): HeatCell[] {
  const counts = new Map<number, number>();
  for (const { point } of path) {
    const [x, y] = point;
    if (!(x >= 0 && y >= 0 && x <= width && y <= height)) continue;
    const cx = Math.min(Math.floor((x * HEAT_GRID_COLS) / width), HEAT_GRID_COLS - 1);
    const cy = Math.min(Math.floor((y * HEAT_GRID_ROWS) / height), HEAT_GRID_ROWS - 1);
    const key = cy * HEAT_GRID_COLS + cx;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, count]) => ({
    x: key % HEAT_GRID_COLS,
    y: Math.floor(key / HEAT_GRID_COLS),
    count,
  }));
}
