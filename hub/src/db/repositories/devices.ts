import { createHash } from 'node:crypto';
import type { DeviceStatus } from '@oskartrack/protocol';
import { and, asc, eq, getTableColumns, isNotNull, isNull, lte, type SQLWrapper, sql } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { guard, NotFoundError, ValidationError } from '../errors.ts';
import { devices } from '../schema.ts';
import { defined, idOrNew, requireDate, requireName } from './common.ts';

const {
  credentialHash: _hidden,
  replacesDeviceId: _pending,
  replacedBy: _takenBy,
  ...columns
} = getTableColumns(devices);
/** Every column but the credential hash, and whether there is one (none: revoked, or never enrolled). */
const publicColumns = { ...columns, revoked: sql<boolean>`(${devices.credentialHash} IS NULL)` };

/** A box beside a camera, or the device a store's uploaded recordings are filed under. */
export type DeviceKind = 'box' | 'recordings';

/** A device row without its credential hash (use `credentialHash(id)` to check a login). */
export type Device = Omit<
  typeof devices.$inferSelect,
  'credentialHash' | 'replacesDeviceId' | 'replacedBy'
> & {
  kind: DeviceKind;
  /** No credential: the box cannot connect until it is enrolled again. */
  revoked: boolean;
};

/** The recordings device of a store: `upload-<storeId>`, or a hash when that would be too long. */
export function recordingsDeviceId(storeId: string): string {
  const plain = `upload-${storeId}`;
  if (plain.length <= 64) return plain;
  return `upload-${createHash('sha256').update(storeId).digest('hex').slice(0, 32)}`;
}

/**
 * The recordings device is never online and has no credential: it is told apart here, so no screen
 * counts it as a box down or revoked.
 */
function withKind(row: Omit<Device, 'kind'>): Device {
  const kind = row.id === recordingsDeviceId(row.storeId) ? 'recordings' : 'box';
  return { ...row, kind, revoked: kind === 'box' && row.revoked };
}
export interface NewDevice {
  id?: string;
  storeId: string;
  name: string;
  credentialHash?: string;
  /** The box's old identity, to take over when this one first reports online (re-enrollment.ts). */
  replacesDeviceId?: string;
}
export type DevicePatch = Partial<Pick<NewDevice, 'name' | 'storeId'>>;

export class DevicesRepository {
  constructor(private readonly db: Db) {}

  async create(input: NewDevice): Promise<Device> {
    const row = {
      id: idOrNew(input.id, 'dev', 'device'),
      storeId: input.storeId,
      name: requireName(input.name, 'a device'),
      credentialHash: input.credentialHash ?? null,
      replacesDeviceId: input.replacesDeviceId ?? null,
    };
    const [created] = await guard(() => this.db.insert(devices).values(row).returning(publicColumns));
    return withKind(created!);
  }

  async find(id: string): Promise<Device | undefined> {
    const [row] = await this.db.select(publicColumns).from(devices).where(eq(devices.id, id));
    return row && withKind(row);
  }

  async get(id: string): Promise<Device> {
    const row = await this.find(id);
    if (!row) throw new NotFoundError('device', id);
    return row;
  }

  async list(options: { storeId?: string } = {}): Promise<Device[]> {
    const query = this.db.select(publicColumns).from(devices);
    const filtered = options.storeId ? query.where(eq(devices.storeId, options.storeId)) : query;
    return (await filtered.orderBy(asc(devices.name), asc(devices.id))).map(withKind);
  }

  async update(id: string, patch: DevicePatch): Promise<Device> {
    const set = defined({
      name: patch.name === undefined ? undefined : requireName(patch.name, 'a device'),
      storeId: patch.storeId,
    });
    const [row] = await guard(() =>
      this.db
        .update(devices)
        .set({ ...set, updatedAt: new Date() })
        .where(eq(devices.id, id))
        .returning(publicColumns),
    );
    if (!row) throw new NotFoundError('device', id);
    return withKind(row);
  }

  /** The stored hash of the device's MQTT password; null when it has none (not enrolled). */
  async credentialHash(id: string): Promise<string | null> {
    // Ingest asks before every group: prepared, so it is planned once per connection.
    const [row] = await this.db
      .select({ hash: devices.credentialHash })
      .from(devices)
      .where(eq(devices.id, sql.placeholder('id')))
      .prepare('device_credential')
      .execute({ id });
    if (!row) throw new NotFoundError('device', id);
    return row.hash;
  }

  /** Sets (or with null, revokes) the device's credential. Pass a hash, never the password. */
  async setCredential(id: string, hash: string | null): Promise<void> {
    if (hash !== null && hash.length < 16) throw new ValidationError('a credential hash looks too short');
    const rows = await this.db
      .update(devices)
      .set({ credentialHash: hash, updatedAt: new Date() })
      .where(eq(devices.id, id))
      .returning({ id: devices.id });
    if (rows.length === 0) throw new NotFoundError('device', id);
  }

  /**
   * Revokes the credential if there still is one: of two transactions revoking the same one, the second
   * waits for the first's row lock and then finds nothing to do. True when this one revoked it.
   */
  async revokeIfHeld(id: string): Promise<boolean> {
    const rows = await this.db
      .update(devices)
      .set({ credentialHash: null, updatedAt: new Date() })
      .where(and(eq(devices.id, id), isNotNull(devices.credentialHash)))
      .returning({ id: devices.id });
    return rows.length > 0;
  }

  /** Boxes online with an old identity still to take over (statuses heard before anyone listened). */
  async onlineWithTakeover(): Promise<string[]> {
    const rows = await this.db
      .select({ id: devices.id })
      .from(devices)
      .where(and(eq(devices.online, true), isNotNull(devices.replacesDeviceId)));
    return rows.map((r) => r.id);
  }

