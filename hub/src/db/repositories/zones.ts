import {
  type LineDef,
  type LineSide,
  lineProblems,
  MAX_POLYGON_POINTS,
  outsideAnyPicture,
  type Point,
  polygonProblems,
  type ZoneDef,
} from '@oskartrack/protocol';
import { asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { ConflictError, guard, NotFoundError, ValidationError } from '../errors.ts';
import { cameras, countingLines, zones } from '../schema.ts';
import { defined, idOrNew, requireName } from './common.ts';

export type Zone = typeof zones.$inferSelect;
export type CountingLine = typeof countingLines.$inferSelect;
export interface NewZone {
  id?: string;
  cameraId: string;
  name: string;
  polygon: Point[];
}
export type ZonePatch = Partial<Pick<NewZone, 'name' | 'polygon'>>;
export interface NewLine {
  id?: string;
  cameraId: string;
  name: string;
  start: Point;
  end: Point;
  inSide: LineSide;
}
export type LinePatch = Partial<Omit<NewLine, 'id' | 'cameraId'>>;

type Frame = { width: number; height: number } | undefined;

/** The shape only: protocol's checks then name non-finite points and points off the picture. */
function checkPoints(points: unknown, what: string): asserts points is Point[] {
  if (!Array.isArray(points)) throw new ValidationError(`${what} must be a list of [x, y] points`);
  points.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 2 || !p.every((c) => typeof c === 'number')) {
      throw new ValidationError(`${what}: point ${i + 1} must be [x, y] in pixels`);
    }
  });
}

/** Throws a ValidationError listing every problem of an area's outline (protocol's rules). */
export function checkPolygon(polygon: unknown, frame: Frame): Point[] {
  checkPoints(polygon, 'an area');
  if (polygon.length > MAX_POLYGON_POINTS) {
    throw new ValidationError(`an area has at most ${MAX_POLYGON_POINTS} points, got ${polygon.length}`);
  }
  const problems = polygonProblems(polygon, frame);
  // Without the camera's picture size, only points off any picture can be refused.
  if (!frame) problems.push(...outsideAnyPicture(polygon));
  if (problems.length > 0) throw new ValidationError(`bad area: ${problems.join('; ')}`, problems);
  return polygon.map(([x, y]) => [x, y]);
}

/** Throws a ValidationError listing every problem of a counting line (protocol's rules). */
export function checkLine(start: unknown, end: unknown, frame: Frame): [Point, Point] {
  checkPoints([start, end], 'a counting line');
  const [s, e] = [start as Point, end as Point];
  const problems = lineProblems(s, e, frame);
  if (!frame) problems.push(...outsideAnyPicture([s, e]));
  if (problems.length > 0) throw new ValidationError(`bad counting line: ${problems.join('; ')}`, problems);
  return [
    [s[0], s[1]],
    [e[0], e[1]],
  ];
}

function checkSide(side: unknown): LineSide {
  if (side !== 'left' && side !== 'right') throw new ValidationError('inSide must be "left" or "right"');
  return side;
}

type Kind = 'area' | 'counting line';

/** Names as people tell them apart: case and surrounding spaces do not make another area. */
function nameKey(name: string): string {
  return name.trim().toLowerCase();
}

/** The names already used on a camera by areas, or by counting lines. */
async function namesOn(tx: Db, kind: Kind, cameraId: string): Promise<{ id: string; name: string }[]> {
  const table = kind === 'area' ? zones : countingLines;
  return tx.select({ id: table.id, name: table.name }).from(table).where(eq(table.cameraId, cameraId));
}

/** Two areas (or lines) of one camera called the same cannot be told apart in reports: refuse. */
async function requireFreeName(tx: Db, kind: Kind, cameraId: string, name: string, self?: string) {
  const key = nameKey(name);
  const taken = (await namesOn(tx, kind, cameraId)).find((r) => r.id !== self && nameKey(r.name) === key);
  if (taken) {
    throw new ConflictError(
      `this camera already has ${kind === 'area' ? 'an area' : 'a counting line'} called ` +
        `${JSON.stringify(taken.name)}: choose another name`,
    );
  }
}

/** A camera row's frame size, when both sides are known. */
export function frameOfCamera(camera: { width: number | null; height: number | null }): Frame {
  return camera.width && camera.height ? { width: camera.width, height: camera.height } : undefined;
}

/** Areas (zones) and counting lines: the geometry drawn on a camera's picture. */
export class ZonesRepository {
  constructor(private readonly db: Db) {}

  /** The camera's frame size when known: geometry must lie inside it. */
  private async frameOf(cameraId: string): Promise<Frame> {
    const [camera] = await this.db
      .select({ width: cameras.frameWidth, height: cameras.frameHeight })
      .from(cameras)
      .where(eq(cameras.id, cameraId));
    if (!camera) throw new NotFoundError('camera', cameraId);
    return frameOfCamera(camera);
  }

