/**
 * `/api/uploads`: recorded videos for processing on the hub.
 *
 * `POST /api/uploads` (multipart/form-data; administrators and the store's managers): fields
 * `cameraId` (a camera of a store the caller manages), `startTime` (ISO 8601 date and time of the first
 * frame; not in the future; left out: the recording is taken to end now), optional `fps` (overrides
 * the file header) and `detector` (`hog`, the default, or `yolox`),
 * and one file part, the video. Send the fields before the file to be refused before the transfer.
 * The file is streamed to `<dataDir>/uploads/<id>.part` (never held in memory), limited to
 * `settings.uploadMaxBytes` (413 past it), and accepted only when its name has a video extension, its
 * first bytes are a known container and OpenCV decodes its first frame (400 with the reason
 * otherwise; the file is deleted). Answers 202 with the queued job. The same bytes (SHA-256, taken as
 * they arrive) for the same camera count once, whatever start time is given: while the first job is
 * queued, processing or done, a second upload is refused with 409 ("This recording was already added
 * on <date>: its visitors are counted once. ..."), on any hub of the database. A failed or deleted job's
 * file may come again; another file or another camera is a new recording.
 *
 * `GET /api/uploads/:id`: the job (state queued | processing | done | failed, frames done / total,
 * processing speed, error, summary). `GET /api/uploads`: the newest jobs of the caller's stores.
 * `DELETE /api/uploads/:id` (managers of the store): the job and everything it counted (events,
 * visits, its numbers), stopped first if it runs; 204.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import fastifyMultipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Id, type UploadJob as Job, UploadJob } from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, conflict, forbidden, HttpError, sizeInWords } from '../api/errors.ts';
import { definePlugin } from '../api/plugin.ts';
import { errors } from '../api/schemas.ts';
import { canSeeStore, hasRole, type Principal, requireStore, storeFilter } from '../api/scope.ts';
import { NotFoundError } from '../db/errors.ts';
import { DuplicateRecordingError } from '../db/repositories/index.ts';
import { DEFAULT_UPLOAD_MAX_BYTES } from '../settings.ts';
import { jobView } from './job-view.ts';
import { extensionProblem, VideoRejected } from './probe.ts';
import { DETECTORS, type UploadDetector, type UploadService } from './service.ts';
import { resolveStartTime, videoMs } from './start-time.ts';

export interface UploadRoutesOptions {
  service: UploadService;
  /** Largest video accepted, in bytes (default DEFAULT_UPLOAD_MAX_BYTES). */
  maxBytes?: number | undefined;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

function caller(p: Principal | null): Principal {
  if (!p) throw new HttpError(401, 'sign in first: this needs a valid access token');
  return p;
}

interface Fields {
  cameraId?: string;
  startTime?: string;
  fps?: string;
  detector?: string;
}

const FIELD_NAMES = new Set<keyof Fields>(['cameraId', 'startTime', 'fps', 'detector']);

/** Checks the form's fields; throws 400 with what is wrong. */
function parseFields(f: Fields): {
  cameraId: string;
  startTime: Date | undefined;
  fps: number | null;
  detector: UploadDetector;
} {
  const problems: string[] = [];
  if (!f.cameraId) problems.push('cameraId is missing: name the camera the recording was made with');
  else if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(f.cameraId)) problems.push('cameraId is not a camera id');
  let startTime: Date | undefined;
  if (f.startTime && (!ISO_DATE_TIME.test(f.startTime) || Number.isNaN(Date.parse(f.startTime))))
    problems.push('startTime must be a date and time in ISO 8601, such as 2025-07-01T09:30:00Z');
  else if (f.startTime) startTime = new Date(f.startTime);
  let fps: number | null = null;
  if (f.fps !== undefined && f.fps !== '') {
    fps = Number(f.fps);
    if (!Number.isFinite(fps) || fps <= 0 || fps > 240)
      problems.push('fps must be a number of frames per second above 0 and at most 240');
  }
  const detector = (f.detector || 'hog') as UploadDetector;
  if (!DETECTORS.includes(detector)) problems.push(`detector must be one of ${DETECTORS.join(', ')}`);
  if (problems.length > 0) throw badRequest(problems.join('; '));
  return { cameraId: f.cameraId!, startTime, fps, detector };
}

