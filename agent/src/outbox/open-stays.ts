// Tracks and area stays that are open, kept beside the outbox in the same transactions: a box that
// stops without closing them (a power cut, a crash) closes them when it starts again, at the last
// moment it counted, so the hub does not show people inside (in the store, in an area) for ever.
// A stop in order closes them itself (the engine ends every track). Each open track's time per area
// so far is kept too, so that its visit is closed with it (the hub counts visits and time spent from
// `visit_closed`); the visit's path is not kept, so such a visit has none.

import type { TrackingEvent, ZoneTime } from '@oskartrack/protocol';
import type Database from 'better-sqlite3';

interface OpenRow {
  camera_id: string;
  track_id: number;
  zone_id: string;
  since: number;
  last_at: number;
}

interface VisitZoneRow {
  zone_id: string;
  dwell_ms: number;
  entries: number;
}

export class OpenStays {
  private readonly stmt;

  constructor(db: Database.Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS open_stays (
        camera_id TEXT NOT NULL,
        track_id INTEGER NOT NULL,
        zone_id TEXT NOT NULL, -- '' for the track itself
        since INTEGER NOT NULL,
        PRIMARY KEY (camera_id, track_id, zone_id)
      ) STRICT;
      CREATE TABLE IF NOT EXISTS camera_last_at (camera_id TEXT PRIMARY KEY, at INTEGER NOT NULL) STRICT;
      CREATE TABLE IF NOT EXISTS visit_zones (
        camera_id TEXT NOT NULL,
        track_id INTEGER NOT NULL,
        zone_id TEXT NOT NULL,
        dwell_ms INTEGER NOT NULL DEFAULT 0, -- stays closed so far
        entries INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (camera_id, track_id, zone_id)
      ) STRICT;
    `);
    this.stmt = {
      open: db.prepare<[string, number, string, number]>(
        'INSERT OR REPLACE INTO open_stays (camera_id, track_id, zone_id, since) VALUES (?, ?, ?, ?)',
      ),
      closeZone: db.prepare<[string, number, string]>(
        'DELETE FROM open_stays WHERE camera_id = ? AND track_id = ? AND zone_id = ?',
      ),
      closeTrack: db.prepare<[string, number]>('DELETE FROM open_stays WHERE camera_id = ? AND track_id = ?'),
      lastAt: db.prepare<[string, number]>(
        `INSERT INTO camera_last_at (camera_id, at) VALUES (?, ?)
         ON CONFLICT (camera_id) DO UPDATE SET at = max(at, excluded.at)`,
      ),
      entered: db.prepare<[string, number, string]>(
        `INSERT INTO visit_zones (camera_id, track_id, zone_id, entries) VALUES (?, ?, ?, 1)
         ON CONFLICT DO UPDATE SET entries = entries + 1`,
      ),
      stayed: db.prepare<[number, string, number, string]>(
        'UPDATE visit_zones SET dwell_ms = dwell_ms + ? WHERE camera_id = ? AND track_id = ? AND zone_id = ?',
      ),
      visitDone: db.prepare<[string, number]>('DELETE FROM visit_zones WHERE camera_id = ? AND track_id = ?'),
      visitZones: db.prepare<[string, number], VisitZoneRow>(
        'SELECT zone_id, dwell_ms, entries FROM visit_zones WHERE camera_id = ? AND track_id = ? ORDER BY zone_id',
      ),
      left: db.prepare<[], OpenRow>(
        `SELECT s.camera_id, s.track_id, s.zone_id, s.since, max(s.since, coalesce(c.at, s.since)) AS last_at
         FROM open_stays s LEFT JOIN camera_last_at c USING (camera_id)
         ORDER BY s.camera_id, s.track_id, s.zone_id DESC`,
      ),
    };
  }

  /** Notes what the events open or close; call inside the transaction that stores them. */
  note(events: readonly TrackingEvent[]): void {
    const lastAt = new Map<string, number>();
    for (const e of events) {
      lastAt.set(e.cameraId, Math.max(e.at, lastAt.get(e.cameraId) ?? 0));
      if (e.kind === 'track_started') this.stmt.open.run(e.cameraId, e.trackId, '', e.at);
      else if (e.kind === 'zone_entered') {
        this.stmt.open.run(e.cameraId, e.trackId, e.zoneId, e.at);
        this.stmt.entered.run(e.cameraId, e.trackId, e.zoneId);
      } else if (e.kind === 'zone_left') {
        this.stmt.closeZone.run(e.cameraId, e.trackId, e.zoneId);
        this.stmt.stayed.run(e.dwellMs, e.cameraId, e.trackId, e.zoneId);
      } else if (e.kind === 'visit_closed') this.stmt.visitDone.run(e.cameraId, e.trackId);
      else if (e.kind === 'track_ended') {
        this.stmt.closeTrack.run(e.cameraId, e.trackId);
        this.stmt.visitDone.run(e.cameraId, e.trackId);
      }
    }
    for (const [cameraId, at] of lastAt) this.stmt.lastAt.run(cameraId, at);
  }

  /**
   * The events that close what was left open, at each camera's last counted moment, in the engine's
   * order: a track's areas, its visit, the track.
   */
  closing(): TrackingEvent[] {
    const out: TrackingEvent[] = [];
    const stillIn = new Map<string, number>(); // zone id -> time of the open stay, for the track at hand
    let track = '';
    for (const r of this.stmt.left.all()) {
      if (`${r.camera_id}/${r.track_id}` !== track) stillIn.clear();
      track = `${r.camera_id}/${r.track_id}`;
      const base = { cameraId: r.camera_id, at: r.last_at, trackId: r.track_id };
      const held = r.last_at - r.since;
      if (r.zone_id !== '') {
        out.push({ kind: 'zone_left', ...base, zoneId: r.zone_id, dwellMs: held });
        stillIn.set(r.zone_id, held);
        continue;
      }
      const zones = this.#zonesOf(r.camera_id, r.track_id, stillIn);
      out.push({ kind: 'visit_closed', ...base, startedAt: r.since, durationMs: held, path: [], zones });
      out.push({ kind: 'track_ended', ...base, firstSeen: r.since, durationMs: held });
    }
    return out;
  }

  #zonesOf(cameraId: string, trackId: number, stillIn: ReadonlyMap<string, number>): ZoneTime[] {
    return this.stmt.visitZones.all(cameraId, trackId).map((z) => ({
      zoneId: z.zone_id,
      dwellMs: z.dwell_ms + (stillIn.get(z.zone_id) ?? 0),
      entries: z.entries,
    }));
  }
}
