// Why counts go wrong, event by event, on the TUNING areas and lines only: the whole engine (tracker,
// re-linking, box motion) on the made scenes with detections cached from one every-frame pass per scene
// and detector, so a tracker change is tried in a minute. Each entry, exit and crossing of the truth is
// matched to one of the system's (same area or line, same kind, within 2 s); what is left over is
// explained from which system track followed the person around that time:
//   id swap    the person's track took over another person's id (or the other way round)
//   new id     the person's track was lost and a new id went on
//   no box     no system box on the person (IoU 0.5) near that time
//   same id    one track followed the person throughout: the rules saw the boxes otherwise
//   no person  (extra events) the system's box was on nobody
//   node --import tsx agent/bench/count-diagnose.ts [--scenes pets09,closer-2x] [--detectors yolox,hog]
//     [--every-nth 3] [--no-box-motion] [--tracker '{"matchThresh":0.9}'] [--list]
// --list prints every missed and extra event with its cause. Held-out scene files are refused.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrackingEvent } from '@oskartrack/protocol';
import { loadSceneFile, type Scene, SceneAnalytics } from '../src/analytics/index.ts';
import { loadOpenCV } from '../src/cv.ts';
import { Engine } from '../src/engine/engine.ts';
import { runSource } from '../src/engine/run.ts';
import { evaluate, formatMotRows, type MotRows, MotRowsBuilder, readMotFile } from '../src/eval/index.ts';
import { visitIds } from '../src/eval/scene-counts.ts';
import {
  PETS09_VARIANTS,
  type SceneVariant,
  transformRows,
  transformScene,
  transformVideo,
} from '../src/eval/scene-variants.ts';
import { openSource } from '../src/source/index.ts';
import type { TrackerOptions } from '../src/track/index.ts';
import type { Tracks } from '../src/types.ts';
import { cachedDetector, detectEveryFrame } from './cached-detections.ts';
import { assertTunable, TUNING_SCENE_FILES } from './held-out.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const data = join(root, '..', 'shared', 'data', 'pets09-s2l1');
const SOURCE = { width: 768, height: 576 };
const SOURCE_FPS = 7;
/** Events of the truth and the system this far apart (s) may be the same event. */
const MATCH_SECONDS = 2;
/** How far around an event (s) the tracks on the person are looked at. */
const LOOK_SECONDS = 2;

const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const variants = (arg('--scenes') ?? PETS09_VARIANTS.map((v) => v.name).join(',')).split(',').map((n) => {
  const v = PETS09_VARIANTS.find((x) => x.name === n);
  if (!v) throw new Error(`unknown scene ${n}`);
  return v;
});
const detectors = (arg('--detectors') ?? 'yolox,hog').split(',') as ('hog' | 'yolox')[];
const everyNth = Number(arg('--every-nth') ?? 1);
const boxMotion = !args.includes('--no-box-motion');
const trackerOverride = JSON.parse(arg('--tracker') ?? '{}') as Partial<TrackerOptions>;
for (const f of TUNING_SCENE_FILES) assertTunable(f);

/** The scene's video, ground truth and tuning areas, made once into /tmp (as scene-probe.ts does). */
async function prepare(v: SceneVariant) {
  const dir = join('/tmp/oskartrack-probe', `${v.name}-all`);
  mkdirSync(dir, { recursive: true });
  const scenes = await Promise.all(
    TUNING_SCENE_FILES.map(async (f) =>
      transformScene(await loadSceneFile(join(root, f), SOURCE), v, SOURCE),
    ),
  );
  const scene: Scene = { zones: scenes.flatMap((s) => s.zones), lines: scenes.flatMap((s) => s.lines) };
  const gtFile = join(dir, 'gt.txt');
  if (!existsSync(gtFile))
    writeFileSync(gtFile, formatMotRows(transformRows(await readMotFile(join(data, 'gt.txt')), v, SOURCE)));
  const identity = !v.crop && v.scale === 1 && v.frameStep === 1;
  const video = identity ? join(data, 'vtest.avi') : join(dir, 'video.avi');
  if (!identity && !existsSync(video)) await transformVideo(join(data, 'vtest.avi'), video, v, SOURCE_FPS);
  return { dir, scene, gt: await readMotFile(gtFile), video, fps: SOURCE_FPS / v.frameStep };
}

