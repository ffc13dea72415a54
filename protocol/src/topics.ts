import type { TSchema } from '@sinclair/typebox';
import {
  Ack,
  DeviceConfig,
  DeviceStatus,
  EventBatch,
  LiveTracks,
  SnapshotRequest,
  SnapshotResponse,
} from './messages.ts';

export const TOPIC_ROOT = 'oskartrack/v1';
const SAFE_SEGMENT = /^[A-Za-z0-9_.:-]{1,64}$/;

/** The whole contract: each channel under a device, its payload schema, QoS and whether it is retained. */
export const CHANNELS = {
  status: { schema: DeviceStatus, qos: 1, retain: true, from: 'agent' },
  events: { schema: EventBatch, qos: 1, retain: false, from: 'agent' },
  ack: { schema: Ack, qos: 1, retain: false, from: 'hub' },
  config: { schema: DeviceConfig, qos: 1, retain: true, from: 'hub' },
  live: { schema: LiveTracks, qos: 0, retain: false, from: 'agent' },
  request: { schema: SnapshotRequest, qos: 1, retain: false, from: 'hub' },
  response: { schema: SnapshotResponse, qos: 1, retain: false, from: 'agent' },
} as const satisfies Record<string, { schema: TSchema; qos: 0 | 1; retain: boolean; from: 'agent' | 'hub' }>;
export type Channel = keyof typeof CHANNELS;

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
  /** Subscription patterns for the hub. */
  all: {
    status: `${TOPIC_ROOT}/devices/+/status`,
    events: `${TOPIC_ROOT}/devices/+/events`,
    live: `${TOPIC_ROOT}/devices/+/live/+`,
    response: `${TOPIC_ROOT}/devices/+/response/+`,
  },
} as const;

export interface ParsedTopic {
  deviceId: string;
  channel: Channel;
  /** The camera id of `live`, the request name of `request` / `response`. */
  sub?: string;
}

/** Splits a device topic into its parts; `undefined` for anything outside the tree. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const parts = topic.split('/');
  if (parts[0] !== 'oskartrack' || parts[1] !== 'v1' || parts[2] !== 'devices') return undefined;
  const [deviceId, channel, sub] = [parts[3], parts[4], parts[5]];
  if (!deviceId || !SAFE_SEGMENT.test(deviceId) || !channel || !(channel in CHANNELS)) return undefined;
  const withSub = channel === 'live' || channel === 'request' || channel === 'response';
  if (withSub ? parts.length !== 6 || !sub || !SAFE_SEGMENT.test(sub) : parts.length !== 5) return undefined;
  return withSub ? { deviceId, channel: channel as Channel, sub } : { deviceId, channel: channel as Channel };
}