  /** The old identity this box is to take over, cleared as it is read: of racing callers one gets it. */
  async takeReplaces(id: string): Promise<string | undefined> {
    // Most statuses come from boxes with nothing to take over: no row lock for them.
    if (!(await this.replaces(id))) return undefined;
    const [row] = await this.db
      .select({ old: devices.replacesDeviceId })
      .from(devices)
      .where(eq(devices.id, id))
      .for('update');
    if (!row?.old) return undefined;
    await this.db.update(devices).set({ replacesDeviceId: null }).where(eq(devices.id, id));
    return row.old;
  }

  /** The identity this box is still to take over, if any (read without a lock). */
  async replaces(id: string): Promise<string | undefined> {
    const [row] = await this.db
      .select({ old: devices.replacesDeviceId })
      .from(devices)
      .where(eq(devices.id, id));
    return row?.old ?? undefined;
  }

  /**
   * The identities this box is still to take over: the one it proved, and the one that one was itself
   * to take over when it never connected (at most 8). Empty for almost every box.
   */
  async replacesChain(id: string): Promise<string[]> {
    const chain: string[] = [];
    for (let next = await this.replaces(id); next && chain.length < 8 && !chain.includes(next); ) {
      chain.push(next);
      next = await this.replaces(next);
    }
    return chain;
  }

  /** Marks `oldId` as taken over by `newId`, unless another identity took it first. */
  async claimReplaced(oldId: string, newId: string): Promise<boolean> {
    const rows = await this.db
      .update(devices)
      .set({ replacedBy: newId, updatedAt: new Date() })
      .where(and(eq(devices.id, oldId), isNull(devices.replacedBy)))
      .returning({ id: devices.id });
    return rows.length > 0;
  }

  /**
   * Applies a status message. A message from an older connection than the one stored (a late last
   * will of a session that already reconnected) is ignored: returns false then.
   */
  async recordStatus(id: string, status: DeviceStatus, receivedAt: Date = new Date()): Promise<boolean> {
    requireDate(receivedAt, 'receivedAt');
    const online = status.state === 'online';
    const at = new Date(status.at);
    // A last will was written when the box connected: it says "offline", but its outbox depth and
    // config revision are as old as the connection. Only a report newer than the stored one moves them.
    // A later connection counts as newer too: a box whose clock once ran ahead is not stuck.
    const newer = <T>(column: SQLWrapper, value: T) =>
      sql`CASE WHEN ${devices.connection} < ${status.connection} OR ${devices.statusAt} IS NULL
        OR ${devices.statusAt} <= ${at.toISOString()}::timestamptz THEN ${value} ELSE ${column} END`;
    const rows = await this.db
      .update(devices)
      .set({
        online,
        connection: status.connection,
        softwareVersion: status.software,
        configRevision: newer(devices.configRevision, status.configRevision),
        outboxDepth: newer(devices.outboxDepth, status.outbox.depth),
        outboxOldestAgeMs: newer(devices.outboxOldestAgeMs, status.outbox.oldestAgeMs),
        statusAt: newer(devices.statusAt, sql`${at.toISOString()}::timestamptz`),
        lastSeenAt: sql`GREATEST(${devices.lastSeenAt}, ${receivedAt.toISOString()}::timestamptz)`,
        updatedAt: new Date(),
      })
      .where(and(eq(devices.id, id), lte(devices.connection, status.connection)))
      .returning({ id: devices.id });
    if (rows.length > 0) return true;
    await this.get(id); // NotFoundError when the device does not exist
    return false;
  }

  /** Notes that the device was heard from (any message); never moves `last_seen_at` back. */
  async touch(id: string, at: Date = new Date()): Promise<void> {
    requireDate(at, 'at');
    const rows = await this.db
      .update(devices)
      .set({ lastSeenAt: sql`GREATEST(${devices.lastSeenAt}, ${at.toISOString()}::timestamptz)` })
      .where(eq(devices.id, id))
      .returning({ id: devices.id });
    if (rows.length === 0) throw new NotFoundError('device', id);
  }

  /** Marks every device offline (the hub starts and has not heard from any yet). */
  async markAllOffline(): Promise<number> {
    const rows = await this.db
      .update(devices)
      .set({ online: false })
      .where(eq(devices.online, true))
      .returning({ id: devices.id });
    return rows.length;
  }

  /**
   * The revision to publish a config of content `hash` under: the one last published when the content
   * is unchanged (and not below what the device reports it runs), else the next one, never at or below
   * the device's own. Stores the hash with it. NotFoundError for an unknown device.
   */
  async takeConfigRevision(id: string, hash: string): Promise<number> {
    const [row] = await this.db
      .update(devices)
      .set({
        publishedConfigRevision: sql`CASE
          WHEN ${devices.publishedConfigHash} IS NOT DISTINCT FROM ${hash}
            AND ${devices.publishedConfigRevision} >= ${devices.configRevision}
          THEN ${devices.publishedConfigRevision}
          ELSE GREATEST(${devices.publishedConfigRevision}, ${devices.configRevision}) + 1 END`,
        publishedConfigHash: hash,
      })
      .where(eq(devices.id, id))
      .returning({ revision: devices.publishedConfigRevision });
    if (!row) throw new NotFoundError('device', id);
    return row.revision;
  }

  /** Deletes the device and its raw events; its cameras stay, unassigned. */
  async delete(id: string): Promise<void> {
    const rows = await this.db.delete(devices).where(eq(devices.id, id)).returning({ id: devices.id });
    if (rows.length === 0) throw new NotFoundError('device', id);
  }
}
