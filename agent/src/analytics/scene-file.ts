// Zone files: JSON in pixel coordinates of the camera picture, for `process`, `eval` and tests:
// {"zones": [{"name": "...", "polygon": [[x, y], ...]}],
//  "lines": [{"name": "...", "start": [x, y], "end": [x, y], "inSide": "left"}]}
// Ids are optional: a missing one is derived from the name ("Front door" -> "front-door").
import { readFile } from 'node:fs/promises';
import { check, Id, type LineDef, type Point, type ZoneDef } from '@oskartrack/protocol';
import { describe, type FrameSize, idFromName, type Scene, sceneProblems } from './scene.ts';

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPoint(v: unknown): v is Point {
  return Array.isArray(v) && v.length === 2 && v.every((c) => typeof c === 'number' && Number.isFinite(c));
}

function isPair(v: unknown): v is [number, number] {
  return Array.isArray(v) && v.length === 2 && v.every((c) => typeof c === 'number');
}

/** The point's coordinates are numbers but not finite (1e999 in JSON reads as Infinity): say so. */
function notFinite([x, y]: [number, number]): string {
  return `is [${x}, ${y}]: coordinates must be finite numbers of pixels`;
}

/** Why a polygon is not a list of usable points, naming the first bad point (1-based). */
function polygonShapeProblem(polygon: unknown): string | undefined {
  const list = '"polygon" must be a list of [x, y] points';
  if (!Array.isArray(polygon)) return list;
  const bad = polygon.findIndex((p) => !isPoint(p));
  if (bad < 0) return undefined;
  const p: unknown = polygon[bad];
  return isPair(p) ? `"polygon" point ${bad + 1} ${notFinite(p)}` : `${list} (point ${bad + 1} is not)`;
}

function pointProblem(value: unknown, key: 'start' | 'end'): string | undefined {
  if (isPoint(value)) return undefined;
  return isPair(value) ? `"${key}" ${notFinite(value)}` : `"${key}" must be an [x, y] point`;
}

/** Shape problems of one entry: unknown keys, a missing name, an optional id that is not usable. */
function entryProblems(raw: Raw, keys: readonly string[]): string[] {
  const problems: string[] = [];
  for (const k of Object.keys(raw)) {
    if (!keys.includes(k))
      problems.push(`unknown field "${k}" (expected ${keys.map((x) => `"${x}"`).join(', ')})`);
  }
  if (typeof raw.name !== 'string' || raw.name.trim().length === 0)
    problems.push('"name" must be a non-empty text');
  if (raw.id !== undefined) {
    const id = check(Id, raw.id);
    if (!id.ok) problems.push('"id" may only hold letters, digits and _ . : - (at most 64 characters)');
  }
  return problems;
}

/**
 * Builds a scene from a zone file's decoded JSON. `source` names the file in errors. Throws one error
 * listing every problem (shape, crossing edges, fewer than 3 points, zero-length lines, points outside
 * the picture when `frame` is given, duplicate ids).
 */
