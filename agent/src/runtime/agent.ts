// The live agent: cameras from the hub's configuration, the outbox, and the link to the hub.
import {
  type CameraConfig,
  type DeviceConfig,
  type DeviceStatus,
  MAX_SNAPSHOT_BASE64,
  PROTOCOL_VERSION,
  type SnapshotRequest,
  type SnapshotResponse,
} from '@oskartrack/protocol';
import { publicKeyFromBase64 } from '@oskartrack/protocol/signing';
import type { Logger } from 'pino';
import { BoxChecks } from '../check/box-check.ts';
import { type LinkProblem, linkProblem } from '../link/diagnose.ts';
import { Link, type LinkOptions } from '../link/index.ts';
import { Outbox, type OutboxOptions } from '../outbox/index.ts';
import { CameraWorker } from './camera-worker.ts';
import { ConfigWaits } from './config-waits.ts';
import {
  type Identity,
  identityPath,
  loadConfig,
  mqttCaOf,
  outboxPath,
  pinnedTlsOptions,
  saveConfig,
  statusPath,
  writeJsonAtomic,
} from './identity.ts';
import { LiveVideo } from './live-video.ts';
import { probeFile } from './probe-file.ts';

export const SOFTWARE_VERSION = '0.1.0';
/** How long a request for a camera not (yet) in the configuration waits for one that brings it. */
const CAMERA_WAIT_MS = 3000;

export interface AgentOptions {
  dataDir: string;
  identity: Identity;
  log: Logger;
  outbox?: OutboxOptions;
  link?: Partial<Omit<LinkOptions, 'url' | 'deviceId' | 'secret' | 'outbox' | 'software' | 'hubKey'>>;
  /** How often the status file read by `oskartrack-agent status` is refreshed. */
  statusFileMs?: number;
}

/** What `oskartrack-agent status` reads: the running agent's view of itself. */
export interface AgentStatusFile {
  at: number;
  pid: number;
  deviceId: string;
  hubUrl: string;
  mqttUrl: string;
  configRevision: number;
  detector: string | null;
  link: ReturnType<Link['state']>;
  /** The link's problem in plain words (DNS, refused, TLS, credentials, hub offline), or null. */
  linkProblem: LinkProblem | null;
  cameras: ({
    cameraId: string;
    name: string;
    state: string;
    fps: number;
    error?: string;
    /** Pictures of a live camera skipped to keep up with it (the hub's status calls it `dropped`). */
    droppedFrames?: number;
  } & CameraPicture)[];
}

type CameraPicture = Pick<
  DeviceStatus['cameras'][number],
  'problem' | 'since' | 'lastFrameAt' | 'gaps' | 'gapMs' | 'picture' | 'pictureSince'
>;

/** The camera's picture history for the status (the worker's own state stays authoritative). */
function pictureOf(w: CameraWorker): CameraPicture {
  const { since, lastFrameAt, gaps, gapMs } = w.picture();
  return {
    ...(w.problem && w.state !== 'running' ? { problem: w.problem } : {}),
    since,
    ...(lastFrameAt !== undefined ? { lastFrameAt } : {}),
    gaps,
    gapMs,
    ...w.pictureProblem(),
  };
}

/** The hub's public key from the identity: without it the box could not tell the hub from a forger. */
function hubKeyOf(identity: Identity, path: string) {
  if (!identity.signingKey)
    throw new Error(
      `${path} has no hub signing key (enrolled by an older version), so this box can not check what the hub sends: enroll this box again with a new code from the hub`,
    );
  try {
    return publicKeyFromBase64(identity.signingKey);
  } catch (error) {
    throw new Error(
      `the hub signing key in ${path} is unusable (${error instanceof Error ? error.message : String(error)}): enroll this box again`,
    );
  }
}

const sameEngine = (a: DeviceConfig, b: DeviceConfig) =>
  JSON.stringify(a.detector) === JSON.stringify(b.detector);
/** The detector a camera runs: its own when the hub gave it one, else the device's. */
export const detectorFor = (camera: CameraConfig, config: DeviceConfig) => camera.detector ?? config.detector;

