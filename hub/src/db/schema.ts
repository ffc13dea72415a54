/**
 * The hub's PostgreSQL schema (also used, unchanged, by the embedded PGlite database).
 *
 * After changing this file run `npx drizzle-kit generate` in hub/ and commit hub/drizzle/.
 * Table names are never schema-qualified, so the same migrations work in any schema chosen through
 * the connection's search_path (see `openDatabase`' `schema` option).
 *
 * Deleting a store removes everything below it (devices, cameras, areas, history). Deleting a camera
 * removes its areas, lines, events, visits and summaries. Deleting a device unassigns its cameras and
 * removes its raw events; visits and summaries stay.
 */
import type {
  AlertChannels,
  AlertKind,
  AlertState,
  DetectorSettings,
  LineSide,
  OpeningHours,
  PathPoint,
  Point,
  ReportPeriod,
  TrackingEvent,
  UploadSummary,
} from '@oskartrack/protocol';
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  smallint,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export const USER_ROLES = ['admin', 'manager', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];
export const SUMMARY_PERIODS = ['hour', 'day'] as const;
export type SummaryPeriod = (typeof SUMMARY_PERIODS)[number];
export const GENDER_ESTIMATES = ['female', 'male', 'unknown'] as const;
export type GenderEstimate = (typeof GENDER_ESTIMATES)[number];

/**
 * Raw data kept 400 days by default: a whole year plus a month, so this month can still be compared
 * in detail with the same month a year ago; summaries keep the numbers for years after.
 */
export const DEFAULT_RAW_RETENTION_DAYS = 400;

const tz = { withTimezone: true } as const;
const createdAt = () => timestamp('created_at', tz).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', tz).notNull().defaultNow();
const id64 = (name: string) => bigint(name, { mode: 'number' });
/**
 * What an uploaded recording produced carries its job's id: every number leaves it out unless asked
 * (`includeRecordings`), and deleting the job deletes it all (cascade).
 */
const uploadRef = () =>
  uuid('upload_id').references((): AnyPgColumn => uploadJobs.id, { onDelete: 'cascade' });

export const stores = pgTable(
  'stores',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** IANA time zone; daily summaries follow the store's local day. */
    timezone: text('timezone').notNull().default('UTC'),
    /** Weekly hours and closed dates in the store's time zone; null: open around the clock. */
    openingHours: jsonb('opening_hours').$type<OpeningHours>(),
    /**
     * How many days the detailed data (raw events, visits and their paths) is kept; null: kept forever.
     * Hourly and daily summaries, flows and heatmap cells are kept regardless (retention/ says why 400).
     */
    rawRetentionDays: integer('raw_retention_days').default(DEFAULT_RAW_RETENTION_DAYS),
    /**
     * Set by the retention job before it removes anything: events and visits before this instant may be
     * gone, so analytics read the summaries there and a rebuild leaves those days alone.
     */
    rawRemovedBefore: timestamp('raw_removed_before', tz),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check(
      'stores_raw_retention_days',
      sql`${t.rawRetentionDays} IS NULL OR ${t.rawRetentionDays} BETWEEN 1 AND 36500`,
    ),
  ],
);

export const devices = pgTable(
  'devices',
  {
    /** The id in the device's MQTT topics. */
    id: text('id').primaryKey(),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** Hash of the device's MQTT password; null until enrolled. Never the password itself. */
    credentialHash: text('credential_hash'),
    /**
     * The box's old identity, proven at enrollment with its old secret: taken over (cameras moved, old
     * credential revoked) when this identity first reports online, so a lost enrollment answer leaves
     * the old one working. Null once done, or when it replaces nothing.
     */
    replacesDeviceId: text('replaces_device_id'),
    /** The identity that took this one over (set once: of racing claims the first wins). */
    replacedBy: text('replaced_by'),
    softwareVersion: text('software_version'),
    /** The configuration revision the agent last reported as applied (from its status). */
    configRevision: integer('config_revision').notNull().default(0),
    /**
     * The revision of the configuration the hub last published to the device (config push) and a hash
     * of its content: republishing unchanged content keeps the revision, any change takes a higher one.
     */
    publishedConfigRevision: integer('published_config_revision').notNull().default(0),
    publishedConfigHash: text('published_config_hash'),
    online: boolean('online').notNull().default(false),
    /** The agent's connection counter from its last status: tells a stale last will from the current one. */
    connection: integer('connection').notNull().default(0),
    outboxDepth: integer('outbox_depth').notNull().default(0),
    outboxOldestAgeMs: id64('outbox_oldest_age_ms').notNull().default(0),
    lastSeenAt: timestamp('last_seen_at', tz),
    statusAt: timestamp('status_at', tz),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('devices_store_idx').on(t.storeId)],
);