/** Visible camera of a store the caller manages; 404 (as for a missing one) outside their stores. */
async function managedCamera(app: FastifyInstance, p: Principal, cameraId: string) {
  const camera = await app.repos.cameras.find(cameraId);
  if (!camera || !canSeeStore(p, camera.storeId)) throw new NotFoundError('camera', cameraId);
  if (!hasRole(p, 'manager')) throw forbidden('uploading needs the manager role for this store');
  return camera;
}

/** The answer to a video over the size limit. */
function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, `the video is larger than the ${sizeInWords(maxBytes)} this hub accepts`);
}

interface ReceivedFile {
  name: string;
  size: number;
  /** SHA-256 of the bytes (hex), taken as they arrived. */
  sha256: string;
}

/** The refusal of a recording counted already, dated in its store's time zone. */
async function alreadyAdded(app: FastifyInstance, existing: Job): Promise<HttpError> {
  const store = await app.repos.stores.find(existing.storeId);
  const date = new Intl.DateTimeFormat('en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: store?.timezone ?? 'UTC',
  }).format(new Date(existing.createdAt));
  return conflict(
    `This recording was already added on ${date}: its visitors are counted once. To count it again (with another detector, say), delete that upload first.`,
  );
}

/**
 * Reads the form's fields and its one file part, streamed to `partial`. The file part being read is
 * drained on a refusal, so the request ends and the answer reaches the client (which is still sending).
 */
async function receiveParts(
  app: FastifyInstance,
  request: FastifyRequest,
  p: Principal,
  partial: string,
  maxBytes: number,
): Promise<{ fields: Fields; file: ReceivedFile }> {
  const fields: Fields = {};
  let file: ReceivedFile | undefined;
  let current: NodeJS.ReadableStream | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (FIELD_NAMES.has(part.fieldname as keyof Fields) && typeof part.value === 'string')
          fields[part.fieldname as keyof Fields] = part.value;
        continue;
      }
      current = part.file;
      if (file) throw badRequest('send one video per upload');
      // Fields sent first: refuse before the transfer.
      if (fields.cameraId) await managedCamera(app, p, fields.cameraId);
      const name = basename(part.filename || 'video');
      const problem = extensionProblem(name);
      if (problem) throw badRequest(problem);
      let size = 0;
      const hash = createHash('sha256');
      part.file.on('data', (chunk: Buffer) => {
        size += chunk.length;
        hash.update(chunk);
      });
      await pipeline(part.file, createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
      if (part.file.truncated) throw tooLarge(maxBytes);
      file = { name, size, sha256: hash.digest('hex') };
      current = undefined;
    }
  } catch (err) {
    current?.resume();
    throw err;
  }
  if (!file) throw badRequest('the video is missing: add it as a file part');
  return { fields, file };
}

/** `POST /api/uploads`: the video received, checked and queued as a job (202), or refused and deleted. */
async function acceptUpload(
  app: FastifyInstance,
  service: UploadService,
  maxBytes: number,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const p = caller(request.principal);
  if (!request.isMultipart()) {
    throw new HttpError(415, 'send the video as multipart/form-data with a "file" part');
  }
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes + 64 * 1024) throw tooLarge(maxBytes);
  // The worker starts (once per hub) while the video arrives, ready to check it.
  service.warmUp();
  const id = randomUUID();
  const partial = `${service.pathOf(id)}.part`;
  try {
    const { fields, file } = await receiveParts(app, request, p, partial, maxBytes);
    const f = parseFields(fields);
    const camera = await managedCamera(app, p, f.cameraId);
    if (file.size === 0) throw badRequest(`"${file.name}" is empty`);
    const info = await service.probe(partial, file.name, f.fps ?? undefined);
    // Without a start time this is the header's estimate; the job places it by the frames read.
    const startTime = resolveStartTime(f.startTime, videoMs(info.frameCount, info.fps));
    // A mistake in the form is said first; the unique index in accept() settles two uploads racing.
    const counted = await service.findRecording(camera.id, file.sha256);
    if (counted) throw await alreadyAdded(app, counted);
    await rename(partial, service.pathOf(id));
    const job = await service
      .accept({
        id,
        storeId: camera.storeId,
        cameraId: camera.id,
        createdBy: p.userId,
        fileName: file.name,
        sizeBytes: file.size,
        detector: f.detector,
        fps: f.fps,
        startTime,
        startTimeGiven: f.startTime !== undefined,
        contentSha256: file.sha256,
        framesTotal: info.frameCount ?? null,
      })
      .catch(async (err: unknown) => {
        await rm(service.pathOf(id), { force: true });
        throw err instanceof DuplicateRecordingError ? await alreadyAdded(app, jobView(err.existing)) : err;
      });
    request.log.info({ jobId: id, bytes: file.size, container: info.container }, 'recording uploaded');
    return reply.code(202).header('location', `/api/uploads/${id}`).send(job);
  } catch (err) {
    await rm(partial, { force: true });
    if (err instanceof VideoRejected) throw badRequest(err.message);
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(maxBytes);
    throw err;
  }
}