/** Whether a running camera can take a new config in place (else it is restarted). */
export const sameSource = (a: CameraConfig, b: CameraConfig) =>
  a.source === b.source &&
  a.fps === b.fps &&
  a.loop === b.loop &&
  JSON.stringify(a.detector) === JSON.stringify(b.detector);

export class Agent {
  private outbox: Outbox | undefined;
  private link: Link | undefined;
  private config: DeviceConfig | undefined;
  private readonly workers = new Map<string, CameraWorker>();
  private statusTimer: NodeJS.Timeout | undefined;
  private applying: Promise<void> = Promise.resolve();
  /** Requests for a camera a configuration being applied brings wait for it (config-waits.ts). */
  private readonly waits = new ConfigWaits();
  /** The hub's camera checks, run on the cameras of the current configuration. */
  private checks: BoxChecks | undefined;
  /** Pictures of the cameras someone watches on the dashboard, sent only while the hub's lease runs. */
  readonly video: LiveVideo;

  constructor(private readonly opts: AgentOptions) {
    this.video = new LiveVideo({
      publish: (frame) => this.link?.publishVideo(frame) ?? false,
      hasCamera: (id) => this.workers.has(id),
      log: opts.log,
    });
  }

  async start(): Promise<void> {
    const { dataDir, identity, log } = this.opts;
    const hubKey = hubKeyOf(identity, identityPath(dataDir));
    this.outbox = new Outbox(outboxPath(dataDir), { logger: log, ...this.opts.outbox });
    const closed = this.outbox.closeLeftOpen();
    if (closed > 0)
      log.warn(
        { events: closed },
        'the last run stopped without closing its tracks (a power cut or a crash): closed them at the last moment it counted',
      );
    this.config = await loadConfig(dataDir);
    const pinned = pinnedTlsOptions(identity);
    this.link = new Link({
      ...this.opts.link,
      // mqtts:// to the hub: only the CA pinned at enrollment is trusted.
      ...(pinned ? { mqttOptions: { ...this.opts.link?.mqttOptions, ...pinned } } : {}),
      url: identity.mqttUrl,
      deviceId: identity.deviceId,
      secret: identity.secret,
      hubKey,
      software: SOFTWARE_VERSION,
      outbox: this.outbox,
      ...(this.config ? { configRevision: this.config.revision } : {}),
      cameras: () =>
        [...this.workers.values()].map((w) => ({
          cameraId: w.camera.id,
          state: w.state,
          fps: Math.round(w.fps * 10) / 10,
          ...(w.error ? { error: w.error.slice(0, 500) } : {}),
          ...(w.droppedFrames ? { dropped: w.droppedFrames } : {}),
          ...pictureOf(w),
        })),
      onConfig: (config) => this.apply(config),
      onSnapshot: (request) => this.snapshot(request),
      onCameraCheck: (request) => {
        this.checks ??= new BoxChecks(dataDir, (id) => this.cameraOf(id));
        return this.checks.answer(request);
      },
      onSourceProbe: probeFile,
      onWatch: (request) => this.video.watch(request),
      logger: log,
    });
    if (this.config) await this.apply(this.config, true);
    await this.link.start();
    this.statusTimer = setInterval(() => void this.writeStatus(), this.opts.statusFileMs ?? 2000);
    this.statusTimer.unref();
    await this.writeStatus();
    if (!this.config) log.info('waiting for the hub to send this box its configuration');
  }