export const cameras = pgTable(
  'cameras',
  {
    id: text('id').primaryKey(),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id, { onDelete: 'cascade' }),
    /** The box that reads this camera; null while unassigned. */
    deviceId: text('device_id').references(() => devices.id, { onDelete: 'set null' }),
    name: text('name').notNull(),
    /** rtsp://, http(s)://, a webcam index or a file path, as the agent reads it. */
    source: text('source').notNull(),
    fps: real('fps'),
    /** This camera's own detector; null: the hub-wide `detector` setting. */
    detector: jsonb('detector').$type<DetectorSettings>(),
    frameWidth: integer('frame_width'),
    frameHeight: integer('frame_height'),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('cameras_store_idx').on(t.storeId),
    index('cameras_device_idx').on(t.deviceId),
    check('cameras_fps_positive', sql`${t.fps} IS NULL OR ${t.fps} > 0`),
    check(
      'cameras_frame_size_positive',
      sql`(${t.frameWidth} IS NULL OR ${t.frameWidth} > 0) AND (${t.frameHeight} IS NULL OR ${t.frameHeight} > 0)`,
    ),
  ],
);

export const zones = pgTable(
  'zones',
  {
    id: text('id').primaryKey(),
    cameraId: text('camera_id')
      .notNull()
      .references(() => cameras.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** Frame pixel coordinates, `[x, y]` per point; checked with protocol's `polygonProblems`. */
    polygon: jsonb('polygon').$type<Point[]>().notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('zones_camera_idx').on(t.cameraId)],
);

export const countingLines = pgTable(
  'counting_lines',
  {
    id: text('id').primaryKey(),
    cameraId: text('camera_id')
      .notNull()
      .references(() => cameras.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    start: jsonb('start').$type<Point>().notNull(),
    end: jsonb('end').$type<Point>().notNull(),
    /** Which side, walking from start to end, counts as "in". */
    inSide: text('in_side').$type<LineSide>().notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('counting_lines_camera_idx').on(t.cameraId),
    check('counting_lines_in_side', sql`${t.inSide} IN ('left', 'right')`),
  ],
);

/** Hub-wide switches, one JSON value per key (for example `demographics`). */
export const hubSettings = pgTable('hub_settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: updatedAt(),
});

/**
 * Anonymous visitor profiles. The age, gender and face columns stay null unless an administrator turns
 * on the `demographics` setting; the repository refuses to write them otherwise.
 */
export const customers = pgTable(
  'customers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id, { onDelete: 'cascade' }),
    trackingId: text('tracking_id').notNull(),
    firstSeenAt: timestamp('first_seen_at', tz).notNull(),
    lastSeenAt: timestamp('last_seen_at', tz).notNull(),
    visitCount: integer('visit_count').notNull().default(0),
    ageEstimate: smallint('age_estimate'),
    genderEstimate: text('gender_estimate').$type<GenderEstimate>(),
    faceEncoding: real('face_encoding').array(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('customers_store_tracking_uq').on(t.storeId, t.trackingId),
    index('customers_store_last_seen_idx').on(t.storeId, t.lastSeenAt),
    check('customers_seen_order', sql`${t.lastSeenAt} >= ${t.firstSeenAt}`),
    check('customers_visit_count', sql`${t.visitCount} >= 0`),
    check('customers_age', sql`${t.ageEstimate} IS NULL OR ${t.ageEstimate} BETWEEN 0 AND 130`),
    check(
      'customers_gender',
      sql`${t.genderEstimate} IS NULL OR ${t.genderEstimate} IN ('female', 'male', 'unknown')`,
    ),
  ],
);

export const visits = pgTable(
  'visits',
  {
    id: id64('id').primaryKey().generatedAlwaysAsIdentity(),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id, { onDelete: 'cascade' }),
    cameraId: text('camera_id')
      .notNull()
      .references(() => cameras.id, { onDelete: 'cascade' }),
    customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'set null' }),
    /** The `visit_closed` event this visit was built from (device + seq): building it twice is a no-op. */
    sourceDeviceId: text('source_device_id'),
    sourceSeq: id64('source_seq'),
    trackId: id64('track_id').notNull(),
    startedAt: timestamp('started_at', tz).notNull(),
    endedAt: timestamp('ended_at', tz).notNull(),
    durationMs: id64('duration_ms').notNull(),
    path: jsonb('path').$type<PathPoint[]>().notNull().default([]),
    /** The uploaded recording this visit was counted from; null: a live camera. */
    uploadId: uploadRef(),
    createdAt: createdAt(),
  },
  (t) => [
    unique('visits_source_uq').on(t.sourceDeviceId, t.sourceSeq),
    index('visits_upload_idx').on(t.uploadId).where(sql`${t.uploadId} IS NOT NULL`),
    index('visits_store_started_idx').on(t.storeId, t.startedAt),
    index('visits_camera_started_idx').on(t.cameraId, t.startedAt),
    index('visits_customer_idx').on(t.customerId),
    check('visits_order', sql`${t.endedAt} >= ${t.startedAt}`),
    check('visits_duration', sql`${t.durationMs} >= 0`),
  ],
);

