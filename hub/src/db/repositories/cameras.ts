import type { DetectorSettings } from '@oskartrack/protocol';
import { and, asc, eq, type SQL } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { guard, NotFoundError, ValidationError } from '../errors.ts';
import { cameras, devices } from '../schema.ts';
import { defined, idOrNew, requireName } from './common.ts';

export type Camera = typeof cameras.$inferSelect;
export interface NewCamera {
  id?: string;
  storeId: string;
  /** The box that reads it; null or absent while unassigned. */
  deviceId?: string | null;
  name: string;
  source: string;
  fps?: number | null;
  /** This camera's own detector; null: the hub-wide setting. */
  detector?: DetectorSettings | null;
  frameWidth?: number | null;
  frameHeight?: number | null;
  enabled?: boolean;
}
export type CameraPatch = Partial<Omit<NewCamera, 'id' | 'storeId'>>;

const MAX_FRAME_SIDE = 16384;

function checkFps(fps: number | null | undefined): void {
  if (fps === undefined || fps === null) return;
  if (!Number.isFinite(fps) || fps <= 0 || fps > 240)
    throw new ValidationError('fps must be above 0 and at most 240');
}

function checkSide(value: number | null | undefined, what: string): void {
  if (value === undefined || value === null) return;
  if (!Number.isInteger(value) || value < 1 || value > MAX_FRAME_SIDE) {
    throw new ValidationError(`${what} must be a whole number of pixels from 1 to ${MAX_FRAME_SIDE}`);
  }
}

function checkSource(source: string): string {
  if (typeof source !== 'string' || source.trim().length === 0)
    throw new ValidationError('a camera needs a source');
  if (source.length > 2000) throw new ValidationError('a camera source is longer than 2000 characters');
  return source.trim();
}

export class CamerasRepository {
  constructor(private readonly db: Db) {}

  /** A camera's device must belong to the camera's store. */
  private async checkDevice(deviceId: string | null | undefined, storeId: string): Promise<void> {
    if (deviceId === undefined || deviceId === null) return;
    const [device] = await this.db
      .select({ storeId: devices.storeId })
      .from(devices)
      .where(eq(devices.id, deviceId));
    if (!device) throw new NotFoundError('device', deviceId);
    if (device.storeId !== storeId) {
      throw new ValidationError(`device ${JSON.stringify(deviceId)} belongs to another store`);
    }
  }

  async create(input: NewCamera): Promise<Camera> {
    checkFps(input.fps);
    checkSide(input.frameWidth, 'frame width');
    checkSide(input.frameHeight, 'frame height');
    const row = {
      id: idOrNew(input.id, 'cam', 'camera'),
      storeId: input.storeId,
      deviceId: input.deviceId ?? null,
      name: requireName(input.name, 'a camera'),
      source: checkSource(input.source),
      fps: input.fps ?? null,
      detector: input.detector ?? null,
      frameWidth: input.frameWidth ?? null,
      frameHeight: input.frameHeight ?? null,
      enabled: input.enabled ?? true,
    };
    await this.checkDevice(row.deviceId, row.storeId);
    const [created] = await guard(() => this.db.insert(cameras).values(row).returning());
    return created!;
  }

  async find(id: string): Promise<Camera | undefined> {
    const [row] = await this.db.select().from(cameras).where(eq(cameras.id, id));
    return row;
  }

  async get(id: string): Promise<Camera> {
    const row = await this.find(id);
    if (!row) throw new NotFoundError('camera', id);
    return row;
  }

  async list(options: { storeId?: string; deviceId?: string } = {}): Promise<Camera[]> {
    const where: SQL[] = [];
    if (options.storeId) where.push(eq(cameras.storeId, options.storeId));
    if (options.deviceId) where.push(eq(cameras.deviceId, options.deviceId));
    return this.db
      .select()
      .from(cameras)
      .where(and(...where))
      .orderBy(asc(cameras.name), asc(cameras.id));
  }

  async update(id: string, patch: CameraPatch): Promise<Camera> {
    checkFps(patch.fps);
    checkSide(patch.frameWidth, 'frame width');
    checkSide(patch.frameHeight, 'frame height');
    const current = await this.get(id);
    if (patch.deviceId !== undefined) await this.checkDevice(patch.deviceId, current.storeId);
    const set = defined({
      deviceId: patch.deviceId,
      name: patch.name === undefined ? undefined : requireName(patch.name, 'a camera'),
      source: patch.source === undefined ? undefined : checkSource(patch.source),
      fps: patch.fps,
      detector: patch.detector,
      frameWidth: patch.frameWidth,
      frameHeight: patch.frameHeight,
      enabled: patch.enabled,
    });
    const [row] = await guard(() =>
      this.db
        .update(cameras)
        .set({ ...set, updatedAt: new Date() })
        .where(eq(cameras.id, id))
        .returning(),
    );
    if (!row) throw new NotFoundError('camera', id);
    return row;
  }

  /**
   * Moves every camera a box reads to another store; their areas and lines go with them (they belong to
   * the camera). Past events, visits and summaries stay with the store where they happened.
   */
  async moveDeviceCameras(deviceId: string, storeId: string): Promise<number> {
    const rows = await this.db
      .update(cameras)
      .set({ storeId, updatedAt: new Date() })
      .where(eq(cameras.deviceId, deviceId))
      .returning({ id: cameras.id });
    return rows.length;
  }

  /** Leaves every camera of a box in its store without a box (unassigned). */
  detachDeviceCameras(deviceId: string): Promise<number> {
    return this.handOverCameras(deviceId, null);
  }

  /** Gives every camera of box `from` (with its areas and lines) to box `to`, or to none. */
  async handOverCameras(from: string, to: string | null): Promise<number> {
    const rows = await this.db
      .update(cameras)
      .set({ deviceId: to, updatedAt: new Date() })
      .where(eq(cameras.deviceId, from))
      .returning({ id: cameras.id });
    return rows.length;
  }

  /** Deletes the camera with its areas, lines, events, visits and summaries. */
  async delete(id: string): Promise<void> {
    const rows = await this.db.delete(cameras).where(eq(cameras.id, id)).returning({ id: cameras.id });
    if (rows.length === 0) throw new NotFoundError('camera', id);
  }
}