  /** Applies a configuration: starts, restarts or updates cameras without restarting the agent. */
  apply(config: DeviceConfig, initial = false): Promise<void> {
    this.applying = this.applying.then(async () => {
      const previous = this.config;
      this.config = config;
      if (!initial) await saveConfig(this.opts.dataDir, config);
      const restartAll = !initial && previous !== undefined && !sameEngine(previous, config);
      const wanted = new Map(config.cameras.map((c) => [c.id, c]));
      for (const [id, worker] of this.workers) {
        const next = wanted.get(id);
        // A failed camera is retried at once on any new configuration (the file may be there now).
        if (!next || restartAll || !sameSource(worker.camera, next) || worker.state === 'failed') {
          await worker.stop();
          this.workers.delete(id);
        } else {
          worker.setScene(next);
        }
      }
      for (const camera of config.cameras) {
        if (this.workers.has(camera.id)) continue;
        const worker = new CameraWorker({
          camera,
          detector: detectorFor(camera, config),
          dataDir: this.opts.dataDir,
          log: this.opts.log,
          onEvents: (events) => this.outbox?.append(events),
          onLive: (live) => {
            if (config.live.enabled) this.link?.publishLive(live);
          },
          liveMaxFps: config.live.maxFps,
          // Live turned off in the hub's settings: no boxes and no pictures either.
          ...(config.live.enabled ? { video: this.video } : {}),
          // The hub hears at once that a camera lost its picture (or has it back).
          onStateChange: () => this.link?.publishStatus(),
        });
        this.workers.set(camera.id, worker);
        worker.start();
      }
      this.waits.applied();
      this.opts.log.info(
        { revision: config.revision, cameras: config.cameras.length },
        'configuration applied',
      );
    });
    return this.applying;
  }

  /** The camera in the configuration, waiting a little for one being applied to bring it. */
  private async cameraOf(id: string): Promise<{ camera: CameraConfig; config: DeviceConfig } | undefined> {
    return this.waits.until(() => {
      const camera = this.config?.cameras.find((c) => c.id === id);
      return camera && this.config ? { camera, config: this.config } : undefined;
    }, CAMERA_WAIT_MS);
  }

  private async snapshot(request: SnapshotRequest): Promise<SnapshotResponse> {
    const worker = await this.waits.until(() => this.workers.get(request.cameraId), CAMERA_WAIT_MS);
    if (!worker)
      return {
        v: PROTOCOL_VERSION,
        id: request.id,
        status: 'error',
        error: `camera ${request.cameraId} is not on this box`,
      };
    try {
      const shot = await worker.snapshot(request.maxWidth);
      const base64 = shot.jpeg.toString('base64');
      if (base64.length > MAX_SNAPSHOT_BASE64) {
        return {
          v: PROTOCOL_VERSION,
          id: request.id,
          status: 'error',
          error: 'picture too large: ask for a smaller maxWidth',
        };
      }
      return {
        v: PROTOCOL_VERSION,
        id: request.id,
        status: 'ok',
        data: {
          cameraId: request.cameraId,
          contentType: 'image/jpeg',
          width: shot.width,
          height: shot.height,
          base64,
        },
      };
    } catch (err) {
      return {
        v: PROTOCOL_VERSION,
        id: request.id,
        status: 'error',
        error: err instanceof Error ? err.message : String(err),
      };
    }
  }

  status(): AgentStatusFile {
    const { identity } = this.opts;
    const link = this.link!.state();
    const pinnedCa = mqttCaOf(identity) !== undefined;
    return {
      at: Date.now(),
      pid: process.pid,
      deviceId: identity.deviceId,
      hubUrl: identity.hubUrl,
      mqttUrl: identity.mqttUrl,
      configRevision: this.config?.revision ?? 0,
      detector: this.config?.detector.kind ?? null,
      link,
      linkProblem: linkProblem(link, { url: identity.mqttUrl, pinnedCa }),
      cameras: [...this.workers.values()].map((w) => ({
        cameraId: w.camera.id,
        name: w.camera.name,
        state: w.state,
        fps: w.fps,
        ...(w.error ? { error: w.error } : {}),
        ...(w.droppedFrames ? { droppedFrames: w.droppedFrames } : {}),
        ...pictureOf(w),
      })),
    };
  }

  private async writeStatus(): Promise<void> {
    try {
      await writeJsonAtomic(statusPath(this.opts.dataDir), this.status(), 0o644);
    } catch (err) {
      this.opts.log.warn({ err }, 'could not write the status file');
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.statusTimer);
    await this.applying;
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    this.workers.clear();
    await this.link?.stop();
    this.outbox?.close();
  }
}
