/**
 * A store-day's daily movement rows, for the tables that keep flows between areas and heatmaps after
 * the raw events are gone (migration 0009: zone_flow_days, heatmap_cell_days): walks from area to
 * area (the first area a track enters comes from nowhere) and path points per cell of a 64 x 48 grid.
 */
import type { SimVisit } from './visits.ts';

export const GRID = { cols: 64, rows: 48 };

export interface MovementRows {
  flows: Map<string, { cameraId: string; from: string | null; to: string; count: number }>;
  cells: Map<string, { cameraId: string; x: number; y: number; count: number }>;
}

export function movementOf(
  visits: readonly SimVisit[],
  frame: { width: number; height: number },
): MovementRows {
  const flows: MovementRows['flows'] = new Map();
  const cells: MovementRows['cells'] = new Map();
  for (const { camera, closed } of visits) {
    let from: string | null = null;
    for (const z of closed.zones) {
      const key = `${camera.id}|${from ?? ''}|${z.zoneId}`;
      const f = flows.get(key) ?? { cameraId: camera.id, from, to: z.zoneId, count: 0 };
      f.count++;
      flows.set(key, f);
      from = z.zoneId;
    }
    for (const { point } of closed.path) {
      const x = Math.min(Math.floor((point[0] * GRID.cols) / frame.width), GRID.cols - 1);
      const y = Math.min(Math.floor((point[1] * GRID.rows) / frame.height), GRID.rows - 1);
      const key = `${camera.id}|${x}|${y}`;
      const c = cells.get(key) ?? { cameraId: camera.id, x, y, count: 0 };
      c.count++;
      cells.set(key, c);
    }
  }
  return { flows, cells };
}
