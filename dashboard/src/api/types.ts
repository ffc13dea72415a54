/** What the hub's REST API answers (see hub/src/api/schemas.ts; dates arrive as ISO text). */
import type { Point } from '@oskartrack/protocol';
import type { Role } from './client.ts';

export type { Point };

export interface Store {
  id: string;
  name: string;
  timezone: string;
  createdAt: string;
  updatedAt: string;
}

export interface Device {
  id: string;
  storeId: string;
  name: string;
  /** `recordings`: the store's uploaded videos, not a box (never online). */
  kind: 'box' | 'recordings';
  online: boolean;
  lastSeenAt: string | null;
  statusAt: string | null;
  outboxDepth: number;
  outboxOldestAgeMs: number;
  softwareVersion: string | null;
  configRevision: number;
  connection: number;
}

export interface Camera {
  id: string;
  storeId: string;
  deviceId: string | null;
  name: string;
  source: string;
  fps: number | null;
  frameWidth: number | null;
  frameHeight: number | null;
  enabled: boolean;
}

export interface Zone {
  id: string;
  cameraId: string;
  name: string;
  polygon: Point[];
  createdAt?: string;
  updatedAt?: string;
}

export interface CountingLine {
  id: string;
  cameraId: string;
  name: string;
  start: Point;
  end: Point;
  inSide: 'left' | 'right';
}

export interface EnrollmentCode {
  id: string;
  storeId: string;
  expiresAt: string;
  usedAt: string | null;
  deviceId: string | null;
  createdAt: string;
}

export interface User {
  id: string;
  name: string;
  role: Role;
  disabled: boolean;
  lastLoginAt: string | null;
  storeIds: string[];
}

export interface Numbers {
  visitors: number;
  entries: number;
  exits: number;
  averageTimeSpentMs: number;
}

export interface Summary extends Numbers {
  storeId: string;
  from: string;
  to: string;
  source: 'raw' | 'summaries';
  busiestHour: { start: string; visitors: number } | null;
  busiestHourOfDay: { hour: number; visitors: number } | null;
}

export interface TimeSeries {
  source: string;
  interval: string;
  timezone: string;
  points: (Numbers & { start: string })[];
}

export interface ZoneStats {
  zones: (Numbers & { zoneId: string; name: string | null; cameraId: string | null })[];
}

export interface Flows {
  flows: { fromZoneId: string | null; toZoneId: string; count: number }[];
}

export interface Heatmap {
  cameraId: string;
  width: number;
  height: number;
  cols: number;
  rows: number;
  grid: number[][];
  max: number;
  total: number;
}

export interface Compare {
  stores: (Numbers & { storeId: string; name: string })[];
}

export interface Customer {
  id: string;
  storeId: string;
  trackingId: string;
  firstSeenAt: string;
  lastSeenAt: string;
  visitCount: number;
  ageEstimate: number | null;
  genderEstimate: string | null;
}

export interface Visit {
  id: number;
  storeId: string;
  cameraId: string;
  customerId: string | null;
  trackId: number;
  startedAt: string;
  endedAt: string;
  durationMs: number;
}

export interface VisitDetail extends Visit {
  path: { at: number; point: Point }[];
  zones: { zoneId: string; dwellMs: number; entries: number }[];
}

export interface StoredEvent {
  id: number;
  deviceId: string;
  seq: number;
  kind: string;
  at: string;
  storeId: string;
  cameraId: string;
  trackId: number;
  zoneId: string | null;
  lineId: string | null;
  payload?: unknown;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** `GET /api/dead-letters`: events of one box for one camera the hub does not know as the box's. */
export interface DeadLetterGroup {
  deviceId: string;
  deviceName: string;
  storeId: string;
  cameraId: string;
  count: number;
  lastReason: string;
  lastReceivedAt: string;
}