/** Time spent in each area during one visit. */
export const zoneVisits = pgTable(
  'zone_visits',
  {
    visitId: id64('visit_id')
      .notNull()
      .references(() => visits.id, { onDelete: 'cascade' }),
    zoneId: text('zone_id')
      .notNull()
      .references(() => zones.id, { onDelete: 'cascade' }),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id, { onDelete: 'cascade' }),
    /** The visit's start, copied here for time-range queries per area. */
    startedAt: timestamp('started_at', tz).notNull(),
    dwellMs: id64('dwell_ms').notNull(),
    entries: integer('entries').notNull().default(1),
    /** Copied from the visit, so area numbers leave recordings out without a join. */
    uploadId: uploadRef(),
  },
  (t) => [
    primaryKey({ name: 'zone_visits_pk', columns: [t.visitId, t.zoneId] }),
    index('zone_visits_zone_started_idx').on(t.zoneId, t.startedAt),
    index('zone_visits_store_started_idx').on(t.storeId, t.startedAt),
    check('zone_visits_dwell', sql`${t.dwellMs} >= 0 AND ${t.entries} >= 0`),
  ],
);

/**
 * Every event the agents sent, exactly once per (device, seq): a redelivered batch inserts nothing.
 * `zone_id` / `line_id` are copied from the payload for queries; they carry no foreign key because an
 * event may name an area that was since removed.
 *
 * Device, store, camera and recording carry no foreign key either: checked per row, those keys cost
 * ingest as much as the insert itself. The insert locks the few parent rows once instead
 * (repositories/events.ts), and deleting a parent deletes its events by statement triggers
 * (`tracking_events_cascade`, migration 0013), as the foreign keys' cascade did.
 *
 * In the database the table is partitioned by month of `at` (migration 0009; drizzle cannot declare
 * partitioning, so this declaration is the parent's columns and keys only). A partitioned table's
 * unique keys must contain `at`: exactly-once is (device, seq, at), which holds because an agent resends
 * an event exactly as it first sent it (its outbox stores the event, `at` included).
 */