/** The upload routes under `/api/uploads`; needs the app's auth and repositories. */
export function uploadsPlugin(options: UploadRoutesOptions): FastifyPluginAsync {
  const maxBytes = options.maxBytes ?? DEFAULT_UPLOAD_MAX_BYTES;
  const service = options.service;

  const routes: FastifyPluginAsync = async (parent) => {
    const app = parent.withTypeProvider<TypeBoxTypeProvider>();
    // Multipart only here: the rest of the API keeps refusing multipart bodies.
    await app.register(fastifyMultipart, {
      throwFileSizeLimit: true,
      limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 1024, parts: 12, headerPairs: 50 },
    });
    app.addHook('onRequest', async (request) => {
      const p = await app.auth.authenticate(request);
      const role = request.routeOptions.config.role;
      if (role && !hasRole(p, role))
        throw forbidden(`this needs the ${role} role; you are signed in as a ${p.role}`);
    });

    app.post(
      '/',
      {
        config: { role: 'manager' },
        schema: {
          tags: ['uploads'],
          summary:
            'Upload a recorded video for processing (multipart: cameraId, startTime?, fps?, detector?, file)',
          consumes: ['multipart/form-data'],
          response: { 202: UploadJob, ...errors(400, 401, 403, 404, 409, 413, 415) },
        },
      },
      async (request, reply) => acceptUpload(app, service, maxBytes, request, reply),
    );

    app.get(
      '/:id',
      {
        schema: {
          tags: ['uploads'],
          summary: 'An upload job: state, progress, result',
          params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
          response: { 200: UploadJob, ...errors(401, 404) },
        },
      },
      async (request) => {
        const p = caller(request.principal);
        const job = await service.get(request.params.id);
        if (!job) throw new NotFoundError('upload', request.params.id);
        requireStore(p, job.storeId, 'upload', job.id);
        return job;
      },
    );

    app.delete(
      '/:id',
      {
        config: { role: 'manager' },
        schema: {
          tags: ['uploads'],
          summary: 'Delete an uploaded recording and everything counted from it (stopped first if it runs)',
          params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
          response: { 204: Type.Null(), ...errors(401, 403, 404) },
        },
      },
      async (request, reply) => {
        const p = caller(request.principal);
        const job = await service.get(request.params.id);
        if (!job || !canSeeStore(p, job.storeId)) throw new NotFoundError('upload', request.params.id);
        await service.remove(job.id);
        request.log.info({ jobId: job.id }, 'uploaded recording deleted');
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/',
      {
        schema: {
          tags: ['uploads'],
          summary: 'The newest upload jobs of your stores',
          querystring: Type.Object({
            storeId: Type.Optional(Id),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
          }),
          response: { 200: Type.Array(UploadJob), ...errors(401, 404) },
        },
      },
      async (request) => {
        const p = caller(request.principal);
        const storeIds = storeFilter(p, request.query.storeId);
        return service.list({ ...(storeIds ? { storeIds } : {}), limit: request.query.limit ?? 50 });
      },
    );
  };
  return definePlugin(
    'uploads',
    async (app) => {
      await app.register(routes, { prefix: '/api/uploads' });
    },
    { dependencies: ['auth', 'repositories'] },
  );
}
