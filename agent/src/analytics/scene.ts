// A camera's scene: the areas (zones) and counting lines drawn on its picture, and their checks.
import {
  check,
  LineDef,
  type LineDef as LineDefT,
  lineProblems,
  MAX_ZONES,
  polygonProblems,
  ZoneDef,
  type ZoneDef as ZoneDefT,
} from '@oskartrack/protocol';

export interface Scene {
  zones: readonly ZoneDefT[];
  lines: readonly LineDefT[];
}

export interface FrameSize {
  width: number;
  height: number;
}

export const EMPTY_SCENE: Scene = Object.freeze({ zones: [], lines: [] });

/**
 * Everything wrong with a scene, in plain words, each naming the area or line it is about: schema
 * errors, polygons without surface or with crossing edges, lines without length, duplicate ids, and
 * points outside the picture when its size is given. Empty when the scene is usable.
 */
export function sceneProblems(scene: Scene, frame?: FrameSize): string[] {
  const problems: string[] = [];
  if (scene.zones.length > MAX_ZONES)
    problems.push(`${scene.zones.length} areas: at most ${MAX_ZONES} are allowed`);
  if (scene.lines.length > MAX_ZONES)
    problems.push(`${scene.lines.length} lines: at most ${MAX_ZONES} are allowed`);
  const zoneIds = new Set<string>();
  scene.zones.forEach((zone, i) => {
    const what = `area ${describe(zone.name, i)}`;
    // Geometry first: "needs at least 3 points" says more than the schema's "array too short".
    const geometry = Array.isArray(zone.polygon) ? polygonProblems(zone.polygon, frame) : [];
    for (const p of geometry) problems.push(`${what}: ${p}`);
    const shaped = check(ZoneDef, zone);
    if (!shaped.ok && geometry.length === 0) problems.push(`${what}: ${shaped.error}`);
    if (!shaped.ok) return;
    if (zoneIds.has(zone.id)) problems.push(`${what}: the id "${zone.id}" is used by another area`);
    zoneIds.add(zone.id);
  });
  const lineIds = new Set<string>();
  scene.lines.forEach((line, i) => {
    const what = `line ${describe(line.name, i)}`;
    const shaped = check(LineDef, line);
    if (!shaped.ok) {
      problems.push(`${what}: ${shaped.error}`);
      return;
    }
    for (const p of lineProblems(line.start, line.end, frame)) problems.push(`${what}: ${p}`);
    if (lineIds.has(line.id)) problems.push(`${what}: the id "${line.id}" is used by another line`);
    lineIds.add(line.id);
  });
  if (frame) problems.push(...drawnForAnotherPicture(scene, frame));
  return problems;
}

/** Points beyond the picture on the far sides: the file was most likely drawn on a larger picture. */
function drawnForAnotherPicture(scene: Scene, frame: FrameSize): string[] {
  const points = [
    ...scene.zones.flatMap((z) => (Array.isArray(z.polygon) ? z.polygon : [])),
    ...scene.lines.flatMap((l) => [l.start, l.end]),
  ].filter((p): p is [number, number] => Array.isArray(p) && Number.isFinite(p[0]) && Number.isFinite(p[1]));
  const maxX = Math.max(0, ...points.map((p) => p[0]));
  const maxY = Math.max(0, ...points.map((p) => p[1]));
  if (maxX <= frame.width && maxY <= frame.height) return [];
  return [
    `the areas and lines reach (${maxX}, ${maxY}), beyond this ${frame.width}x${frame.height} video: they look drawn on a larger picture; draw them again on a picture of this camera`,
  ];
}

/** Throws one error listing every problem of the scene; `source` says where it came from. */
export function assertScene(scene: Scene, source = 'scene', frame?: FrameSize): void {
  const problems = sceneProblems(scene, frame);
  if (problems.length > 0) throw new Error(`${source}: ${problems.join('; ')}`);
}

export function describe(name: unknown, index: number): string {
  return typeof name === 'string' && name.length > 0 ? `"${name}" (#${index + 1})` : `#${index + 1}`;
}

/**
 * A safe id (protocol `Id`: letters, digits, `_ . : -`, at most 64 characters) derived from a display
 * name: "Front door (left)" -> "front-door-left". `taken` ids get a numeric suffix; never empty.
 */
export function idFromName(name: string, fallback: string, taken: ReadonlySet<string> = new Set()): string {
  const base =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9_.:]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 56)
      .replace(/-+$/, '') || fallback;
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}
