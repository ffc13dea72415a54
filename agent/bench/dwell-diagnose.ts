// Where does time spent in an area go wrong? Compares a system's tracks (a MOTChallenge file, e.g.
// `oskartrack-agent process --tracks-out`) with the PETS09 ground truth on the TUNING areas only:
// per area the time spent and entries, per ground-truth person the time and entries of the system
// tracks that follow them, the frames a foot point is inside an area on one side only, and how the
// system's boxes sit against the truth's (foot point, height).
//   node --import tsx agent/bench/dwell-diagnose.ts --tracks FILE [--scene FILE] [--fps 7]
// The held-out areas and lines are refused (held-out.ts).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrackingEvent } from '@oskartrack/protocol';
import { packPolygon, pointInPolygon } from '../src/analytics/geometry.ts';
import { loadSceneFile, type Scene, SceneAnalytics } from '../src/analytics/index.ts';
import { type MotRows, readMotFile } from '../src/eval/index.ts';
import type { Tracks } from '../src/types.ts';
import { assertTunable } from './held-out.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const sceneFile = arg('--scene') ?? join(root, 'agent/bench/pets09-scene.json');
assertTunable(sceneFile);
const tracksFile = arg('--tracks');
if (!tracksFile) throw new Error('give the system tracks with --tracks FILE (MOTChallenge rows)');
const fps = Number(arg('--fps') ?? 7);
const gtFile = arg('--gt') ?? join(root, '..', 'shared', 'data', 'pets09-s2l1', 'gt.txt');

