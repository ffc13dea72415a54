import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFoundError, ValidationError } from '../../db/errors.ts';
import type { Camera, CountingLine, Device, Zone } from '../../db/repositories/index.ts';
import type { EnrollmentSettings } from '../box-addresses.ts';
import { unauthorized } from '../errors.ts';
import type { LoginLimits } from '../login-limits.ts';
import { type Principal, requireStore, storeFilter } from '../scope.ts';

/** Options every route module gets from the API plugin. */
export interface RouteOptions {
  /** Folder that file camera sources must lie in. */
  mediaDir: string;
  /** What enrollment hands a box: addresses, the CA fingerprint codes carry, the signing key. */
  enrollment: EnrollmentSettings;
  loginRateLimit: LoginLimits;
  enrollRateLimit: { perAddress: number; windowMs: number };
}

export function caller(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

export function toDate(value: Date | string, what: string): Date {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) throw new ValidationError(`${what} must be a date and time (ISO 8601)`);
  return d;
}

export function range(q: { from: Date | string; to: Date | string }): { from: Date; to: Date } {
  const from = toDate(q.from, 'from');
  const to = toDate(q.to, 'to');
  if (to.getTime() <= from.getTime())
    throw new ValidationError('the range must end after it starts (to > from)');
  return { from, to };
}

export async function visibleCamera(app: FastifyInstance, p: Principal, id: string): Promise<Camera> {
  const camera = await app.repos.cameras.get(id);
  requireStore(p, camera.storeId, 'camera', id);
  return camera;
}

export async function visibleDevice(app: FastifyInstance, p: Principal, id: string): Promise<Device> {
  const device = await app.repos.devices.get(id);
  requireStore(p, device.storeId, 'device', id);
  return device;
}

export async function visibleZone(app: FastifyInstance, p: Principal, id: string): Promise<Zone> {
  const zone = await app.repos.zones.getZone(id);
  const camera = await app.repos.cameras.find(zone.cameraId);
  if (!camera) throw new NotFoundError('area', id);
  requireStore(p, camera.storeId, 'area', id);
  return zone;
}

export async function visibleLine(app: FastifyInstance, p: Principal, id: string): Promise<CountingLine> {
  const line = await app.repos.zones.getLine(id);
  const camera = await app.repos.cameras.find(line.cameraId);
  if (!camera) throw new NotFoundError('counting line', id);
  requireStore(p, camera.storeId, 'counting line', id);
  return line;
}

/**
 * The one store a query is about: the one asked for, the camera's, or the caller's only store.
 * undefined only for an administrator who named none (every store). A caller with several stores who
 * names none is asked to choose.
 */
export async function oneStore(
  app: FastifyInstance,
  p: Principal,
  q: { storeId?: string | undefined; cameraId?: string | undefined },
): Promise<string | undefined> {
  let storeId = q.storeId;
  if (q.cameraId) {
    const camera = await visibleCamera(app, p, q.cameraId);
    if (storeId !== undefined && storeId !== camera.storeId) {
      throw new ValidationError('the camera belongs to another store than storeId');
    }
    storeId = camera.storeId;
  }
  const stores = storeFilter(p, storeId);
  if (stores === undefined) return undefined;
  if (stores.length === 1) return stores[0];
  if (stores.length === 0) throw new NotFoundError('store', '(none assigned to you)');
  throw new ValidationError('you see several stores: choose one with storeId');
}

export const readerRoute = {} as const;
export const managerRoute = { role: 'manager' } as const;
export const adminRoute = { role: 'admin' } as const;
export const publicRoute = { public: true } as const;
/** A read-only answer the answer cache may keep (ended ranges only: plugins/app/answer-cache.ts). */
export const cachedAnswer = { answers: 'cached' } as const;
/** A change that no answer depends on (signing in and out): kept answers stay. */
export const unchangedAnswers = { answers: 'unchanged' } as const;

/** preValidation hook for routes whose body is optional: no body at all counts as `{}`. */
export async function optionalBody(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}
