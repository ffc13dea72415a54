/**
 * What the hub sends a box, routed to what acts on it: the hub status (to the hub gate, which says
 * when batches may go out and when everything unacknowledged goes out again), acks (to the sender), configs (applied in order, newest wins) and
 * requests (answered on the response channel). Each is opened through HubMessages first: only what the
 * hub signed for this very topic and what matches the channel's schema gets through.
 */
import type { KeyObject } from 'node:crypto';
import {
  CameraCheckRequest,
  CameraCheckResponse,
  CHANNELS,
  channelTopic,
  check,
  type DeviceConfig,
  HUB_STATUS_CHANNEL,
  type Outgoing,
  outgoing,
  PROTOCOL_VERSION,
  parseTopic,
  SnapshotRequest,
  SnapshotResponse,
  SourceProbeRequest,
  SourceProbeResponse,
  topics,
  WatchRequest,
} from '@oskartrack/protocol';
import type { Static, TSchema } from '@sinclair/typebox';
import type { Logger } from 'pino';
import type { HubGate } from './hub-gate.ts';
import { HubMessages } from './hub-messages.ts';
import type { WindowedSender } from './sender.ts';
import type { LastError } from './session.ts';

export interface InboundOptions {
  deviceId: string;
  hubStatusTopic: string;
  /** The hub's public signing key, pinned at enrollment. */
  hubKey: KeyObject;
  sender: Pick<WindowedSender, 'acknowledge'>;
  /** Takes the hub's signed status. */
  gate: Pick<HubGate, 'heard'>;
  /** Revision of the configuration the agent already runs; absent: none yet. */
  configRevision?: number;
  onConfig?: (config: DeviceConfig) => void | Promise<void>;
  onSnapshot?: (request: SnapshotRequest) => Promise<SnapshotResponse>;
  /** A signed camera-check request: about a minute of the camera through the detectors (check/box-check.ts). */
  onCameraCheck?: (request: CameraCheckRequest) => Promise<CameraCheckResponse>;
  /** A signed source-probe request: can this box read a video file (runtime/probe-file.ts)? */
  onSourceProbe?: (request: SourceProbeRequest) => Promise<SourceProbeResponse>;
  /** A signed watch request: send a camera's pictures for its lease (runtime/live-video.ts). */
  onWatch?: (request: WatchRequest) => void;
  /** Publishes when connected; false otherwise. */
  publish: (message: Outgoing) => boolean;
  /** Publishes the box's status (after a config was applied). */
  publishStatus: () => void;
  guard: (what: string, fn: () => void) => void;
  lastError: LastError;
  log: Logger;
}

export class InboundRouter {
  configRevision: number;
  lastAckAt: number | null = null;
  readonly checked: HubMessages;
  private configApplied: boolean;
  private configChain: Promise<void> = Promise.resolve();

  constructor(private readonly o: InboundOptions) {
    this.configRevision = o.configRevision ?? 0;
    this.configApplied = o.configRevision !== undefined;
    this.checked = new HubMessages(o.hubKey, o.log);
  }

  /** The topics to subscribe: this box's ack, config and requests, and the hub status. */
  subscriptions(): string[] {
    const id = this.o.deviceId;
    return [channelTopic('ack', id), channelTopic('config', id), requestPattern(id), this.o.hubStatusTopic];
  }

  route(topic: string, payload: Buffer): void {
    if (topic === this.o.hubStatusTopic) {
      this.onHubStatus(topic, payload);
      return;
    }
    const parsed = parseTopic(topic);
    const own = parsed?.deviceId === this.o.deviceId;
    if (own && parsed.channel === 'ack') this.onAck(topic, payload);
    else if (own && parsed.channel === 'config') this.onConfig(topic, payload);
    else if (own && parsed.channel === 'request') {
      this.onRequest(topic, parsed.sub ?? '', payload).catch((error: unknown) => {
        this.o.log.error({ err: error }, 'answering a request failed');
      });
    } else this.o.log.warn({ topic }, 'message on an unexpected topic ignored');
  }

  /** Opens a hub message; a refusal is logged (rate-limited) and becomes the last error. */
  private open<S extends TSchema>(
    schema: S,
    topic: string,
    payload: Buffer,
    what: string,
  ): Static<S> | undefined {
    const value = this.checked.open(schema, topic, payload, what);
    if (value === undefined) this.o.lastError.message = this.checked.lastRefusal;
    return value;
  }

  private onHubStatus(topic: string, payload: Buffer): void {
    const status = this.open(HUB_STATUS_CHANNEL.schema, topic, payload, 'hub status');
    if (status) this.o.gate.heard(status.state);
  }

