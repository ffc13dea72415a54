/**
 * One error handler for the whole API: plain-language messages for the caller's mistakes, and for
 * everything else a generic 500 naming the request id, with the full error (stack, SQL) only in the log.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import {
  ConflictError,
  NotFoundError,
  pgErrorOf,
  translateDbError,
  ValidationError,
} from '../../../db/errors.ts';
import { HttpError } from '../../errors.ts';
import { definePlugin } from '../../plugin.ts';
import { ErrorBody } from '../../schemas.ts';

interface Body {
  statusCode: number;
  error: string;
  message: string;
  requestId?: string;
  problems?: string[];
}

function body(statusCode: number, message: string, extra: Partial<Body> = {}): Body {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, ...extra };
}

export function errorBody(
  err: unknown,
  request: FastifyRequest,
): { body: Body; headers: Record<string, string> } {
  const e = translateDbError(err);
  if (e instanceof HttpError) return { body: body(e.statusCode, e.message), headers: e.headers };
  if (e instanceof NotFoundError) return { body: body(404, e.message), headers: {} };
  if (e instanceof ValidationError) {
    return {
      body: body(400, e.message, e.problems.length > 1 ? { problems: [...e.problems] } : {}),
      headers: {},
    };
  }
  if (e instanceof ConflictError) return { body: body(409, e.message), headers: {} };
  // Other PostgreSQL data exceptions (class 22: characters the database cannot store, numbers or
  // dates out of its range) come from the request's values; their text is not shown.
  if (pgErrorOf(e)?.code.startsWith('22')) {
    return {
      body: body(
        400,
        'a value in the request cannot be stored (unsupported characters, or a number or date out of range)',
      ),
      headers: {},
    };
  }
  const fe = e as Partial<FastifyError>;
  if (fe.validation) {
    const where = fe.validationContext ? `${fe.validationContext}` : 'request';
    const message = (fe.message ?? 'invalid request').startsWith(where)
      ? fe.message!
      : `${where} ${fe.message}`;
    return { body: body(400, `invalid ${message}`), headers: {} };
  }
  // fastify's own client errors (bad JSON, unsupported media type, body too large): their messages
  // say what was wrong with the request and nothing about the hub.
  if (
    typeof fe.statusCode === 'number' &&
    fe.statusCode >= 400 &&
    fe.statusCode < 500 &&
    fe.code?.startsWith('FST_')
  ) {
    return { body: body(fe.statusCode, fe.message ?? 'bad request'), headers: {} };
  }
  return {
    body: body(
      500,
      `something went wrong on the hub; the details were logged under request id ${request.id}`,
      {
        requestId: String(request.id),
      },
    ),
    headers: {},
  };
}

export default definePlugin('errors', async (app) => {
  app.addSchema(ErrorBody);
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { body: out, headers } = errorBody(err, request);
    // A box or service that did not answer (an HttpError 502-504) is not a fault of the hub: no stack.
    if (err instanceof HttpError && out.statusCode >= 500)
      request.log.warn({ statusCode: out.statusCode, reason: out.message }, 'request failed');
    else if (out.statusCode >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ statusCode: out.statusCode, reason: out.message }, 'request refused');
    return reply.code(out.statusCode).headers(headers).send(out);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    return reply.code(404).send(body(404, `there is no ${request.method} ${path} here`));
  });
});