/** A counted thing: which area or line, what (entered, left, in, out), when, by which id. */
interface Counted {
  item: string;
  what: string;
  at: number;
  id: number;
}

function countedOf(e: TrackingEvent): Counted | undefined {
  if (e.kind === 'zone_entered') return { item: e.zoneId, what: 'entry', at: e.at, id: e.trackId };
  if (e.kind === 'zone_left') return { item: e.zoneId, what: 'exit', at: e.at, id: e.trackId };
  if (e.kind === 'line_crossed') return { item: e.lineId, what: e.direction, at: e.at, id: e.trackId };
  return undefined;
}

/** The truth's events, counted from its rows as `countsFromRows` does (each visit its own id). */
function truthEvents(rows: MotRows, scene: Scene, fps: number): Counted[] {
  const analytics = new SceneAnalytics('truth', scene, { fps });
  const ids = visitIds(rows);
  const byFrame = framesOf(rows);
  const last = new Map<number, number>();
  for (let i = 0; i < rows.count; i++) last.set(ids[i]!, Math.max(last.get(ids[i]!) ?? 0, rows.frame[i]!));
  const endsAt = new Map<number, number[]>();
  for (const [id, f] of last) endsAt.set(f + 1, [...(endsAt.get(f + 1) ?? []), id]);
  const out: Counted[] = [];
  const maxFrame = Math.max(0, ...byFrame.keys());
  for (let f = 1; f <= maxFrame + 1; f++) {
    const list = byFrame.get(f) ?? [];
    const tracks: Tracks = {
      frameIndex: f - 1,
      at: ((f - 1) * 1000) / fps,
      count: list.length,
      ids: Uint32Array.from(list.map((i) => ids[i]!)),
      boxes: Float32Array.from(list.flatMap((i) => boxOf(rows, i))),
      scores: Float32Array.from(list.map(() => 1)),
    };
    for (const e of analytics.update(tracks, endsAt.get(f) ?? [])) push(out, e);
  }
  for (const e of analytics.finish()) push(out, e);
  // Visit ids back to the person's id, to find them in the rows.
  const person = new Map<number, number>();
  for (let i = 0; i < rows.count; i++) person.set(ids[i]!, rows.id[i]!);
  return out.map((c) => ({ ...c, id: person.get(c.id) ?? c.id }));
}

function push(out: Counted[], e: TrackingEvent): void {
  const c = countedOf(e);
  if (c) out.push(c);
}

function framesOf(rows: MotRows): Map<number, number[]> {
  const m = new Map<number, number[]>();
  for (let i = 0; i < rows.count; i++) {
    const list = m.get(rows.frame[i]!) ?? [];
    list.push(i);
    m.set(rows.frame[i]!, list);
  }
  return m;
}

function boxOf(rows: MotRows, i: number): [number, number, number, number] {
  return [rows.left[i]!, rows.top[i]!, rows.left[i]! + rows.width[i]!, rows.top[i]! + rows.height[i]!];
}

function iou(a: number[], b: number[]): number {
  const w = Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!);
  const h = Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!);
  if (w <= 0 || h <= 0) return 0;
  const i = w * h;
  return i / ((a[2]! - a[0]!) * (a[3]! - a[1]!) + (b[2]! - b[0]!) * (b[3]! - b[1]!) - i);
}