export const trackingEvents = pgTable(
  'tracking_events',
  {
    id: id64('id').generatedAlwaysAsIdentity(),
    deviceId: text('device_id').notNull(),
    seq: id64('seq').notNull(),
    kind: text('kind').$type<TrackingEvent['kind']>().notNull(),
    at: timestamp('at', tz).notNull(),
    receivedAt: timestamp('received_at', tz).notNull().defaultNow(),
    storeId: text('store_id').notNull(),
    cameraId: text('camera_id').notNull(),
    trackId: id64('track_id').notNull(),
    zoneId: text('zone_id'),
    lineId: text('line_id'),
    /** The whole event as the agent sent it. */
    payload: jsonb('payload').$type<TrackingEvent>().notNull(),
    /** The uploaded recording this event was counted from; null: a live camera. */
    uploadId: uuid('upload_id'),
  },
  (t) => [
    primaryKey({ name: 'tracking_events_pk', columns: [t.id, t.at] }),
    unique('tracking_events_device_seq_at_uq').on(t.deviceId, t.seq, t.at),
    index('tracking_events_upload_idx').on(t.uploadId).where(sql`${t.uploadId} IS NOT NULL`),
    index('tracking_events_store_at_idx').on(t.storeId, t.at),
    index('tracking_events_camera_at_idx').on(t.cameraId, t.at),
    index('tracking_events_zone_at_idx').on(t.zoneId, t.at).where(sql`${t.zoneId} IS NOT NULL`),
    // The previous area of a track, looked up at ingest for the daily flows between areas.
    index('tracking_events_track_zone_idx')
      .on(t.deviceId, t.cameraId, t.trackId, t.at)
      .where(sql`${t.kind} = 'zone_entered'`),
    check(
      'tracking_events_kind',
      sql`${t.kind} IN ('track_started', 'track_ended', 'zone_entered', 'zone_left', 'line_crossed', 'visit_closed')`,
    ),
  ],
);

/**
 * Each store's figures per store-local day over its opening hours: the live cameras' whole-camera
 * hourly summaries added up, so long ranges read one row a day (repositories/open-days.ts). A row is
 * current when `computed_gen = gen` and `hours_key` matches the store's time zone and opening hours:
 * triggers on `analytics_summaries` (migration 0012) move `gen` whenever an hour of that day changes.
 */
export const storeOpenDays = pgTable(
  'store_open_days',
  {
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    gen: bigint('gen', { mode: 'number' }).notNull().default(1),
    computedGen: bigint('computed_gen', { mode: 'number' }),
    hoursKey: text('hours_key'),
    visitors: bigint('visitors', { mode: 'number' }).notNull().default(0),
    entries: bigint('entries', { mode: 'number' }).notNull().default(0),
    exits: bigint('exits', { mode: 'number' }).notNull().default(0),
    dwellCount: bigint('dwell_count', { mode: 'number' }).notNull().default(0),
    totalDwellMs: bigint('total_dwell_ms', { mode: 'number' }).notNull().default(0),
    /** The most people inside at once: the cameras' hourly peaks added up, the highest hour. */
    peak: integer('peak').notNull().default(0),
    /** Open hours with a summary row. */
    hours: integer('hours').notNull().default(0),
    /** The open hour with the most visitors (the earliest of equals; null: none). */
    busiestStart: timestamp('busiest_start', tz),
    busiestVisitors: bigint('busiest_visitors', { mode: 'number' }).notNull().default(0),
    /** Visitors per store-local hour of the day, 0 to 23. */
    hourVisitors: bigint('hour_visitors', { mode: 'number' }).array(),
  },
  (t) => [primaryKey({ name: 'store_open_days_pk', columns: [t.storeId, t.day] })],
);

/**
 * Walks from area to area per store-local day (`from_zone_id` null: the first area of a track that
 * day), kept after the raw events are gone. Area ids carry no foreign key, like the events'.
 */
export const zoneFlowDays = pgTable(
  'zone_flow_days',
  {
    day: date('day', { mode: 'string' }).notNull(),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id, { onDelete: 'cascade' }),
    cameraId: text('camera_id')
      .notNull()
      .references(() => cameras.id, { onDelete: 'cascade' }),
    fromZoneId: text('from_zone_id'),
    toZoneId: text('to_zone_id').notNull(),
    count: integer('count').notNull(),
    uploadId: uploadRef(),
  },
  (t) => [
    unique('zone_flow_days_uq')
      .on(t.storeId, t.day, t.cameraId, t.fromZoneId, t.toZoneId, t.uploadId)
      .nullsNotDistinct(),
    index('zone_flow_days_camera_idx').on(t.cameraId, t.day),
    check('zone_flow_days_count', sql`${t.count} >= 0`),
  ],
);