interface Box {
  id: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

function byFrame(rows: MotRows, keepZeroConf: boolean): Map<number, Box[]> {
  const m = new Map<number, Box[]>();
  for (let i = 0; i < rows.count; i++) {
    if (!keepZeroConf && rows.conf[i] === 0) continue;
    const list = m.get(rows.frame[i]!) ?? [];
    list.push({
      id: rows.id[i]!,
      x1: rows.left[i]!,
      y1: rows.top[i]!,
      x2: rows.left[i]! + rows.width[i]!,
      y2: rows.top[i]! + rows.height[i]!,
    });
    m.set(rows.frame[i]!, list);
  }
  return m;
}

function iou(a: Box, b: Box): number {
  const iw = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const ih = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  return inter / ((a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter);
}

/** Greedy one-to-one pairs of IoU >= 0.5 (system index -> truth index). */
function pairs(sys: Box[], gt: Box[]): [Box, Box][] {
  const all: [number, number, number][] = [];
  sys.forEach((s, i) => {
    gt.forEach((g, j) => {
      const v = iou(s, g);
      if (v >= 0.5) all.push([v, i, j]);
    });
  });
  all.sort((a, b) => b[0] - a[0]);
  const us = new Set<number>();
  const ug = new Set<number>();
  const out: [Box, Box][] = [];
  for (const [, i, j] of all) {
    if (us.has(i) || ug.has(j)) continue;
    us.add(i);
    ug.add(j);
    out.push([sys[i]!, gt[j]!]);
  }
  return out;
}

/** Runs the scene analytics over the rows (tracks end after their last row) and returns the events. */
function events(frames: Map<number, Box[]>, scene: Scene): TrackingEvent[] {
  const analytics = new SceneAnalytics('diag', scene, { fps });
  const last = new Map<number, number>();
  let maxFrame = 0;
  for (const [f, list] of frames) {
    maxFrame = Math.max(maxFrame, f);
    for (const b of list) last.set(b.id, Math.max(last.get(b.id) ?? 0, f));
  }
  const out: TrackingEvent[] = [];
  for (let f = 1; f <= maxFrame + 1; f++) {
    const list = frames.get(f) ?? [];
    const t: Tracks = {
      frameIndex: f - 1,
      at: ((f - 1) * 1000) / fps,
      count: list.length,
      ids: Uint32Array.from(list.map((b) => b.id)),
      boxes: Float32Array.from(list.flatMap((b) => [b.x1, b.y1, b.x2, b.y2])),
      scores: new Float32Array(list.length).fill(1),
    };
    const ended = [...last].filter(([, l]) => l === f - 1).map(([id]) => id);
    out.push(...analytics.update(t, ended));
  }
  out.push(...analytics.finish());
  return out;
}

interface Stay {
  track: number;
  zone: string;
  from: number;
  to: number;
}
function stays(ev: TrackingEvent[]): Stay[] {
  const open = new Map<string, number>();
  const out: Stay[] = [];
  for (const e of ev) {
    if (e.kind === 'zone_entered') open.set(`${e.trackId}/${e.zoneId}`, e.at);
    if (e.kind === 'zone_left') {
      const k = `${e.trackId}/${e.zoneId}`;
      out.push({ track: e.trackId, zone: e.zoneId, from: open.get(k)!, to: e.at });
      open.delete(k);
    }
  }
  return out;
}

/** 0-based frame index of a time in ms. */
const frameAt = (ms: number) => Math.round((ms * fps) / 1000);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : Number.NaN;
};
const f1 = (n: number) => n.toFixed(1);

const scene = await loadSceneFile(sceneFile, { width: 768, height: 576 });
const gtRows = await readMotFile(gtFile);
const sysRows = await readMotFile(tracksFile);
// The counting compares with all ground-truth rows (as `eval` does); the box pairs use the scored ones.
const gtAll = byFrame(gtRows, true);
const gtScored = byFrame(gtRows, false);
const sys = byFrame(sysRows, true);

// Which ground-truth person each system track follows (most frames paired).
const votes = new Map<number, Map<number, number>>();
const footDy: number[] = [];
const heightRatio: number[] = [];
const footDyRel: number[] = [];
for (const [f, list] of sys) {
  for (const [s, g] of pairs(list, gtScored.get(f) ?? [])) {
    const v = votes.get(s.id) ?? new Map<number, number>();
    v.set(g.id, (v.get(g.id) ?? 0) + 1);
    votes.set(s.id, v);
    footDy.push(s.y2 - g.y2);
    footDyRel.push((s.y2 - g.y2) / (g.y2 - g.y1));
    heightRatio.push((s.y2 - s.y1) / (g.y2 - g.y1));
  }
}
const owner = new Map<number, number>();
for (const [id, v] of votes) owner.set(id, [...v].sort((a, b) => b[1] - a[1])[0]![0]);
console.log(
  `paired boxes: ${footDy.length}; system foot point minus truth's: median ${f1(median(footDy))} px (${f1(100 * median(footDyRel))} % of the person's height); height system / truth median ${median(heightRatio).toFixed(3)}`,
);

const sysStays = stays(events(sys, scene));
const gtStays = stays(events(gtAll, scene));
for (const z of scene.zones) {
  const mine = sysStays.filter((s) => s.zone === z.id);
  const truth = gtStays.filter((s) => s.zone === z.id);
  const total = (xs: Stay[]) => xs.reduce((a, s) => a + s.to - s.from, 0) / 1000;
  console.log(
    `\n${z.name}: system ${f1(total(mine))} s in ${mine.length} stays, truth ${f1(total(truth))} s in ${truth.length} stays`,
  );
  const people = new Set([...truth.map((s) => s.track), ...mine.map((s) => owner.get(s.track) ?? -s.track)]);
  for (const p of [...people].sort((a, b) => a - b)) {
    const t = truth.filter((s) => s.track === p);
    const m = mine.filter((s) => (owner.get(s.track) ?? -s.track) === p);
    const fmt = (xs: Stay[]) =>
      xs.map((s) => `#${s.track} ${f1(s.from / 1000)}-${f1(s.to / 1000)}`).join(', ');
    const d = total(m) - total(t);
    console.log(
      `  ${p > 0 ? `person ${p}` : `unpaired track ${-p}`}: truth ${f1(total(t))} s [${fmt(t)}] system ${f1(total(m))} s [${fmt(m)}] ${d >= 0 ? '+' : ''}${f1(d)} s`,
    );
  }
  // Each frame of the system's stays: paired with a person the truth has inside this area, paired with
  // one it has outside, a box nobody is under, or no box at all (track lost meanwhile).
  const gtIn = new Set<string>();
  for (const s of truth) for (let f = frameAt(s.from); f < frameAt(s.to); f++) gtIn.add(`${s.track}/${f}`);
  const split = { agreed: 0, truthOutside: 0, unpaired: 0, noBox: 0 };
  const unpairedBy = new Map<number, number>();
  for (const s of mine) {
    for (let f = frameAt(s.from); f < frameAt(s.to); f++) {
      const list = sys.get(f + 1) ?? [];
      const box = list.find((b) => b.id === s.track);
      if (!box) {
        split.noBox++;
        continue;
      }
      const pair = pairs(list, gtScored.get(f + 1) ?? []).find(([a]) => a.id === s.track);
      if (!pair) {
        split.unpaired++;
        unpairedBy.set(s.track, (unpairedBy.get(s.track) ?? 0) + 1);
      } else if (gtIn.has(`${pair[1].id}/${f}`)) split.agreed++;
      else split.truthOutside++;
    }
  }
  const s1 = (n: number) => f1(n / fps);
  console.log(
    `  system stay time: ${s1(split.agreed)} s on a person the truth has inside, ${s1(split.truthOutside)} s on one it has outside, ${s1(split.unpaired)} s on a box paired with nobody (${[...unpairedBy].map(([id, n]) => `#${id} ${s1(n)} s`).join(', ')}), ${s1(split.noBox)} s while the track had no box`,
  );
  // Frames whose foot point is inside on one side only, among paired boxes.
  const poly = packPolygon(z.polygon);
  let onlySys = 0;
  let onlyGt = 0;
  let both = 0;
  for (const [f, list] of sys) {
    for (const [s, g] of pairs(list, gtScored.get(f) ?? [])) {
      const a = pointInPolygon(poly, (s.x1 + s.x2) / 2, s.y2);
      const b = pointInPolygon(poly, (g.x1 + g.x2) / 2, g.y2);
      if (a && b) both++;
      else if (a) onlySys++;
      else if (b) onlyGt++;
    }
  }
  console.log(
    `  paired frames with the foot inside: both ${both}, system only ${onlySys}, truth only ${onlyGt}`,
  );
}
