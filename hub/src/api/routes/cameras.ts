import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DetectorSettings, Id } from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import type { Camera as CameraRow } from '../../db/repositories/index.ts';
import { deviceIds } from '../../domain/events.ts';
import { refuseUnreadableFile } from '../camera-file.ts';
import { conflict, HttpError } from '../errors.ts';
import { Camera, errors, IdParams, Name } from '../schemas.ts';
import { hasRole, type Principal, requireStore, storeFilter } from '../scope.ts';
import { checkCameraSource, redactSource } from '../sources.ts';
import { caller, managerRoute, type RouteOptions, visibleCamera } from './helpers.ts';

const Source = Type.String({
  minLength: 1,
  maxLength: 2000,
  description:
    'rtsp://, rtsps://, http(s):// address, a webcam number, or (administrators) the absolute path of a video file on the box',
});
const Fps = Type.Number({ exclusiveMinimum: 0, maximum: 240 });
const Side = Type.Integer({ minimum: 1, maximum: 16384 });

/** Viewers read cameras without the passwords in their addresses. */
function shown(p: Principal, camera: CameraRow): CameraRow {
  return hasRole(p, 'manager') ? camera : { ...camera, source: redactSource(camera.source) };
}

/** The app as a route plugin of this file sees it. */
type App = Parameters<FastifyPluginAsyncTypebox<RouteOptions>>[0];

const tags = ['cameras'];

/** Cameras: list and add. */
function listAndCreateRoutes(app: App): void {
  app.get(
    '/',
    {
      schema: {
        tags,
        summary: 'Cameras of the stores you can see',
        querystring: Type.Object({ storeId: Type.Optional(Id), deviceId: Type.Optional(Id) }),
        response: { 200: Type.Array(Camera), ...errors(401, 404) },
      },
    },
    async (request) => {
      const p = caller(request);
      const ids = storeFilter(p, request.query.storeId);
      const deviceId = request.query.deviceId;
      const filter = deviceId ? { deviceId } : {};
      const rows =
        ids === undefined
          ? await app.repos.cameras.list(filter)
          : (await Promise.all(ids.map((storeId) => app.repos.cameras.list({ ...filter, storeId })))).flat();
      return rows.map((c) => shown(p, c));
    },
  );

  app.post(
    '/',
    {
      config: managerRoute,
      schema: {
        tags,
        summary: 'Add a camera to a store',
        body: Type.Object({
          id: Type.Optional(Id),
          storeId: Id,
          deviceId: Type.Optional(Type.Union([Id, Type.Null()])),
          name: Name,
          source: Source,
          fps: Type.Optional(Type.Union([Fps, Type.Null()])),
          detector: Type.Optional(Type.Union([DetectorSettings, Type.Null()])),
          frameWidth: Type.Optional(Type.Union([Side, Type.Null()])),
          frameHeight: Type.Optional(Type.Union([Side, Type.Null()])),
          enabled: Type.Optional(Type.Boolean()),
        }),
        response: { 201: Camera, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const p = caller(request);
      requireStore(p, request.body.storeId);
      const source = checkCameraSource(request.body.source, { role: p.role });
      await refuseUnreadableFile(app, request.body.deviceId, source);
      const camera = await app.repos.cameras.create({ ...request.body, source });
      app.domain.emit('camera-changed', { cameraId: camera.id, storeId: camera.storeId });
      app.domain.emit('config-changed', { deviceIds: deviceIds(camera.deviceId) });
      return reply.code(201).send(camera);
    },
  );
}

/** One camera: read, change, remove. */
function oneCameraRoutes(app: App): void {
  app.get(
    '/:id',
    {
      schema: {
        tags,
        summary: 'One camera',
        params: IdParams,
        response: { 200: Camera, ...errors(401, 404) },
      },
    },
    async (request) => {
      const p = caller(request);
      return shown(p, await visibleCamera(app, p, request.params.id));
    },
  );

  app.patch(
    '/:id',
    {
      config: managerRoute,
      schema: {
        tags,
        summary: 'Change a camera',
        params: IdParams,
        body: Type.Object({
          deviceId: Type.Optional(Type.Union([Id, Type.Null()])),
          name: Type.Optional(Name),
          source: Type.Optional(Source),
          fps: Type.Optional(Type.Union([Fps, Type.Null()])),
          detector: Type.Optional(Type.Union([DetectorSettings, Type.Null()])),
          frameWidth: Type.Optional(Type.Union([Side, Type.Null()])),
          frameHeight: Type.Optional(Type.Union([Side, Type.Null()])),
          enabled: Type.Optional(Type.Boolean()),
        }),
        response: { 200: Camera, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = caller(request);
      const camera = await visibleCamera(app, p, request.params.id);
      const patch = { ...request.body };
      if (patch.source !== undefined) {
        patch.source = checkCameraSource(patch.source, { role: p.role });
      }
      if (patch.source !== undefined || patch.deviceId !== undefined) {
        const deviceId = patch.deviceId === undefined ? camera.deviceId : patch.deviceId;
        await refuseUnreadableFile(app, deviceId, patch.source ?? camera.source);
      }
      const updated = await app.repos.cameras.update(camera.id, patch);
      app.domain.emit('camera-changed', { cameraId: camera.id, storeId: camera.storeId });
      app.domain.emit('config-changed', { deviceIds: deviceIds(camera.deviceId, updated.deviceId) });
      return updated;
    },
  );

  app.delete(
    '/:id',
    {
      config: managerRoute,
      schema: {
        tags,
        summary: 'Remove a camera with its areas, lines and history',
        params: IdParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const camera = await visibleCamera(app, caller(request), request.params.id);
      await app.repos.cameras.delete(camera.id);
      app.domain.emit('camera-changed', { cameraId: camera.id, storeId: camera.storeId });
      app.domain.emit('config-changed', { deviceIds: deviceIds(camera.deviceId) });
      return reply.code(204).send(null);
    },
  );
}

/** A current picture from the camera's box. */
function snapshotRoute(app: App): void {
  app.get(
    '/:id/snapshot',
    {
      schema: {
        tags,
        summary: 'A current picture from the camera (asked from its box), for drawing areas',
        params: IdParams,
        querystring: Type.Object({ maxWidth: Type.Optional(Type.Integer({ minimum: 16, maximum: 4096 })) }),
        produces: ['image/jpeg'],
        response: { ...errors(401, 404, 409, 502, 503, 504) },
      },
    },
    async (request, reply) => {
      const camera = await visibleCamera(app, caller(request), request.params.id);
      if (!app.snapshots)
        throw new HttpError(503, 'pictures need the message broker, which this hub runs without');
      if (!camera.deviceId)
        throw conflict('this camera is not assigned to a box, so nobody can take its picture');
      const shot = await app.snapshots.request(camera.deviceId, camera.id, request.query.maxWidth);
      return reply
        .header('content-type', shot.contentType)
        .header('cache-control', 'no-store')
        .header('x-image-width', String(shot.width))
        .header('x-image-height', String(shot.height))
        .send(shot.data);
    },
  );
}

const cameraRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app) => {
  listAndCreateRoutes(app);
  oneCameraRoutes(app);
  snapshotRoute(app);
};

export default cameraRoutes;
