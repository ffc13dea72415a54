import { type TSchema, Type } from '@sinclair/typebox';
import { AlertNotice } from './api/alerts.ts';
import { CameraCheckRequest, CameraCheckResponse } from './camera-check.ts';
import {
  Ack,
  DeviceConfig,
  DeviceStatus,
  EventBatch,
  HubStatus,
  LiveTracks,
  SnapshotRequest,
  SnapshotResponse,
} from './messages.ts';
import { SourceProbeRequest, SourceProbeResponse } from './source-probe.ts';
import { VideoFrame, WatchRequest } from './video.ts';

export const TOPIC_ROOT = 'oskartrack/v1';
const SAFE_SEGMENT = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * The whole contract: each channel under a device, its payload schema, QoS, whether it is retained,
 * who writes it, and whether it is signed. Everything the hub writes is signed with its Ed25519 key
 * (`@oskartrack/protocol/signing`, bound to the topic) and the box acts on nothing unsigned: a broker
 * client that is not the hub can not forge an ack, a config or a request.
 */
export const CHANNELS = {
  status: { schema: DeviceStatus, qos: 1, retain: true, from: 'agent', signed: false },
  events: { schema: EventBatch, qos: 1, retain: false, from: 'agent', signed: false },
  ack: { schema: Ack, qos: 1, retain: false, from: 'hub', signed: true },
  config: { schema: DeviceConfig, qos: 1, retain: true, from: 'hub', signed: true },
  live: { schema: LiveTracks, qos: 0, retain: false, from: 'agent', signed: false },
  // The request name is the sub-topic: `snapshot` (a SnapshotRequest), `watch` (a WatchRequest),
  // `camera-check` (a CameraCheckRequest, answered with a CameraCheckResponse), `source-probe` (a
  // SourceProbeRequest, answered with a SourceProbeResponse).
  request: {
    schema: Type.Union([SnapshotRequest, WatchRequest, CameraCheckRequest, SourceProbeRequest]),
    qos: 1,
    retain: false,
    from: 'hub',
    signed: true,
  },
  response: {
    schema: Type.Union([SnapshotResponse, CameraCheckResponse, SourceProbeResponse]),
    qos: 1,
    retain: false,
    from: 'agent',
    signed: false,
  },
  /** Pictures of a watched camera (video.ts): sub-topic the camera id, dropped when nobody watches. */
  video: { schema: VideoFrame, qos: 0, retain: false, from: 'agent', signed: false },
} as const satisfies Record<
  string,
  { schema: TSchema; qos: 0 | 1; retain: boolean; from: 'agent' | 'hub'; signed: boolean }
>;
export type Channel = keyof typeof CHANNELS;

/** The hub's own retained status at `topics.hubStatus` (outside the device tree), signed over that topic. */
export const HUB_STATUS_CHANNEL = {
  schema: HubStatus,
  qos: 1,
  retain: true,
  from: 'hub',
  signed: true,
} as const;

/**
 * A store's alerts for building systems at `topics.storeAlerts` (outside the device tree, so no box
 * may read it): one AlertNotice per alert firing or cleared, not retained, not signed (readers are
 * not boxes and hold no hub key; the broker's accounts decide who reads it).
 */
export const STORE_ALERTS_CHANNEL = {
  schema: AlertNotice,
  qos: 1,
  retain: false,
  from: 'hub',
  signed: false,
} as const;

function segment(value: string, what: string): string {
  if (!SAFE_SEGMENT.test(value))
    throw new Error(`invalid ${what} for an MQTT topic: ${JSON.stringify(value)}`);
  return value;
}

export const topics = {
  hubStatus: `${TOPIC_ROOT}/hub/status`,
  deviceRoot: (deviceId: string) => `${TOPIC_ROOT}/devices/${segment(deviceId, 'device id')}`,
  status: (deviceId: string) => `${topics.deviceRoot(deviceId)}/status`,
  events: (deviceId: string) => `${topics.deviceRoot(deviceId)}/events`,
  ack: (deviceId: string) => `${topics.deviceRoot(deviceId)}/ack`,
  config: (deviceId: string) => `${topics.deviceRoot(deviceId)}/config`,
  live: (deviceId: string, cameraId: string) =>
    `${topics.deviceRoot(deviceId)}/live/${segment(cameraId, 'camera id')}`,
  request: (deviceId: string, name: string) =>
    `${topics.deviceRoot(deviceId)}/request/${segment(name, 'request name')}`,
  response: (deviceId: string, name: string) =>
    `${topics.deviceRoot(deviceId)}/response/${segment(name, 'request name')}`,
  video: (deviceId: string, cameraId: string) =>
    `${topics.deviceRoot(deviceId)}/video/${segment(cameraId, 'camera id')}`,
  storeAlerts: (storeId: string) => `${TOPIC_ROOT}/stores/${segment(storeId, 'store id')}/alerts`,
  /** Subscription patterns for the hub. */
  all: {
    status: `${TOPIC_ROOT}/devices/+/status`,
    events: `${TOPIC_ROOT}/devices/+/events`,
    live: `${TOPIC_ROOT}/devices/+/live/+`,
    response: `${TOPIC_ROOT}/devices/+/response/+`,
    video: `${TOPIC_ROOT}/devices/+/video/+`,
    /** Every store's alerts (a building system's subscription). */
    storeAlerts: `${TOPIC_ROOT}/stores/+/alerts`,
  },
} as const;

/** Channels with one more topic level: the camera id (`live`, `video`) or the request name. */
export const SUB_CHANNELS: ReadonlySet<Channel> = new Set<Channel>(['live', 'request', 'response', 'video']);

export interface ParsedTopic {
  deviceId: string;
  channel: Channel;
  /** The camera id of `live` and `video`, the request name of `request` / `response`. */
  sub?: string;
}

/** Splits a device topic into its parts; `undefined` for anything outside the tree. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const parts = topic.split('/');
  if (parts[0] !== 'oskartrack' || parts[1] !== 'v1' || parts[2] !== 'devices') return undefined;
  const [deviceId, channel, sub] = [parts[3], parts[4], parts[5]];
  if (!deviceId || !SAFE_SEGMENT.test(deviceId) || !channel || !(channel in CHANNELS)) return undefined;
  const withSub = SUB_CHANNELS.has(channel as Channel);
  if (withSub ? parts.length !== 6 || !sub || !SAFE_SEGMENT.test(sub) : parts.length !== 5) return undefined;
  return withSub ? { deviceId, channel: channel as Channel, sub } : { deviceId, channel: channel as Channel };
}

/** Whether `topic` is a device channel the hub signs (ack, config, request). */
export function isSignedTopic(topic: string): boolean {
  const parsed = parseTopic(topic);
  return parsed !== undefined && CHANNELS[parsed.channel].signed;
}
