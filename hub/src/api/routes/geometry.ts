/** Areas (zones) and counting lines drawn on a camera's picture. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Id, LineSide, MAX_COORD, MAX_POLYGON_POINTS, Point } from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import { bodyTooLarge, type FieldWords, isBodyTooLarge, schemaRefusal } from '../errors.ts';
import { CountingLine, errors, IdParams, Name, Zone } from '../schemas.ts';
import { caller, managerRoute, visibleCamera, visibleLine, visibleZone } from './helpers.ts';

// Protocol's Point; the polygon's other rules (3+ points, no crossing edges, inside the picture) are
// checked by the repository with protocol's polygonProblems, which explains them in plain words.
const Outline = Type.Array(Point, {
  maxItems: MAX_POLYGON_POINTS,
  description: '[x, y] points in picture pixels',
});

const POINT = 'must be [x, y] in pixels';

/**
 * `coordinate`: the refusal is about x or y itself (text, out of range, or 1e999, which JSON reads as
 * Infinity and ajv does not count as a number), not about the pair's shape.
 */
function pointRule(coordinate: boolean): string {
  return coordinate ? `${POINT}, each a finite number from -${MAX_COORD} to ${MAX_COORD}` : POINT;
}

/** The fields of these routes in words: ajv's "body/polygon/0 must be array" says nothing of points. */
const WORDS: FieldWords = {
  polygon: (issue, [point, coordinate]) => {
    if (point !== undefined) return `point ${Number(point) + 1} ${pointRule(coordinate !== undefined)}`;
    if (issue.keyword === 'maxItems') return `an area has at most ${MAX_POLYGON_POINTS} points`;
    return 'must be a list of [x, y] points in pixels';
  },
  start: (_issue, [coordinate]) => pointRule(coordinate !== undefined),
  end: (_issue, [coordinate]) => pointRule(coordinate !== undefined),
  inSide: () => 'must be "left" or "right": the side that counts as in, walking from start to end',
  id: () => 'may only hold letters, digits and _ . : - (at most 64 characters)',
};

/** The app as a route plugin of this file sees it. */
type App = Parameters<FastifyPluginAsyncTypebox>[0];

const tags = ['areas and lines'];

/** A camera's areas: list and draw. */
function cameraZoneRoutes(app: App): void {
  app.get(
    '/cameras/:id/zones',
    {
      schema: {
        tags,
        summary: "A camera's areas",
        params: IdParams,
        response: { 200: Type.Array(Zone), ...errors(401, 404) },
      },
    },
    async (request) => {
      const camera = await visibleCamera(app, caller(request), request.params.id);
      return app.repos.zones.listZones(camera.id);
    },
  );

  app.post(
    '/cameras/:id/zones',
    {
      config: managerRoute,
      schema: {
        tags,
        summary: 'Draw an area on a camera',
        params: IdParams,
        body: Type.Object({ id: Type.Optional(Id), name: Name, polygon: Outline }),
        response: { 201: Zone, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const camera = await visibleCamera(app, caller(request), request.params.id);
      const zone = await app.repos.zones.createZone({ ...request.body, cameraId: camera.id });
      app.domain.emit('geometry-changed', { cameraId: camera.id });
      return reply.code(201).send(zone);
    },
  );
}

/** One area: read, change, remove. */
function oneZoneRoutes(app: App): void {
  app.get(
    '/zones/:id',
    { schema: { tags, summary: 'One area', params: IdParams, response: { 200: Zone, ...errors(401, 404) } } },
    async (request) => visibleZone(app, caller(request), request.params.id),
  );

  app.patch(
    '/zones/:id',
    {
      config: managerRoute,
      schema: {
        tags,
        summary: 'Rename or redraw an area',
        params: IdParams,
        body: Type.Object({ name: Type.Optional(Name), polygon: Type.Optional(Outline) }),
        response: { 200: Zone, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const zone = await visibleZone(app, caller(request), request.params.id);
      const updated = await app.repos.zones.updateZone(zone.id, request.body);
      app.domain.emit('geometry-changed', { cameraId: zone.cameraId });
      return updated;
    },
  );

  app.delete(
    '/zones/:id',
    {
      config: managerRoute,
      schema: {
        tags,
        summary: 'Remove an area',
        params: IdParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const zone = await visibleZone(app, caller(request), request.params.id);
      await app.repos.zones.deleteZone(zone.id);
      app.domain.emit('geometry-changed', { cameraId: zone.cameraId });
      return reply.code(204).send(null);
    },
  );
}

/** A camera's counting lines: list and draw. */
function cameraLineRoutes(app: App): void {
  app.get(
    '/cameras/:id/lines',
    {
      schema: {
        tags,
        summary: "A camera's counting lines",
        params: IdParams,
        response: { 200: Type.Array(CountingLine), ...errors(401, 404) },
      },
    },
    async (request) => {
      const camera = await visibleCamera(app, caller(request), request.params.id);
      return app.repos.zones.listLines(camera.id);
    },
  );

  app.post(
    '/cameras/:id/lines',
    {
      config: managerRoute,
      schema: {
        tags,
        summary: 'Draw a counting line on a camera',
        params: IdParams,
        body: Type.Object({ id: Type.Optional(Id), name: Name, start: Point, end: Point, inSide: LineSide }),
        response: { 201: CountingLine, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const camera = await visibleCamera(app, caller(request), request.params.id);
      const line = await app.repos.zones.createLine({ ...request.body, cameraId: camera.id });
      app.domain.emit('geometry-changed', { cameraId: camera.id });
      return reply.code(201).send(line);
    },
  );
}

/** One counting line: read, change, remove. */
function oneLineRoutes(app: App): void {
  app.get(
    '/lines/:id',
    {
      schema: {
        tags,
        summary: 'One counting line',
        params: IdParams,
        response: { 200: CountingLine, ...errors(401, 404) },
      },
    },
    async (request) => visibleLine(app, caller(request), request.params.id),
  );

  app.patch(
    '/lines/:id',
    {
      config: managerRoute,
      schema: {
        tags,
        summary: 'Change a counting line',
        params: IdParams,
        body: Type.Object({
          name: Type.Optional(Name),
          start: Type.Optional(Point),
          end: Type.Optional(Point),
          inSide: Type.Optional(LineSide),
        }),
        response: { 200: CountingLine, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const line = await visibleLine(app, caller(request), request.params.id);
      const updated = await app.repos.zones.updateLine(line.id, request.body);
      app.domain.emit('geometry-changed', { cameraId: line.cameraId });
      return updated;
    },
  );

  app.delete(
    '/lines/:id',
    {
      config: managerRoute,
      schema: {
        tags,
        summary: 'Remove a counting line',
        params: IdParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const line = await visibleLine(app, caller(request), request.params.id);
      await app.repos.zones.deleteLine(line.id);
      app.domain.emit('geometry-changed', { cameraId: line.cameraId });
      return reply.code(204).send(null);
    },
  );
}

const geometryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.setSchemaErrorFormatter((issues, dataVar) => schemaRefusal(issues, dataVar, WORDS));
  // Rethrown errors go on to the central handler (plugins/app/errors.ts), which answers them all.
  app.setErrorHandler(async (err: Error, request) => {
    if (!isBodyTooLarge(err)) throw err;
    throw bodyTooLarge(
      request.routeOptions.bodyLimit,
      `an area has at most ${MAX_POLYGON_POINTS} points, so check what is being sent`,
    );
  });
  cameraZoneRoutes(app);
  oneZoneRoutes(app);
  cameraLineRoutes(app);
  oneLineRoutes(app);
};

export default geometryRoutes;