  /**
   * Runs `work` in a transaction holding the camera's row, so that two requests cannot both find a
   * name free. (A unique index on lower(trim(name)) would need a migration, and existing data may
   * already hold such twins.)
   */
  private onCamera<T>(cameraId: string, work: (tx: Db, frame: Frame) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      const [camera] = await tx
        .select({ width: cameras.frameWidth, height: cameras.frameHeight })
        .from(cameras)
        .where(eq(cameras.id, cameraId))
        .for('update');
      if (!camera) throw new NotFoundError('camera', cameraId);
      return work(tx, frameOfCamera(camera));
    });
  }

  async createZone(input: NewZone): Promise<Zone> {
    const id = idOrNew(input.id, 'zone', 'area');
    const name = requireName(input.name, 'an area');
    return this.onCamera(input.cameraId, async (tx, frame) => {
      const polygon = checkPolygon(input.polygon, frame);
      await requireFreeName(tx, 'area', input.cameraId, name);
      const [row] = await guard(() =>
        tx.insert(zones).values({ id, cameraId: input.cameraId, name, polygon }).returning(),
      );
      return row!;
    });
  }

  async findZone(id: string): Promise<Zone | undefined> {
    const [row] = await this.db.select().from(zones).where(eq(zones.id, id));
    return row;
  }

  async getZone(id: string): Promise<Zone> {
    const row = await this.findZone(id);
    if (!row) throw new NotFoundError('area', id);
    return row;
  }

  /** The ids of the areas of each of `cameraIds`, in one query (ingest's device info). */
  async zoneIdsByCamera(cameraIds: readonly string[]): Promise<Map<string, Set<string>>> {
    const out = new Map(cameraIds.map((id) => [id, new Set<string>()]));
    if (cameraIds.length === 0) return out;
    const rows = await this.db
      .select({ id: zones.id, cameraId: zones.cameraId })
      .from(zones)
      .where(inArray(zones.cameraId, [...cameraIds]));
    for (const r of rows) out.get(r.cameraId)?.add(r.id);
    return out;
  }

  async listZones(cameraId: string): Promise<Zone[]> {
    return this.db
      .select()
      .from(zones)
      .where(eq(zones.cameraId, cameraId))
      .orderBy(asc(zones.name), asc(zones.id));
  }

  async updateZone(id: string, patch: ZonePatch): Promise<Zone> {
    const current = await this.getZone(id);
    const name = patch.name === undefined ? undefined : requireName(patch.name, 'an area');
    return this.onCamera(current.cameraId, async (tx, frame) => {
      const polygon = patch.polygon === undefined ? undefined : checkPolygon(patch.polygon, frame);
      if (name !== undefined) await requireFreeName(tx, 'area', current.cameraId, name, id);
      const [row] = await guard(() =>
        tx
          .update(zones)
          .set({ ...defined({ name, polygon }), updatedAt: new Date() })
          .where(eq(zones.id, id))
          .returning(),
      );
      if (!row) throw new NotFoundError('area', id);
      return row;
    });
  }

  async deleteZone(id: string): Promise<void> {
    const rows = await this.db.delete(zones).where(eq(zones.id, id)).returning({ id: zones.id });
    if (rows.length === 0) throw new NotFoundError('area', id);
  }

  async createLine(input: NewLine): Promise<CountingLine> {
    const id = idOrNew(input.id, 'line', 'counting line');
    const name = requireName(input.name, 'a counting line');
    const inSide = checkSide(input.inSide);
    return this.onCamera(input.cameraId, async (tx, frame) => {
      const [start, end] = checkLine(input.start, input.end, frame);
      await requireFreeName(tx, 'counting line', input.cameraId, name);
      const [row] = await guard(() =>
        tx
          .insert(countingLines)
          .values({ id, cameraId: input.cameraId, name, start, end, inSide })
          .returning(),
      );
      return row!;
    });
  }

  async findLine(id: string): Promise<CountingLine | undefined> {
    const [row] = await this.db.select().from(countingLines).where(eq(countingLines.id, id));
    return row;
  }

  async getLine(id: string): Promise<CountingLine> {
    const row = await this.findLine(id);
    if (!row) throw new NotFoundError('counting line', id);
    return row;
  }

  async listLines(cameraId: string): Promise<CountingLine[]> {
    return this.db
      .select()
      .from(countingLines)
      .where(eq(countingLines.cameraId, cameraId))
      .orderBy(asc(countingLines.name), asc(countingLines.id));
  }

  async updateLine(id: string, patch: LinePatch): Promise<CountingLine> {
    const current = await this.getLine(id);
    const name = patch.name === undefined ? undefined : requireName(patch.name, 'a counting line');
    const inSide = patch.inSide === undefined ? undefined : checkSide(patch.inSide);
    return this.onCamera(current.cameraId, async (tx, frame) => {
      let geometry: { start?: Point; end?: Point } = {};
      if (patch.start !== undefined || patch.end !== undefined) {
        const [start, end] = checkLine(patch.start ?? current.start, patch.end ?? current.end, frame);
        geometry = { start, end };
      }
      if (name !== undefined) await requireFreeName(tx, 'counting line', current.cameraId, name, id);
      const [row] = await guard(() =>
        tx
          .update(countingLines)
          .set({ ...defined({ name, inSide, ...geometry }), updatedAt: new Date() })
          .where(eq(countingLines.id, id))
          .returning(),
      );
      if (!row) throw new NotFoundError('counting line', id);
      return row;
    });
  }

  async deleteLine(id: string): Promise<void> {
    const rows = await this.db
      .delete(countingLines)
      .where(eq(countingLines.id, id))
      .returning({ id: countingLines.id });
    if (rows.length === 0) throw new NotFoundError('counting line', id);
  }

  /** A camera's areas and lines in the protocol's shapes, for the device configuration. */
  async geometry(cameraId: string): Promise<{ zones: ZoneDef[]; lines: LineDef[] }> {
    await this.frameOf(cameraId);
    const [zoneRows, lineRows] = [await this.listZones(cameraId), await this.listLines(cameraId)];
    return {
      zones: zoneRows.map((z) => ({ id: z.id, name: z.name, polygon: z.polygon })),
      lines: lineRows.map((l) => ({ id: l.id, name: l.name, start: l.start, end: l.end, inSide: l.inSide })),
    };
  }
}
