/** Areas (zones) and counting lines drawn on a camera's picture. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Id, LineSide, MAX_POLYGON_POINTS, Point } from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import { CountingLine, errors, IdParams, Name, Zone } from '../schemas.ts';
import { caller, managerRoute, visibleCamera, visibleLine, visibleZone } from './helpers.ts';

// Protocol's Point; the polygon's other rules (3+ points, no crossing edges, inside the picture) are
// checked by the repository with protocol's polygonProblems, which explains them in plain words.
const Outline = Type.Array(Point, {
  maxItems: MAX_POLYGON_POINTS,
  description: '[x, y] points in picture pixels',
});

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
  cameraZoneRoutes(app);
  oneZoneRoutes(app);
  cameraLineRoutes(app);
  oneLineRoutes(app);
};

export default geometryRoutes;