export function parseScene(value: unknown, source: string, frame?: FrameSize): Scene {
  const fail = (problems: string[]): never => {
    throw new Error(`zone file ${source}: ${problems.join('; ')}`);
  };
  if (!isObject(value)) fail(['expected an object with "zones" and "lines" lists']);
  const top = value as Raw;
  const problems: string[] = [];
  for (const k of Object.keys(top)) {
    if (k !== 'zones' && k !== 'lines') problems.push(`unknown field "${k}" (expected "zones" and "lines")`);
  }
  if (top.zones === undefined && top.lines === undefined)
    problems.push('it has neither "zones" nor "lines", so nothing would be counted: add an area or a line');
  const list = (key: 'zones' | 'lines'): unknown[] => {
    const v = top[key];
    if (v === undefined) return [];
    if (Array.isArray(v)) return v;
    problems.push(`"${key}" must be a list`);
    return [];
  };
  const zones: ZoneDef[] = [];
  const lines: LineDef[] = [];
  const rawZones = list('zones');
  const rawLines = list('lines');
  // Ids given in the file are taken first, so a derived id never collides with one of them.
  const zoneIds = explicitIds(rawZones);
  for (const [i, raw] of rawZones.entries()) {
    const what = `area ${label(raw, i)}`;
    if (!isObject(raw)) {
      problems.push(`${what}: expected an object with "name" and "polygon"`);
      continue;
    }
    const own = entryProblems(raw, ['id', 'name', 'polygon']);
    const polygon = raw.polygon;
    const shape = polygonShapeProblem(polygon);
    if (shape) own.push(shape);
    if (own.length > 0) {
      problems.push(...own.map((p) => `${what}: ${p}`));
      continue;
    }
    const name = raw.name as string;
    const id = typeof raw.id === 'string' ? raw.id : idFromName(name, `area-${i + 1}`, zoneIds);
    zoneIds.add(id);
    zones.push({ id, name, polygon: polygon as Point[] });
  }
  const lineIds = explicitIds(rawLines);
  for (const [i, raw] of rawLines.entries()) {
    const what = `line ${label(raw, i)}`;
    if (!isObject(raw)) {
      problems.push(`${what}: expected an object with "name", "start", "end", "inSide"`);
      continue;
    }
    const own = entryProblems(raw, ['id', 'name', 'start', 'end', 'inSide']);
    for (const key of ['start', 'end'] as const) {
      const bad = pointProblem(raw[key], key);
      if (bad) own.push(bad);
    }
    if (raw.inSide !== 'left' && raw.inSide !== 'right') own.push('"inSide" must be "left" or "right"');
    if (own.length > 0) {
      problems.push(...own.map((p) => `${what}: ${p}`));
      continue;
    }
    const name = raw.name as string;
    const id = typeof raw.id === 'string' ? raw.id : idFromName(name, `line-${i + 1}`, lineIds);
    lineIds.add(id);
    lines.push({
      id,
      name,
      start: raw.start as Point,
      end: raw.end as Point,
      inSide: raw.inSide as 'left' | 'right',
    });
  }
  if (problems.length > 0) fail(problems);
  const scene: Scene = { zones, lines };
  const more = [
    ...duplicateNames(zones, 'area'),
    ...duplicateNames(lines, 'line'),
    ...sceneProblems(scene, frame),
  ];
  if (more.length > 0) fail(more);
  return scene;
}

/**
 * Names used twice in a file (ignoring case): the two counts could not be told apart. (The hub refuses
 * them too; its cameras' scenes are not checked for this, so older ones keep counting.)
 */
function duplicateNames(items: readonly { name?: unknown }[], kind: string): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  items.forEach((item, i) => {
    if (typeof item.name !== 'string') return;
    const key = item.name.toLowerCase();
    if (seen.has(key))
      problems.push(`${kind} ${describe(item.name, i)}: another ${kind} has that name; give each its own`);
    seen.add(key);
  });
  return problems;
}

/** The parser's reason, with the line and column of the character it names (editors show those). */
function jsonProblem(err: unknown, text: string): string {
  const message = err instanceof Error ? err.message : String(err);
  const at = /at position (\d+)/.exec(message);
  if (!at) return message;
  const before = text.slice(0, Number(at[1])).split('\n');
  return `${message} (line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1})`;
}

/** Parses the text of a zone file; bad JSON gives an error naming the file and the parser's reason. */
export function parseSceneText(text: string, source: string, frame?: FrameSize): Scene {
  // Editors on Windows save UTF-8 with a byte order mark, which JSON.parse refuses.
  const json = text.replace(/^\uFEFF/, '');
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new Error(`zone file ${source} is not valid JSON: ${jsonProblem(err, json)}`);
  }
  return parseScene(value, source, frame);
}

const READ_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'that is a folder; give the zone file in it',
  EACCES: 'this user may not read it',
};

/** Reads and checks a zone file; `frame` (the camera's picture size) also rejects points outside it. */
export async function loadSceneFile(path: string, frame?: FrameSize): Promise<Scene> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? String(err.code) : '';
    const reason = READ_PROBLEMS[code] ?? String(err);
    throw new Error(`zone file ${path} could not be read: ${reason}`);
  }
  return parseSceneText(text, path, frame);
}

function explicitIds(entries: readonly unknown[]): Set<string> {
  const ids = new Set<string>();
  for (const e of entries) if (isObject(e) && typeof e.id === 'string') ids.add(e.id);
  return ids;
}

function label(raw: unknown, index: number): string {
  const name = typeof raw === 'object' && raw !== null && 'name' in raw ? raw.name : undefined;
  return typeof name === 'string' && name.length > 0 ? `"${name}" (#${index + 1})` : `#${index + 1}`;
}
