/**
 * Areas and counting lines through the API: names unique per camera (case and spaces aside), points
 * far off any picture refused when the frame size is unknown, and schema refusals in plain words.
 */
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, uid } from '../db/backends.ts';
import { type Fixture, openFixture } from './fixture.ts';

const square = (x: number): [number, number][] => [
  [x, 0],
  [x + 50, 0],
  [x + 50, 50],
  [x, 50],
];

describe.each(BACKENDS)('area and line checks on %s', (kind) => {
  let f: Fixture;
  let send: (options: InjectOptions) => ReturnType<Fixture['inject']>;
  beforeAll(async () => {
    f = await openFixture(kind);
    send = (options) => f.inject(f.tokens.managerA, options);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('refuses a second area or line of the same name on a camera, on create and on rename', async () => {
    // The fixture's camera of store A already has the areas "Till" and "Bakery" and the line "Door".
    const cameraUrl = `/api/cameras/${f.a.camera.id}`;
    const twin = await send({
      method: 'POST',
      url: `${cameraUrl}/zones`,
      payload: { name: '  tILL ', polygon: square(300) },
    });
    expect(twin.statusCode).toBe(409);
    expect(twin.json().message).toBe('this camera already has an area called "Till": choose another name');

    const shelf = await send({
      method: 'POST',
      url: `${cameraUrl}/zones`,
      payload: { name: 'Shelf', polygon: square(300) },
    });
    expect(shelf.statusCode).toBe(201);
    const renamed = await send({
      method: 'PATCH',
      url: `/api/zones/${shelf.json().id}`,
      payload: { name: 'BAKERY' },
    });
    expect(renamed.statusCode).toBe(409);
    expect(renamed.json().message).toBe(
      'this camera already has an area called "Bakery": choose another name',
    );
    // Its own name in other letters is no clash.
    const recased = await send({
      method: 'PATCH',
      url: `/api/zones/${shelf.json().id}`,
      payload: { name: 'SHELF' },
    });
    expect(recased.statusCode).toBe(200);
    expect(recased.json().name).toBe('SHELF');
    // Another camera may use the name.
    const elsewhere = await f.inject(f.tokens.admin, {
      method: 'POST',
      url: `/api/cameras/${f.b.camera.id}/zones`,
      payload: { name: 'Shelf', polygon: square(300) },
    });
    expect(elsewhere.statusCode).toBe(201);

    const line = { start: [0, 100], end: [100, 100], inSide: 'left' };
    const twinLine = await send({
      method: 'POST',
      url: `${cameraUrl}/lines`,
      payload: { ...line, name: 'door ' },
    });
    expect(twinLine.statusCode).toBe(409);
    expect(twinLine.json().message).toBe(
      'this camera already has a counting line called "Door": choose another name',
    );
    const exit = await send({
      method: 'POST',
      url: `${cameraUrl}/lines`,
      payload: { ...line, name: 'Exit' },
    });
    expect(exit.statusCode).toBe(201);
    const renamedLine = await send({
      method: 'PATCH',
      url: `/api/lines/${exit.json().id}`,
      payload: { name: 'DOOR' },
    });
    expect(renamedLine.statusCode).toBe(409);
    expect(renamedLine.json().message).toMatch(/a counting line called "Door"/);
    expect((await f.repos.zones.getLine(exit.json().id)).name).toBe('Exit');
  });

  it('without a frame size, refuses points far outside any picture and says what to do', async () => {
    const camera = await f.repos.cameras.create({
      storeId: f.a.store.id,
      name: `No size ${uid()}`,
      source: '0',
    });
    const url = `/api/cameras/${camera.id}`;
    const far = await send({
      method: 'POST',
      url: `${url}/zones`,
      payload: {
        name: 'Far',
        polygon: [
          [0, 0],
          [50_000, 0],
          [0, 10],
        ],
      },
    });
    expect(far.statusCode).toBe(400);
    expect(far.json().message).toMatch(
      /^bad area: point 2 is \[50000, 0\], outside any camera picture: .*from 0 to at most 16384; .*set the camera's picture size/,
    );
    const below = await send({
      method: 'POST',
      url: `${url}/lines`,
      payload: { name: 'Below', start: [-500, 10], end: [100, 10], inSide: 'left' },
    });
    expect(below.statusCode).toBe(400);
    expect(below.json().message).toMatch(
      /^bad counting line: point 1 is \[-500, 10\], outside any camera picture/,
    );
    // A little past the edge (rounding of a drawing tool) and a large picture are fine.
    const edge = await send({
      method: 'POST',
      url: `${url}/zones`,
      payload: {
        name: 'Edge',
        polygon: [
          [-3, -3],
          [16_000, 0],
          [0, 9000],
        ],
      },
    });
    expect(edge.statusCode).toBe(201);
  });

  it('names the point with a non-finite coordinate', async () => {
    await expect(
      f.repos.zones.createZone({
        cameraId: f.a.camera.id,
        name: `NaN ${uid()}`,
        polygon: [
          [0, 0],
          [10, Number.NaN],
          [0, 10],
        ],
      }),
    ).rejects.toThrow('bad area: point 2 is [10, NaN]: coordinates must be finite numbers of pixels');
  });

  it.each<[string, string, unknown, string]>([
    [
      'a polygon that is not a list',
      'zones',
      { name: 'x', polygon: { a: 1 } },
      'polygon: must be a list of [x, y] points in pixels (in the request body)',
    ],
    [
      'a point that is not [x, y]',
      'zones',
      { name: 'x', polygon: [[1, 2], [3, 4], [5]] },
      'polygon: point 3 must be [x, y] in pixels (in the request body)',
    ],
    [
      'too many points',
      'zones',
      { name: 'x', polygon: Array.from({ length: 65 }, (_, i) => [i, i % 2]) },
      'polygon: an area has at most 64 points (in the request body)',
    ],
    ['a missing name', 'zones', { polygon: square(0) }, 'name is missing (in the request body)'],
    [
      'an empty name',
      'zones',
      { name: '', polygon: square(0) },
      'name: must not be empty (in the request body)',
    ],
    [
      'a wrong side',
      'lines',
      { name: 'x', start: [0, 0], end: [9, 9], inSide: 'up' },
      'inSide: must be "left" or "right": the side that counts as in, walking from start to end (in the request body)',
    ],
    [
      'a line start with a coordinate out of range',
      'lines',
      { name: 'x', start: [0, 200_000], end: [9, 9], inSide: 'left' },
      'start: must be [x, y] in pixels, each a finite number from -100000 to 100000 (in the request body)',
    ],
    [
      'a line end that is text',
      'lines',
      { name: 'x', start: [0, 0], end: 'here', inSide: 'left' },
      'end: must be [x, y] in pixels (in the request body)',
    ],
  ])('says in words what is wrong with %s', async (_what, list, payload, message) => {
    const r = await send({
      method: 'POST',
      url: `/api/cameras/${f.a.camera.id}/${list}`,
      payload: payload as object,
    });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ statusCode: 400, error: 'Bad Request', message });
  });

  it('says which point reads as Infinity (1e999 in JSON) and the range coordinates must lie in', async () => {
    const r = await send({
      method: 'POST',
      url: `/api/cameras/${f.a.camera.id}/zones`,
      headers: { 'content-type': 'application/json' },
      payload: '{"name": "x", "polygon": [[0, 0], [1e999, 0], [0, 10]]}',
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toBe(
      'polygon: point 2 must be [x, y] in pixels, each a finite number from -100000 to 100000 (in the request body)',
    );
  });

  it('says how large a body may be, and what to do', async () => {
    const r = await send({
      method: 'POST',
      url: `/api/cameras/${f.a.camera.id}/zones`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x', polygon: square(0), pad: 'x'.repeat(1_100_000) }),
    });
    expect(r.statusCode).toBe(413);
    expect(r.json().message).toBe(
      'the request body is larger than 1 MB, the most the hub accepts: an area has at most 64 points, so check what is being sent',
    );
  });
});
