/**
 * What ingest needs to know about a device, cached for a while: its store's aggregation context
 * (timezone, areas per camera) and which cameras it may report for (camera-check.ts).
 */
import type { AggregateContext } from '../aggregate/summarize.ts';
import type { Repositories } from '../db/repositories/index.ts';
import type { CameraOwners } from './camera-check.ts';

export interface DeviceInfo {
  ctx: AggregateContext;
  owners: CameraOwners;
}

export class DeviceInfoCache {
  private readonly entries = new Map<string, DeviceInfo & { loadedAt: number }>();

  constructor(
    private readonly repos: Repositories,
    private readonly ttlMs: number,
  ) {}

  /** The cached info, or loaded again when `fresh`, absent or older than the TTL. */
  async get(deviceId: string, fresh: boolean): Promise<DeviceInfo> {
    const now = Date.now();
    const cached = this.entries.get(deviceId);
    if (!fresh && cached && now - cached.loadedAt < this.ttlMs) return cached;
    const info = { ...(await this.load(deviceId)), loadedAt: now };
    this.entries.set(deviceId, info);
    return info;
  }

  /** Looked up again next time (after a database error: the device may have changed meanwhile). */
  forget(deviceId: string): void {
    this.entries.delete(deviceId);
  }

  private async load(deviceId: string): Promise<DeviceInfo> {
    const device = await this.repos.devices.get(deviceId);
    const store = await this.repos.stores.get(device.storeId);
    const cameras = await this.repos.cameras.list({ storeId: device.storeId });
    const zonesByCamera = await this.repos.zones.zoneIdsByCamera(cameras.map((c) => c.id));
    return {
      ctx: { storeId: device.storeId, timezone: store.timezone, zonesByCamera },
      owners: {
        kind: device.kind,
        deviceId: device.id,
        cameras: new Map(cameras.map((c) => [c.id, c.deviceId])),
        takingOver: new Set(await this.repos.devices.replacesChain(device.id)),
      },
    };
  }
}