/** Per frame, truth person -> system id and back, greedy by IoU (>= 0.5). */
function pairUp(gt: MotRows, sys: MotRows) {
  const g = framesOf(gt);
  const s = framesOf(sys);
  const sysOf = new Map<number, Map<number, number>>();
  const gtOf = new Map<number, Map<number, number>>();
  for (const [f, gl] of g) {
    const sl = s.get(f) ?? [];
    const pairs: [number, number, number][] = [];
    for (const gi of gl) {
      for (const si of sl) {
        const v = iou(boxOf(gt, gi), boxOf(sys, si));
        if (v >= 0.5) pairs.push([v, gi, si]);
      }
    }
    pairs.sort((a, b) => b[0] - a[0]);
    const a = new Map<number, number>();
    const b = new Map<number, number>();
    for (const [, gi, si] of pairs) {
      const p = gt.id[gi]!;
      const t = sys.id[si]!;
      if (a.has(p) || b.has(t)) continue;
      a.set(p, t);
      b.set(t, p);
    }
    sysOf.set(f, a);
    gtOf.set(f, b);
  }
  return { sysOf, gtOf };
}

/** Keys mapped from `key` in frames [from, to], in frame order (repeats dropped). */
function mappedIds(map: Map<number, Map<number, number>>, key: number, from: number, to: number): number[] {
  const out: number[] = [];
  for (let f = from; f <= to; f++) {
    const v = map.get(f)?.get(key);
    if (v !== undefined && out.at(-1) !== v) out.push(v);
  }
  return out;
}

/** Share of the frames [from, to] in which `key` is mapped. */
function seenShare(map: Map<number, Map<number, number>>, key: number, from: number, to: number): number {
  let n = 0;
  for (let f = from; f <= to; f++) if (map.get(f)?.has(key)) n++;
  return n / (to - from + 1);
}

/** Why the truth's event `c` of person `c.id` at frame `f` was not counted. */
function missedCause(c: Counted, f: number, w: number, pair: ReturnType<typeof pairUp>): string {
  const ids = mappedIds(pair.sysOf, c.id, f - w, f + w);
  if (ids.length === 0) return 'no box';
  if (ids.length === 1) return seenShare(pair.sysOf, c.id, f - w, f + w) < 0.7 ? 'gaps' : 'same id';
  // Another person's id taken over, or this person's id taken by another.
  for (const t of ids) {
    const people = mappedIds(pair.gtOf, t, f - 2 * w, f + 2 * w);
    if (people.some((p) => p !== c.id)) return 'id swap';
  }
  return 'new id';
}

/** Why the system's event `c` of track `c.id` at frame `f` has no truth event. */
function extraCause(c: Counted, f: number, w: number, pair: ReturnType<typeof pairUp>): string {
  const people = mappedIds(pair.gtOf, c.id, f - w, f + w);
  if (people.length === 0) return 'no person';
  if (people.length > 1) return 'id swap';
  const ids = mappedIds(pair.sysOf, people[0]!, f - 2 * w, f + w);
  if (ids.length > 1) return ids.indexOf(c.id) > 0 ? 'new id' : 'id swap';
  return 'same id';
}

const kindOf = (c: Counted) => (c.what === 'in' || c.what === 'out' ? 'line' : 'area');

/** Truth and system events paired greedily (same item and kind, nearest in time within the limit). */
function matchEvents(truth: Counted[], sys: Counted[]) {
  const usedSys = new Set<number>();
  const missed: Counted[] = [];
  for (const t of truth) {
    let best = -1;
    let bestDt = MATCH_SECONDS * 1000;
    sys.forEach((s, k) => {
      if (usedSys.has(k) || s.item !== t.item || s.what !== t.what) return;
      const dt = Math.abs(s.at - t.at);
      if (dt <= bestDt) {
        bestDt = dt;
        best = k;
      }
    });
    if (best >= 0) usedSys.add(best);
    else missed.push(t);
  }
  return { missed, extra: sys.filter((_, k) => !usedSys.has(k)) };
}

interface Tally {
  err: number;
  truth: number;
  missed: Map<string, number>;
  extra: Map<string, number>;
}

const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