  private onAck(topic: string, payload: Buffer): void {
    const ack = this.open(CHANNELS.ack.schema, topic, payload, 'ack');
    if (!ack) return;
    this.lastAckAt = Date.now();
    const outcome = this.o.sender.acknowledge(ack.upToSeq);
    if (outcome.kind !== 'refused') return;
    this.checked.refuse(topic, outcome.why, 'error');
    this.o.lastError.message = this.checked.lastRefusal;
  }

  private onConfig(topic: string, payload: Buffer): void {
    const config = this.open(CHANNELS.config.schema, topic, payload, 'device config');
    if (!config) return;
    if (this.configApplied && config.revision <= this.configRevision) {
      this.o.log.debug({ revision: config.revision }, 'config revision already applied');
      return;
    }
    this.configChain = this.configChain
      .then(() => this.applyConfig(config))
      .catch((error: unknown) => this.o.log.error({ err: error }, 'device config handling failed'));
  }

  private async applyConfig(config: DeviceConfig): Promise<void> {
    if (this.configApplied && config.revision <= this.configRevision) return;
    try {
      await this.o.onConfig?.(config);
    } catch (error) {
      this.o.log.error({ err: error, revision: config.revision }, 'applying the device config failed');
      return;
    }
    this.configRevision = config.revision;
    this.configApplied = true;
    this.o.log.info({ revision: config.revision }, 'device config applied');
    this.o.guard('status', () => this.o.publishStatus());
  }

  private async onRequest(topic: string, name: string, payload: Buffer): Promise<void> {
    if (name === 'watch') {
      const watch = this.open(WatchRequest, topic, payload, 'watch request');
      if (watch) this.o.onWatch?.(watch);
      return;
    }
    if (name === 'camera-check') {
      const ask = this.open(CameraCheckRequest, topic, payload, 'camera-check request');
      const handle = this.o.onCameraCheck;
      if (ask) await this.answer(name, ask.id, CameraCheckResponse, handle && (() => handle(ask)));
      return;
    }
    if (name === 'source-probe') {
      const ask = this.open(SourceProbeRequest, topic, payload, 'source-probe request');
      const handle = this.o.onSourceProbe;
      if (ask) await this.answer(name, ask.id, SourceProbeResponse, handle && (() => handle(ask)));
      return;
    }
    const request = this.open(SnapshotRequest, topic, payload, `${name} request`);
    if (!request) return;
    if (name !== 'snapshot') {
      this.o.log.warn({ name }, 'unknown request ignored');
      return;
    }
    const response = await this.snapshot(request);
    if (!this.o.publish(outgoing('response', this.o.deviceId, response, 'snapshot')))
      this.o.log.warn({ id: request.id }, 'snapshot response dropped: not connected');
  }

  /** Publishes the answer `handle` gives, or an error answer saying why there is none. */
  private async answer<R extends CameraCheckResponse | SourceProbeResponse>(
    name: 'camera-check' | 'source-probe',
    id: string,
    schema: TSchema,
    handle: (() => Promise<R>) | undefined,
  ): Promise<void> {
    let response: CameraCheckResponse | SourceProbeResponse;
    try {
      if (!handle) throw new Error(`this agent does not answer ${name} requests`);
      response = { ...(await handle()), id };
      const valid = check(schema, response);
      if (!valid.ok) throw new Error(`invalid ${name} answer: ${valid.error}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      response = { v: PROTOCOL_VERSION, id, status: 'error', error: message.slice(0, 500) || 'error' };
    }
    if (!this.o.publish(outgoing('response', this.o.deviceId, response, name)))
      this.o.log.warn({ id, name }, 'answer to a request dropped: not connected');
  }

  /** The snapshot answer, or an error answer saying why there is none. */
  private async snapshot(request: SnapshotRequest): Promise<SnapshotResponse> {
    try {
      if (!this.o.onSnapshot) throw new Error('this agent does not take snapshots');
      const response = await this.o.onSnapshot(request);
      const valid = check(SnapshotResponse, response);
      if (!valid.ok) throw new Error(`invalid snapshot response: ${valid.error}`);
      return { ...response, id: request.id };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return {
        v: PROTOCOL_VERSION,
        id: request.id,
        status: 'error',
        error: message.slice(0, 500) || 'error',
      };
    }
  }
}

/** Every request name under this device (`.../request/+`). */
function requestPattern(deviceId: string): string {
  return `${topics.deviceRoot(deviceId)}/request/+`;
}
