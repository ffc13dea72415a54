import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, type TrackingEvent, TrackingEvent as TrackingEventSchema } from '@oskartrack/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { idFromName } from '../../src/analytics/scene.ts';
import { SceneAnalytics } from '../../src/analytics/scene-analytics.ts';
import { loadSceneFile, parseScene, parseSceneText } from '../../src/analytics/scene-file.ts';
import { gtFrames, PETS09_DIR, readGt } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'oskartrack-scene-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const good = {
  zones: [
    {
      name: 'Front door',
      polygon: [
        [0, 0],
        [100, 0],
        [100, 100],
      ],
    },
    {
      name: 'Front-door',
      polygon: [
        [200, 0],
        [300, 0],
        [300, 100],
      ],
    },
    {
      id: 'till.1',
      name: 'Caisse / Kasse',
      polygon: [
        [0, 200],
        [100, 200],
        [50, 300],
      ],
    },
  ],
  lines: [{ name: 'Entrée principale', start: [0, 400], end: [600, 400], inSide: 'right' }],
};

describe('zone files', () => {
  it('loads a good file and derives safe, unique ids from names', async () => {
    const scene = await loadSceneFile(file('good.json', JSON.stringify(good)), { width: 640, height: 480 });
    expect(scene.zones.map((z) => z.id)).toEqual(['front-door', 'front-door-2', 'till.1']);
    expect(scene.lines).toEqual([
      {
        id: 'entree-principale',
        name: 'Entrée principale',
        start: [0, 400],
        end: [600, 400],
        inSide: 'right',
      },
    ]);
    expect(parseScene({ zones: [] }, 'x')).toEqual({ zones: [], lines: [] });
    expect(() => parseScene({}, 'x')).toThrow(/neither "zones" nor "lines", so nothing would be counted/);
  });

  it.each<[string, string]>([
    ['Front door', 'front-door'],
    ['  Till #2 (left)  ', 'till-2-left'],
    ['Café', 'cafe'],
    ['!!!', 'fallback'],
    ['a'.repeat(200), 'a'.repeat(56)],
  ])('idFromName(%j) is %j', (name, id) => {
    expect(idFromName(name, 'fallback')).toBe(id);
  });

  it.each<[string, string, RegExp]>([
    ['bad JSON', '{"zones": [', /zone file .*bad-JSON\.json is not valid JSON: /],
    ['a trailing comma', '{\n  "zones": [],\n  "lines": [],\n}', /is not valid JSON: .*\(line 4, column 1\)/],
    ['not an object', '[1, 2]', /expected an object with "zones" and "lines"/],
    [
      'a self-intersecting polygon',
      JSON.stringify({
        zones: [
          {
            name: 'Bow tie',
            polygon: [
              [0, 0],
              [100, 100],
              [100, 0],
              [0, 100],
            ],
          },
        ],
      }),
      /area "Bow tie" \(#1\): the area's edges cross each other/,
    ],
    [
      'a 2-point polygon',
      JSON.stringify({
        zones: [
          {
            name: 'Stripe',
            polygon: [
              [0, 0],
              [100, 100],
            ],
          },
        ],
      }),
      /area "Stripe" \(#1\): an area needs at least 3 points, got 2/,
    ],
    [
      'a flat polygon',
      JSON.stringify({
        zones: [
          {
            name: 'Flat',
            polygon: [
              [0, 0],
              [50, 50],
              [100, 100],
            ],
          },
        ],
      }),
      /area "Flat" \(#1\): the area has no surface/,
    ],
    [
      'a zero-length line',
      JSON.stringify({ lines: [{ name: 'Door', start: [5, 5], end: [5, 5], inSide: 'left' }] }),
      /line "Door" \(#1\): the line has no length/,
    ],
    [
      'a bad inSide',
      JSON.stringify({ lines: [{ name: 'Door', start: [5, 5], end: [50, 5], inSide: 'inside' }] }),
      /line "Door" \(#1\): "inSide" must be "left" or "right"/,
    ],
    [
      'a point that is not [x, y]',
      JSON.stringify({
        zones: [
          {
            name: 'Z',
            polygon: [
              [0, 0],
              [1, 'a'],
              [5, 5],
            ],
          },
        ],
      }),
      /area "Z" \(#1\): "polygon" must be a list of \[x, y\] points/,
    ],
    [
      'a coordinate that reads as Infinity',
      '{"zones": [{"name": "Z", "polygon": [[0, 0], [1e999, 5], [5, 5]]}]}',
      /area "Z" \(#1\): "polygon" point 2 is \[Infinity, 5\]: coordinates must be finite numbers of pixels/,
    ],
    [
      'a line end that reads as Infinity',
      '{"lines": [{"name": "Door", "start": [0, 5], "end": [-1e999, 5], "inSide": "left"}]}',
      /line "Door" \(#1\): "end" is \[-Infinity, 5\]: coordinates must be finite numbers of pixels/,
    ],
    [
      'a misspelt field',
      JSON.stringify({ zones: [{ name: 'Z', points: [[0, 0]] }] }),
      /unknown field "points"/,
    ],
    ['a misspelt top-level field', JSON.stringify({ zone: [] }), /unknown field "zone"/],
    [
      'a duplicate explicit id',
      JSON.stringify({
        zones: [
          {
            id: 'a',
            name: 'A',
            polygon: [
              [0, 0],
              [10, 0],
              [10, 10],
            ],
          },
          {
            id: 'a',
            name: 'B',
            polygon: [
              [0, 0],
              [10, 0],
              [10, 10],
            ],
          },
        ],
      }),
      /area "B" \(#2\): the id "a" is used by another area/,
    ],
    [
      'an id with spaces',
      JSON.stringify({
        zones: [
          {
            id: 'a b',
            name: 'A',
            polygon: [
              [0, 0],
              [10, 0],
              [10, 10],
            ],
          },
        ],
      }),
      /"id" may only hold letters, digits/,
    ],
    [
      'a point outside the picture',
      JSON.stringify({
        zones: [
          {
            name: 'Big',
            polygon: [
              [0, 0],
              [1000, 0],
              [10, 10],
            ],
          },
        ],
      }),
      /area "Big" \(#1\): point 2 lies outside the 640x480 picture \(1000, 0: x goes from 0 to 640.*they look drawn on a larger picture/,
    ],
    [
      'two areas, or two lines, of one name',
      JSON.stringify({
        zones: [
          {
            name: 'Door',
            polygon: [
              [0, 0],
              [10, 0],
              [10, 10],
            ],
          },
          {
            name: 'door',
            polygon: [
              [20, 0],
              [30, 0],
              [30, 10],
            ],
          },
        ],
        lines: [
          { name: 'Till', start: [0, 50], end: [50, 50], inSide: 'left' },
          { name: 'Till', start: [0, 60], end: [50, 60], inSide: 'left' },
        ],
      }),
      /area "door" \(#2\): another area has that name; give each its own; line "Till" \(#2\): another line has that name/,
    ],
    [
      'a missing name',
      JSON.stringify({ lines: [{ start: [0, 0], end: [9, 9], inSide: 'left' }] }),
      /line #1: "name"/,
    ],
  ])('%s gives a clear error naming the file', async (name, text, message) => {
    const path = file(`${name.replace(/\W+/g, '-')}.json`, text);
    const err = await loadSceneFile(path, { width: 640, height: 480 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).toMatch(message);
  });

  it('reports a bow tie as crossing only, not also as having no surface', () => {
    const bowTie = {
      zones: [
        {
          name: 'Bow tie',
          polygon: [
            [0, 0],
            [100, 100],
            [100, 0],
            [0, 100],
          ],
        },
      ],
    };
    expect(() => parseScene(bowTie, 'bow.json')).toThrow(
      new Error(
        `zone file bow.json: area "Bow tie" (#1): the area's edges cross each other (edge 1 and edge 3)`,
      ),
    );
  });

  it('names a point with a NaN coordinate (from a caller that hands over values, not JSON)', () => {
    const scene = {
      zones: [
        {
          name: 'Z',
          polygon: [
            [0, 0],
            [10, 0],
            [Number.NaN, 10],
          ],
        },
      ],
      lines: [{ name: 'L', start: [0, Number.NaN], end: [10, 10], inSide: 'left' }],
    };
    expect(() => parseScene(scene, 'nan.json')).toThrow(
      new Error(
        'zone file nan.json: area "Z" (#1): "polygon" point 3 is [NaN, 10]: coordinates must be finite ' +
          'numbers of pixels; line "L" (#1): "start" is [0, NaN]: coordinates must be finite numbers of pixels',
      ),
    );
  });

  it('lists every problem at once', () => {
    const text = JSON.stringify({
      zones: [{ name: 'A', polygon: [[0, 0]] }],
      lines: [{ name: 'L', start: [0, 0], end: [0, 0], inSide: 'left' }],
    });
    expect(() => parseSceneText(text, 'both.json')).toThrow(
      /zone file both\.json: area "A" \(#1\): an area needs at least 3 points, got 1; line "L" \(#1\): the line has no length/,
    );
  });

  it('a missing file or a folder says so', async () => {
    await expect(loadSceneFile(join(dir, 'nope.json'))).rejects.toThrow(
      /zone file .*nope\.json could not be read: no such file/,
    );
    await expect(loadSceneFile(dir)).rejects.toThrow(
      /could not be read: that is a folder; give the zone file in it/,
    );
  });

  it('reads a file saved with a byte order mark', async () => {
    const path = join(dir, 'bom.json');
    writeFileSync(
      path,
      `\uFEFF${JSON.stringify({ lines: [{ name: 'Door', start: [0, 5], end: [9, 5], inSide: 'left' }] })}`,
    );
    expect((await loadSceneFile(path)).lines[0]?.name).toBe('Door');
  });
});

describe('the PETS09-S2L1 scene (agent/bench/pets09-scene.json)', () => {
  const scenePath = fileURLToPath(new URL('../../bench/pets09-scene.json', import.meta.url));

  it('is valid for the 768x576 picture, and ground-truth people cross every line and visit every area', async () => {
    const scene = await loadSceneFile(scenePath, { width: 768, height: 576 });
    expect(scene.zones.length).toBeGreaterThanOrEqual(2);
    expect(scene.lines).toHaveLength(2);
    const a = new SceneAnalytics('pets09', scene);
    const events: TrackingEvent[] = [];
    for (const { tracks, ended } of gtFrames(readGt(new URL('gt.txt', PETS09_DIR)), 7)) {
      events.push(...a.update(tracks, ended));
    }
    events.push(...a.finish());
    for (const e of events) expect(check(TrackingEventSchema, e).ok).toBe(true);
    const counts = a.counts();
    expect(counts.tracksStarted).toBe(19);
    for (const line of counts.lines) {
      expect(line.in, `${line.lineId} in`).toBeGreaterThanOrEqual(3);
      expect(line.out, `${line.lineId} out`).toBeGreaterThanOrEqual(3);
    }
    for (const zone of counts.zones) {
      const visitors = new Set(
        events.filter((e) => e.kind === 'zone_entered' && e.zoneId === zone.zoneId).map((e) => e.trackId),
      );
      expect(visitors.size, zone.zoneId).toBeGreaterThanOrEqual(4);
      expect(zone.exits).toBe(zone.entries);
    }
  });
});