async function runOne(v: SceneVariant, kind: 'hog' | 'yolox', tally: Tally): Promise<string> {
  const p = await prepare(v);
  const frames = await detectEveryFrame(p.video, p.fps, kind, join(p.dir, `dets-${kind}.json`), 1);
  await loadOpenCV();
  const source = await openSource(p.video, { fps: p.fps, startTime: 0 });
  const engine = new Engine({
    cameraId: 'diagnose',
    detector: cachedDetector(kind, frames, p.fps),
    scene: p.scene,
    fps: p.fps,
    everyNth,
    boxMotion,
    tracker: trackerOverride,
  });
  const rows = new MotRowsBuilder();
  const events: Counted[] = [];
  await runSource(source, engine, {
    onStep: (_f, r) => {
      rows.pushTracks(r.tracks);
      for (const e of r.events) push(events, e);
    },
    onFinish: (last) => {
      for (const e of last) push(events, e);
    },
  });
  await source.close();
  const sys = rows.rows();
  // For a closer look at single events (frame, id, box as MOTChallenge rows).
  writeFileSync(join(p.dir, `tracks-${kind}-n${everyNth}.txt`), formatMotRows(sys));
  const m = evaluate(p.gt, sys, { hota: false });
  const truth = truthEvents(p.gt, p.scene, p.fps);
  // Count error as scene-probe.ts: per area / line and kind, |system - truth| over the truth.
  const key = (c: Counted) => `${c.item}/${c.what}`;
  const per = new Map<string, number>();
  for (const c of events) per.set(key(c), (per.get(key(c)) ?? 0) + 1);
  for (const c of truth) per.set(key(c), (per.get(key(c)) ?? 0) - 1);
  let err = 0;
  for (const d of per.values()) err += Math.abs(d);
  tally.err += err;
  tally.truth += truth.length;
  const { missed, extra } = matchEvents(truth, events);
  const pair = pairUp(p.gt, sys);
  const w = Math.round(LOOK_SECONDS * p.fps);
  const frameOf = (c: Counted) => Math.round((c.at * p.fps) / 1000) + 1;
  const lines: string[] = [];
  for (const c of missed) {
    const cause = missedCause(c, frameOf(c), w, pair);
    add(tally.missed, `${kindOf(c)} ${cause}`);
    lines.push(`    missed ${c.item} ${c.what} frame ${frameOf(c)} person ${c.id}: ${cause}`);
  }
  for (const c of extra) {
    const cause = extraCause(c, frameOf(c), w, pair);
    add(tally.extra, `${kindOf(c)} ${cause}`);
    lines.push(`    extra ${c.item} ${c.what} frame ${frameOf(c)} track ${c.id}: ${cause}`);
  }
  const f = (n: number) => n.toFixed(1);
  const head =
    `${v.name} ${kind}: MOTA ${f(m.mota)} IDF1 ${f(m.idf1)} idsw ${m.id_switches} | count error ` +
    `${f((100 * err) / Math.max(1, truth.length))} % (${err} of ${truth.length}) | missed ${missed.length} extra ${extra.length}`;
  return args.includes('--list') ? [head, ...lines].join('\n') : head;
}

const tally: Tally = { err: 0, truth: 0, missed: new Map(), extra: new Map() };
let motaSum = 0;
let idf1Sum = 0;
let runs = 0;
for (const v of variants) {
  for (const kind of detectors) {
    const line = await runOne(v, kind, tally);
    console.log(line);
    const m = /MOTA ([\d.-]+) IDF1 ([\d.-]+)/.exec(line);
    motaSum += Number(m?.[1]);
    idf1Sum += Number(m?.[2]);
    runs++;
  }
}
const list = (m: Map<string, number>) =>
  [...m]
    .sort()
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
console.log(
  `ALL (every-nth ${everyNth}${boxMotion ? '' : ', no box motion'}): count error ${((100 * tally.err) / Math.max(1, tally.truth)).toFixed(1)} % (${tally.err} of ${tally.truth}), mean MOTA ${(motaSum / runs).toFixed(1)} IDF1 ${(idf1Sum / runs).toFixed(1)}`,
);
console.log(`  missed by cause: ${list(tally.missed)}`);
console.log(`  extra by cause: ${list(tally.extra)}`);
