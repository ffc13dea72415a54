/**
 * Builds each device's configuration from the database and publishes it retained at
 * `oskartrack/v1/devices/{id}/config`; the agent applies a higher revision without a restart.
 *
 * Revisions: the device row keeps the revision last published and a hash of its content
 * (`published_config_revision`, `published_config_hash`). Publishing unchanged content keeps the
 * revision, so re-publishing everything at hub start does not make agents reload; any change (an area
 * moved, a camera added, removed, reassigned or disabled, the detector setting changed) takes the next
 * revision, and never one at or below what the agent reports it runs.
 */
import { createHash } from 'node:crypto';
import {
  type CameraConfig,
  check,
  type DetectorSettings,
  DetectorSettings as DetectorSettingsSchema,
  DeviceConfig,
  PROTOCOL_VERSION,
} from '@oskartrack/protocol';
import type { Static, TSchema } from '@sinclair/typebox';
import type { Logger } from 'pino';
import type { Db } from '../db/database.ts';
import { createRepositories, type Repositories } from '../db/repositories/index.ts';
import type { MessageBus } from './bus.ts';
import { clearRetained, send } from './channel-bus.ts';
import { KeyedQueue } from './keyed-queue.ts';

/** The detector every device runs unless the hub setting `detector` says otherwise. */
export const DEFAULT_DETECTOR: DetectorSettings = {
  kind: 'hog',
  scoreThreshold: 'auto',
  everyNth: 'auto',
  motionGate: false,
};
export const DEFAULT_LIVE: DeviceConfig['live'] = { enabled: true, maxFps: 5 };
/** Hub setting (hub_settings key) holding a DetectorSettings object for every device. */
export const DETECTOR_SETTING = 'detector';
/** Hub setting holding `{ enabled, maxFps }` for the live boxes of every device. */
export const LIVE_SETTING = 'live';

export type DeviceConfigBody = Omit<DeviceConfig, 'revision'>;

export interface ConfigPushOptions {
  db: Db;
  bus: MessageBus;
  log: Logger;
  /** Used when the `detector` hub setting is absent or invalid. Default DEFAULT_DETECTOR. */
  detector?: DetectorSettings;
  /** Used when the `live` hub setting is absent or invalid. Default DEFAULT_LIVE. */
  live?: DeviceConfig['live'];
}

export interface PublishAllResult {
  published: number;
  /** Device ids whose config could not be built or published (each one logged). */
  failed: string[];
}

const LiveSchema = DeviceConfig.properties.live;

/** A stable hash of a config body: the same content always gives the same hash. */
export function configHash(body: DeviceConfigBody): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

export class ConfigPush {
  private readonly repos: Repositories;
  private readonly queue = new KeyedQueue();

  constructor(private readonly options: ConfigPushOptions) {
    this.repos = createRepositories(options.db);
  }

  /** The device's configuration without a revision; NotFoundError for an unknown device. */
  async body(deviceId: string): Promise<DeviceConfigBody> {
    await this.repos.devices.get(deviceId);
    const rows = (await this.repos.cameras.list({ deviceId })).filter((c) => c.enabled);
    const cameras: CameraConfig[] = [];
    for (const camera of rows) {
      const { zones, lines } = await this.repos.zones.geometry(camera.id);
      cameras.push({
        id: camera.id,
        name: camera.name,
        source: camera.source,
        ...(camera.fps !== null ? { fps: camera.fps } : {}),
        ...(camera.detector ? { detector: camera.detector } : {}),
        zones,
        lines,
      });
    }
    return {
      v: PROTOCOL_VERSION,
      cameras,
      detector: await this.setting(
        DETECTOR_SETTING,
        DetectorSettingsSchema,
        this.options.detector ?? DEFAULT_DETECTOR,
      ),
      live: await this.setting(LIVE_SETTING, LiveSchema, this.options.live ?? DEFAULT_LIVE),
    };
  }

  /** The full configuration with its revision (taking the next one when the content changed). */
  async build(deviceId: string): Promise<DeviceConfig> {
    const body = await this.body(deviceId);
    const revision = await this.repos.devices.takeConfigRevision(deviceId, configHash(body));
    const config: DeviceConfig = { ...body, revision };
    // Key order as in the schema, for readers of the raw message.
    const ordered: DeviceConfig = {
      v: config.v,
      revision: config.revision,
      cameras: config.cameras,
      detector: config.detector,
      live: config.live,
    };
    const valid = check(DeviceConfig, ordered);
    if (!valid.ok) throw new Error(`the config of device ${deviceId} is invalid: ${valid.error}`);
    return ordered;
  }

  /**
   * Builds and publishes one device's config (retained, QoS 1). Call it after anything that device
   * runs changed; when a camera moves between devices, call it for both. Pushes of one device run one
   * after another, so a newer revision is never overtaken by an older one.
   */
  publishDevice(deviceId: string): Promise<DeviceConfig> {
    return this.queue.run(deviceId, async () => {
      const config = await this.build(deviceId);
      await send(this.options.bus, 'config', deviceId, config);
      this.options.log.debug({ deviceId, revision: config.revision }, 'device config published');
      return config;
    });
  }

  /**
   * A box that reports running a revision above the last one published to it ignores every config
   * until a higher one comes: it kept the saved config of an identity it had before (enrolled again
   * after a revoke), or the hub's database was restored from a backup. Publishes again, above it.
   */
  async catchUp(deviceId: string, running: number): Promise<void> {
    const device = await this.repos.devices.find(deviceId);
    if (device && running > device.publishedConfigRevision) await this.publishDevice(deviceId);
  }

  /** Publishes every device's config: at hub start (the embedded broker forgets retained messages). */
  async publishAll(): Promise<PublishAllResult> {
    const devices = await this.repos.devices.list();
    const result = await this.publishDevices(devices.map((d) => d.id));
    this.options.log.info(result, 'device configs published');
    return result;
  }

  /** Publishes the configs of these devices only (after a change that touches them); failures logged. */
  async publishDevices(deviceIds: readonly string[]): Promise<PublishAllResult> {
    const result: PublishAllResult = { published: 0, failed: [] };
    for (const deviceId of deviceIds) {
      try {
        await this.publishDevice(deviceId);
        result.published++;
      } catch (error) {
        this.options.log.error({ err: error, deviceId }, 'publishing a device config failed');
        result.failed.push(deviceId);
      }
    }
    return result;
  }

  /** Publishes the config of the box that reads this camera (its areas or lines changed), if any. */
  async publishCamera(cameraId: string): Promise<PublishAllResult> {
    const camera = await this.repos.cameras.find(cameraId);
    return this.publishDevices(camera?.deviceId ? [camera.deviceId] : []);
  }

  /** Clears a deleted device's retained config from the broker. */
  removeDevice(deviceId: string): Promise<void> {
    return this.queue.run(deviceId, () => clearRetained(this.options.bus, 'config', deviceId));
  }

  /** Resolves once every queued push has settled. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async setting<S extends TSchema>(key: string, schema: S, fallback: Static<S>): Promise<Static<S>> {
    const value = await this.repos.settings.get(key);
    if (value === undefined || value === null) return fallback;
    const valid = check(schema, value);
    if (valid.ok) return valid.value;
    this.options.log.warn({ key, error: valid.error }, 'invalid hub setting ignored; using the default');
    return fallback;
  }
}
