/**
 * Exports for people: GET /api/export/visits and /api/export/numbers as CSV or Excel, with names
 * instead of ids, the store's local times, seconds, and a file name with the days chosen. The
 * `.csv` routes next to them keep ids and UTC times for installers and other programs.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Id } from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import { ValidationError } from '../../db/errors.ts';
import type { Store } from '../../db/repositories/stores.ts';
import { caller, range, visibleCamera } from '../routes/helpers.ts';
import { errors, Range } from '../schemas.ts';
import { type Principal, requireStore } from '../scope.ts';
import { exportFileName } from './file-name.ts';
import { placeNames } from './names.ts';
import { numbersTable } from './numbers-table.ts';
import { CONTENT_TYPES, type ExportFormat, sendTable } from './send.ts';
import { visitsTable } from './visits-table.ts';

/** The app as a route plugin sees it. */
type App = Parameters<FastifyPluginAsyncTypebox>[0];

const DAY_MS = 86_400_000;
const MAX_VISIT_DAYS = 366;
const MAX_DAYS: Record<'hour' | 'day', number> = { hour: 366, day: 3660 };

const tags = ['export'];
const Format = Type.Optional(
  Type.Union([Type.Literal('csv'), Type.Literal('xlsx')], {
    default: 'csv',
    description: 'csv (UTF-8 with a BOM) or xlsx (Excel)',
  }),
);
const IncludeRecordings = Type.Optional(
  Type.Boolean({ default: false, description: 'also the uploaded recordings (default: live cameras only)' }),
);
const produces = Object.values(CONTENT_TYPES);
/** The OpenAPI description of a download: a CSV text or an Excel file. */
const download = {
  200: {
    description: 'the file, as an attachment named after the store and the days',
    content: {
      [CONTENT_TYPES.csv]: { schema: Type.String() },
      [CONTENT_TYPES.xlsx]: { schema: Type.String({ format: 'binary' }) },
    },
  },
};

/** The store, if the caller may see it, and the range, if it is not too long. */
async function storeAndRange(
  app: App,
  q: { storeId: string; from: string | Date; to: string | Date },
  p: Principal,
  maxDays: number,
): Promise<{ store: Store; from: Date; to: Date }> {
  requireStore(p, q.storeId);
  const store = await app.repos.stores.get(q.storeId);
  const { from, to } = range(q);
  if (to.getTime() - from.getTime() > maxDays * DAY_MS) {
    throw new ValidationError(`export at most ${maxDays} days at a time: choose fewer days`);
  }
  return { store, from, to };
}

/** What every export is about: the store (its name and zone), the days, recordings or not. */
function about(store: Store, from: Date, to: Date, includeRecordings: boolean | undefined) {
  return {
    storeId: store.id,
    storeName: store.name,
    timeZone: store.timezone,
    from,
    to,
    includeRecordings: includeRecordings === true,
  };
}

function visitsRoute(app: App): void {
  app.get(
    '/visits',
    {
      schema: {
        tags,
        summary: "A store's visits that started in [from, to), for a spreadsheet (CSV or Excel)",
        querystring: Type.Object({
          ...Range,
          storeId: Id,
          cameraId: Type.Optional(Id),
          format: Format,
          includeRecordings: IncludeRecordings,
        }),
        produces,
        response: { ...download, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const p = caller(request);
      const { store, from, to } = await storeAndRange(app, q, p, MAX_VISIT_DAYS);
      if (q.cameraId && (await visibleCamera(app, p, q.cameraId)).storeId !== q.storeId) {
        throw new ValidationError('the camera belongs to another store than storeId');
      }
      const format: ExportFormat = q.format ?? 'csv';
      const scope = { ...about(store, from, to, q.includeRecordings), cameraId: q.cameraId };
      const table = visitsTable(app.repos, scope, await placeNames(app.repos, store.id));
      const fileName = exportFileName({ ...scope, what: 'visits', extension: format });
      return sendTable(reply, table, format, fileName);
    },
  );
}

function numbersRoute(app: App): void {
  app.get(
    '/numbers',
    {
      schema: {
        tags,
        summary: "A store's numbers per hour or per store-local day, per camera and area, for a spreadsheet",
        querystring: Type.Object({
          ...Range,
          storeId: Id,
          period: Type.Optional(Type.Union([Type.Literal('hour'), Type.Literal('day')], { default: 'hour' })),
          format: Format,
          includeRecordings: IncludeRecordings,
        }),
        produces,
        response: { ...download, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const period = q.period ?? 'hour';
      const { store, from, to } = await storeAndRange(app, q, caller(request), MAX_DAYS[period]);
      const format: ExportFormat = q.format ?? 'csv';
      const scope = { ...about(store, from, to, q.includeRecordings), period };
      const table = numbersTable(app.repos, scope, await placeNames(app.repos, store.id));
      const what = period === 'day' ? 'daily-numbers' : 'hourly-numbers';
      const fileName = exportFileName({ ...scope, what, extension: format });
      return sendTable(reply, table, format, fileName);
    },
  );
}

export function spreadsheetRoutes(app: App): void {
  visitsRoute(app);
  numbersRoute(app);
}
