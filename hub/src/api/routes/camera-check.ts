/**
 * `POST /api/cameras/:id/check`: the installer's camera check, run by the camera's box on about a minute
 * of its video (oskartrack-agent check). Managers and administrators only: it loads the box's CPU.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CameraCheck,
  CHECK_DEFAULT_SECONDS,
  CHECK_MAX_SECONDS,
  CHECK_MIN_SECONDS,
} from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import { conflict, HttpError } from '../errors.ts';
import { errors, IdParams } from '../schemas.ts';
import { caller, managerRoute, optionalBody, visibleCamera } from './helpers.ts';

export const BOX_NOT_CONNECTED = 'the box is not connected: check its network, then try again';

const cameraCheckRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/:id/check',
    {
      config: managerRoute,
      schema: {
        tags: ['cameras'],
        summary: "Check the camera's view on its box: person size, people found, speed, advice",
        description: `The box runs the camera's video (default ${CHECK_DEFAULT_SECONDS} s) through its detectors; the answer takes about as long.`,
        params: IdParams,
        body: Type.Object({
          seconds: Type.Optional(Type.Integer({ minimum: CHECK_MIN_SECONDS, maximum: CHECK_MAX_SECONDS })),
        }),
        response: { 200: CameraCheck, ...errors(400, 401, 403, 404, 409, 502, 503, 504) },
      },
      preValidation: optionalBody,
    },
    async (request) => {
      const camera = await visibleCamera(app, caller(request), request.params.id);
      if (!app.cameraChecks)
        throw new HttpError(503, 'camera checks need the message broker, which this hub runs without');
      if (!camera.deviceId)
        throw conflict('this camera is not assigned to a box: assign it to the box beside the camera first');
      const device = await app.repos.devices.get(camera.deviceId);
      if (device.kind !== 'box')
        throw conflict('this camera holds uploaded recordings: there is no box to check it on');
      if (!device.online) throw new HttpError(503, BOX_NOT_CONNECTED);
      return app.cameraChecks.request(device.id, camera.id, request.body.seconds ?? CHECK_DEFAULT_SECONDS);
    },
  );
};

export default cameraCheckRoute;