/** The heatmap's summary grid: path points per cell of a HEAT_GRID_COLS x HEAT_GRID_ROWS grid. */
export const HEAT_GRID_COLS = 64;
export const HEAT_GRID_ROWS = 48;

/**
 * Foot points of visit paths per cell of the summary grid over the camera's picture and store-local
 * day of the visit's start, kept after the visits are gone.
 */
export const heatmapCellDays = pgTable(
  'heatmap_cell_days',
  {
    day: date('day', { mode: 'string' }).notNull(),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id, { onDelete: 'cascade' }),
    cameraId: text('camera_id')
      .notNull()
      .references(() => cameras.id, { onDelete: 'cascade' }),
    cellX: smallint('cell_x').notNull(),
    cellY: smallint('cell_y').notNull(),
    count: integer('count').notNull(),
    uploadId: uploadRef(),
  },
  (t) => [
    unique('heatmap_cell_days_uq').on(t.cameraId, t.day, t.cellX, t.cellY, t.uploadId).nullsNotDistinct(),
    index('heatmap_cell_days_store_idx').on(t.storeId, t.day),
    check(
      'heatmap_cell_days_cell',
      sql`${t.cellX} BETWEEN 0 AND 63 AND ${t.cellY} BETWEEN 0 AND 47 AND ${t.count} >= 0`,
    ),
  ],
);

/**
 * Hourly and daily numbers per store, camera and area (`zone_id` null: the whole camera). One row per
 * (period, bucket_start, store, camera, zone), nulls equal, so increments can upsert.
 */
export const analyticsSummaries = pgTable(
  'analytics_summaries',
  {
    id: id64('id').primaryKey().generatedAlwaysAsIdentity(),
    period: text('period').$type<SummaryPeriod>().notNull(),
    bucketStart: timestamp('bucket_start', tz).notNull(),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id, { onDelete: 'cascade' }),
    cameraId: text('camera_id')
      .notNull()
      .references(() => cameras.id, { onDelete: 'cascade' }),
    zoneId: text('zone_id').references(() => zones.id, { onDelete: 'cascade' }),
    visitors: integer('visitors').notNull().default(0),
    entries: integer('entries').notNull().default(0),
    exits: integer('exits').notNull().default(0),
    /** How many stays `total_dwell_ms` adds up; the average is derived from both. */
    dwellCount: integer('dwell_count').notNull().default(0),
    totalDwellMs: id64('total_dwell_ms').notNull().default(0),
    avgDwellMs: id64('avg_dwell_ms').generatedAlwaysAs(
      sql`CASE WHEN dwell_count > 0 THEN total_dwell_ms / dwell_count ELSE 0 END`,
    ),
    peakOccupancy: integer('peak_occupancy').notNull().default(0),
    /** The uploaded recording these numbers come from (its own rows); null: live cameras. */
    uploadId: uploadRef(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('analytics_summaries_bucket_uq')
      .on(t.period, t.bucketStart, t.storeId, t.cameraId, t.zoneId, t.uploadId)
      .nullsNotDistinct(),
    index('analytics_summaries_upload_idx').on(t.uploadId).where(sql`${t.uploadId} IS NOT NULL`),
    index('analytics_summaries_store_idx').on(t.storeId, t.period, t.bucketStart),
    index('analytics_summaries_camera_idx').on(t.cameraId, t.period, t.bucketStart),
    index('analytics_summaries_zone_idx').on(t.zoneId, t.period, t.bucketStart),
    check('analytics_summaries_period', sql`${t.period} IN ('hour', 'day')`),
    check(
      'analytics_summaries_counts',
      sql`${t.visitors} >= 0 AND ${t.entries} >= 0 AND ${t.exits} >= 0 AND ${t.dwellCount} >= 0 AND ${t.totalDwellMs} >= 0 AND ${t.peakOccupancy} >= 0`,
    ),
  ],
);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull().unique('users_name_uq'),
    passwordHash: text('password_hash').notNull(),
    role: text('role').$type<UserRole>().notNull(),
    disabled: boolean('disabled').notNull().default(false),
    lastLoginAt: timestamp('last_login_at', tz),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [check('users_role', sql`${t.role} IN ('admin', 'manager', 'viewer')`)],
);

