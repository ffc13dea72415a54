/** The names people gave a store's cameras and areas, looked up once per export. */
import type { Repositories } from '../../db/repositories/index.ts';

/** Whole-camera rows of the numbers have no area. */
export const WHOLE_VIEW = 'Whole camera view';

export interface PlaceNames {
  camera(id: string): string;
  area(id: string | null): string;
}

export async function placeNames(repos: Repositories, storeId: string): Promise<PlaceNames> {
  const cameras = await repos.cameras.list({ storeId });
  const areas = new Map<string, string>();
  for (const c of cameras) {
    for (const z of await repos.zones.listZones(c.id)) areas.set(z.id, z.name);
  }
  const cameraNames = new Map(cameras.map((c) => [c.id, c.name]));
  return {
    camera: (id) => cameraNames.get(id) ?? 'Removed camera',
    area: (id) => (id === null ? WHOLE_VIEW : (areas.get(id) ?? 'Removed area')),
  };
}