/** The stores a manager or viewer may see; admins see all. */
export const userStores = pgTable(
  'user_stores',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ name: 'user_stores_pk', columns: [t.userId, t.storeId] }),
    index('user_stores_store_idx').on(t.storeId),
  ],
);

/** One-time codes a new box presents to join a store. Only a hash of the code is kept. */
export const enrollmentCodes = pgTable(
  'enrollment_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    codeHash: text('code_hash').notNull().unique('enrollment_codes_hash_uq'),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: timestamp('expires_at', tz).notNull(),
    usedAt: timestamp('used_at', tz),
    deviceId: text('device_id').references(() => devices.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('enrollment_codes_store_idx').on(t.storeId)],
);

/**
 * A signed-in session: the refresh token's hash (SHA-256 of a random secret; the token itself is shown
 * once). Refreshing rotates the hash; logging out or disabling the user revokes the session, which also
 * ends its short-lived access tokens (they name the session).
 */
export const authSessions = pgTable(
  'auth_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    refreshHash: text('refresh_hash').notNull(),
    expiresAt: timestamp('expires_at', tz).notNull(),
    lastUsedAt: timestamp('last_used_at', tz),
    revokedAt: timestamp('revoked_at', tz),
    userAgent: text('user_agent'),
    address: text('address'),
    createdAt: createdAt(),
  },
  (t) => [index('auth_sessions_user_idx').on(t.userId)],
);

/**
 * Sign-in attempts per (user name, address) pair, for the growing wait after wrong passwords
 * (api/login-limits.ts). Kept in the database so waits survive a restart and hold across several hubs
 * on one PostgreSQL. The name is stored as a SHA-256 hash: a password typed into the name field is
 * never kept. A successful sign-in deletes the pair's row.
 */
export const loginAttempts = pgTable(
  'login_attempts',
  {
    userNameHash: text('user_name_hash').notNull(),
    address: text('address').notNull(),
    failures: integer('failures').notNull(),
    lastAttemptAt: timestamp('last_attempt_at', tz).notNull(),
    blockedUntil: timestamp('blocked_until', tz),
  },
  (t) => [
    primaryKey({ columns: [t.userNameHash, t.address] }),
    index('login_attempts_last_idx').on(t.lastAttemptAt),
  ],
);

/**
 * Events a box sent for a camera that is not its own (unknown, of another store, or of another box):
 * kept here instead of being dropped, so the box's acknowledgement covers only what the hub holds
 * and an administrator sees them (add the camera, or move the box back). One row per device seq.
 */
export const deadLetters = pgTable(
  'dead_letters',
  {
    id: id64('id').primaryKey().generatedAlwaysAsIdentity(),
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id, { onDelete: 'cascade' }),
    /** As the box named it: no foreign key, the camera is the one the hub does not know. */
    cameraId: text('camera_id').notNull(),
    seq: id64('seq').notNull(),
    reason: text('reason').notNull(),
    payload: jsonb('payload').$type<TrackingEvent>().notNull(),
    receivedAt: timestamp('received_at', tz).notNull().defaultNow(),
  },
  (t) => [
    unique('dead_letters_device_seq_uq').on(t.deviceId, t.seq),
    index('dead_letters_device_camera_idx').on(t.deviceId, t.cameraId),
  ],
);

export const UPLOAD_STATES = ['queued', 'processing', 'done', 'failed'] as const;
export type UploadState = (typeof UPLOAD_STATES)[number];

/** What an upload job found, kept when it is done: the protocol's `UploadSummary` (GET /api/uploads). */
export type { UploadSummary };

/**
 * A recorded video uploaded for processing on the hub (api: POST /api/uploads). The file lives in
 * `<dataDir>/uploads/<id>` only until it is processed (unless settings keep it); its events are
 * stored under the store's recordings device (`upload-...`) by `uploads/recording-store.ts`, in one transaction per batch.
 */
export const uploadJobs = pgTable(
  'upload_jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id, { onDelete: 'cascade' }),
    cameraId: text('camera_id')
      .notNull()
      .references(() => cameras.id, { onDelete: 'cascade' }),
    /** The store's recordings device the events are stored under. */
    deviceId: text('device_id').references(() => devices.id, { onDelete: 'set null' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    fileName: text('file_name').notNull(),
    sizeBytes: id64('size_bytes').notNull(),
    detector: text('detector').notNull(),
    /** Frame rate the user gave (overrides the file header), or null. */
    fps: real('fps'),
    /** Wall-clock time of the video's first frame, as the user gave it. */
    startTime: timestamp('start_time', tz).notNull(),
    /** False: no start time was given, so the hub places the recording to end at its upload. */
    startTimeGiven: boolean('start_time_given').notNull().default(true),
    /** SHA-256 of the file's bytes (hex), taken as they arrived; null for jobs from before it was kept. */
    contentSha256: text('content_sha256'),
    state: text('state').$type<UploadState>().notNull().default('queued'),
    framesDone: integer('frames_done').notNull().default(0),
    framesTotal: integer('frames_total'),
    /** Processing speed in frames per second. */
    processingFps: real('processing_fps'),
    error: text('error'),
    summary: jsonb('summary').$type<UploadSummary>(),
    firstSeq: id64('first_seq'),
    lastSeq: id64('last_seq'),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', tz),
    finishedAt: timestamp('finished_at', tz),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('upload_jobs_store_idx').on(t.storeId, t.createdAt),
    // One recording counts once per camera, whichever hub received it: a failed job's file may come again.
    uniqueIndex('upload_jobs_content_uq')
      .on(t.cameraId, t.contentSha256)
      .where(sql`${t.state} <> 'failed' AND ${t.contentSha256} IS NOT NULL`),
    check('upload_jobs_state', sql`${t.state} IN ('queued', 'processing', 'done', 'failed')`),
  ],
);

/** What a store manager asked to be told about (issue 14): one rule, one kind, one threshold. */
export const alertRules = pgTable(
  'alert_rules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<AlertKind>().notNull(),
    /** People for `people_inside`; minutes for the others (0 for `picture_changed`). */
    threshold: integer('threshold').notNull(),
    channels: jsonb('channels').$type<AlertChannels>().notNull(),
    enabled: boolean('enabled').notNull().default(true),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('alert_rules_store_idx').on(t.storeId)],
);

/**
 * Accounts for building systems (a building management system, a door display) that read alerts on
 * the embedded broker's `oskartrack/v1/stores/{storeId}/alerts` topic: read-only, one store or (storeId
 * null) every store. The secret is kept as an argon2id hash, shown once when the account is made.
 */
export const alertListeners = pgTable('alert_listeners', {
  /** The MQTT user name and client id, `listener-...`. */
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  storeId: text('store_id').references(() => stores.id, { onDelete: 'cascade' }),
  secretHash: text('secret_hash').notNull(),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
});

/**
 * The alert history: one row per time a rule fired for one subject (a device, a camera or the store),
 * cleared when the condition ended. At most one firing row per rule and subject (partial unique index),
 * so several hub processes cannot raise the same alert twice.
 */
export const alerts = pgTable(
  'alerts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ruleId: uuid('rule_id')
      .notNull()
      .references(() => alertRules.id, { onDelete: 'cascade' }),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<AlertKind>().notNull(),
    /** What the alert is about: a device id, a camera id, or the store id. */
    subject: text('subject').notNull(),
    state: text('state').$type<AlertState>().notNull().default('firing'),
    /** The sentence shown and sent, in plain words. */
    message: text('message').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    firedAt: timestamp('fired_at', tz).notNull().defaultNow(),
    clearedAt: timestamp('cleared_at', tz),
  },
  (t) => [
    index('alerts_store_idx').on(t.storeId, t.firedAt),
    uniqueIndex('alerts_one_firing_uq').on(t.ruleId, t.subject).where(sql`${t.state} = 'firing'`),
    check('alerts_state', sql`${t.state} IN ('firing', 'cleared')`),
  ],
);

/**
 * One message to send (an alert fired or cleared, by e-mail, webhook or MQTT), kept until delivered so
 * a failing receiver is retried with backoff and a hub restart loses nothing.
 */
export const alertDeliveries = pgTable(
  'alert_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    alertId: uuid('alert_id')
      .notNull()
      .references(() => alerts.id, { onDelete: 'cascade' }),
    channel: text('channel').$type<'email' | 'webhook' | 'mqtt'>().notNull(),
    /** The address or URL (empty for MQTT). */
    target: text('target').notNull(),
    /** Whether this tells of the alert firing or clearing. */
    event: text('event').$type<AlertState>().notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', tz).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', tz),
    lastError: text('last_error'),
    createdAt: createdAt(),
  },
  (t) => [index('alert_deliveries_due_idx').on(t.nextAttemptAt).where(sql`${t.deliveredAt} IS NULL`)],
);

/** A scheduled report: one store or (storeId null) every store, sent to the recipients each period. */
export const reportSchedules = pgTable(
  'report_schedules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    storeId: text('store_id').references(() => stores.id, { onDelete: 'cascade' }),
    period: text('period').$type<ReportPeriod>().notNull(),
    recipients: jsonb('recipients').$type<string[]>().notNull(),
    enabled: boolean('enabled').notNull().default(true),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [check('report_schedules_period', sql`${t.period} IN ('daily', 'weekly', 'monthly')`)],
);

/**
 * Each report made: one row per schedule and period (start and end; unique), claimed before it is built so two hub
 * processes never send the same report; `sentAt` and `error` tell how it went.
 */
export const reportRuns = pgTable(
  'report_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    scheduleId: uuid('schedule_id')
      .notNull()
      .references(() => reportSchedules.id, { onDelete: 'cascade' }),
    periodStart: timestamp('period_start', tz).notNull(),
    periodEnd: timestamp('period_end', tz).notNull(),
    /** How the summary on top was written. */
    summarySource: text('summary_source').$type<'template' | 'language-model'>(),
    sentAt: timestamp('sent_at', tz),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    createdAt: createdAt(),
  },
  // The period's end too: a schedule changed from daily to weekly claims Monday's week, not Monday.
  (t) => [unique('report_runs_once_uq').on(t.scheduleId, t.periodStart, t.periodEnd)],
);

/**
 * How far a device's events are stored, shared by every hub process: with several hubs splitting the
 * ingest (MQTT shared subscriptions), any hub may store a device's next batch. The row is locked in
 * each ingest transaction (FOR UPDATE), so one hub at a time moves a device; `version` tells a hub
 * whether the copy it holds in memory is still the latest.
 */
export const deviceProgress = pgTable('device_progress', {
  deviceId: text('device_id')
    .primaryKey()
    .references(() => devices.id, { onDelete: 'cascade' }),
  /** Every seq up to here is stored (in `tracking_events` or `dead_letters`). */
  ackedUpTo: id64('acked_up_to').notNull().default(0),
  /** Who is inside per camera and area, as the occupancy tracker keeps it (null: rebuild from events). */
  occupancy: jsonb('occupancy').$type<unknown>(),
  version: id64('version').notNull().default(0),
  /**
   * Recordings devices only: the next seq an uploaded recording takes, moved by one statement per
   * batch, so hubs storing recordings of one store at once never take the same seqs (null: not yet
   * counted, the first reservation starts after the highest seq used).
   */
  nextRecordingSeq: id64('next_recording_seq'),
  updatedAt: updatedAt(),
});

/** Request counters of the API's rate limits, shared by every hub process (one row per key). */
export const rateLimitHits = pgTable(
  'rate_limit_hits',
  {
    key: text('key').primaryKey(),
    hits: integer('hits').notNull(),
    resetAt: timestamp('reset_at', tz).notNull(),
  },
  (t) => [index('rate_limit_hits_reset_idx').on(t.resetAt)],
);
