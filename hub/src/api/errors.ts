/**
 * HTTP errors the API throws itself. The central error handler (plugins/app/errors.ts) also maps the
 * database's NotFoundError (404), ValidationError (400) and ConflictError (409); everything else is a
 * 500 with a generic message and the request id, logged in full.
 */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    message: string,
    /** Extra headers for the response (Retry-After, WWW-Authenticate). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const unauthorized = (message = 'sign in first: this needs a valid access token') =>
  new HttpError(401, message, { 'www-authenticate': 'Bearer' });
export const forbidden = (message = 'your role does not allow this') => new HttpError(403, message);
export const conflict = (message: string) => new HttpError(409, message);
export const badRequest = (message: string) => new HttpError(400, message);

/** One refusal of fastify's schema validator (ajv), as the schema error formatter receives it. */
export interface SchemaIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string | undefined;
}

/**
 * A field's rule in words, for fields whose validator text means nothing to people ("must be array"):
 * gets the issue and the path below the field (`['0', '1']` for polygon/0/1).
 */
export type FieldWords = Readonly<Record<string, (issue: SchemaIssue, below: readonly string[]) => string>>;

const PLACE: Readonly<Record<string, string>> = {
  body: 'in the request body',
  querystring: 'in the query',
  params: 'in the address',
  headers: 'in the headers',
};

const TYPE_WORDS: Readonly<Record<string, string>> = {
  array: 'a list',
  object: 'an object',
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  null: 'null',
};

/** The validator's rule as a sentence part; the raw text only for keywords no one sends by mistake. */
export function ruleInWords(issue: SchemaIssue): string {
  const limit = issue.params.limit;
  switch (issue.keyword) {
    case 'type': {
      const types = String(issue.params.type).split(',');
      return `must be ${types.map((t) => TYPE_WORDS[t] ?? t).join(' or ')}`;
    }
    case 'minimum':
      return `must be at least ${limit}`;
    case 'maximum':
      return `must be at most ${limit}`;
    case 'exclusiveMinimum':
      return `must be more than ${limit}`;
    case 'exclusiveMaximum':
      return `must be less than ${limit}`;
    case 'minLength':
      return limit === 1 ? 'must not be empty' : `must be at least ${limit} characters long`;
    case 'maxLength':
      return `must be at most ${limit} characters long`;
    case 'minItems':
      return `must have at least ${limit} items`;
    case 'maxItems':
      return `must have at most ${limit} items`;
    case 'pattern':
      return 'holds characters that are not allowed here';
    case 'enum':
    case 'const':
    case 'anyOf':
      return 'is not one of the allowed values';
    default:
      return issue.message ?? 'is not valid';
  }
}

/**
 * A schema refusal as one plain sentence naming the field ("polygon: point 1 must be [x, y] in pixels
 * (in the request body)") instead of ajv's "body/polygon/0 must be array". The place stays in the
 * text so that a caller can tell a bad body from a bad address. Use as fastify's schemaErrorFormatter:
 * an HttpError passes the central error handler unchanged.
 */
export function schemaRefusal(
  issues: readonly SchemaIssue[],
  dataVar: string,
  words: FieldWords = {},
): HttpError {
  const place = PLACE[dataVar] ?? `in the request's ${dataVar}`;
  const issue = issues[0];
  if (!issue) return badRequest(`something ${place} is not valid`);
  if (issue.keyword === 'required')
    return badRequest(`${String(issue.params.missingProperty)} is missing (${place})`);
  const [field, ...below] = issue.instancePath.split('/').slice(1);
  if (field === undefined) return badRequest(`the data ${place} ${ruleInWords(issue)}`);
  const rule = words[field]?.(issue, below) ?? ruleInWords(issue);
  return badRequest(`${field}: ${rule} (${place})`);
}

/** A byte count as people read it: 1048576 → "1 MB", 65536 → "64 KB". */
export function sizeInWords(bytes: number): string {
  const mb = bytes / 1_048_576;
  if (mb >= 1) return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
  return `${Math.ceil(bytes / 1024)} KB`;
}

/** Fastify's "Request body is too large", with the limit and what to do about it. */
export function bodyTooLarge(limitBytes: number, hint = 'send less in one request'): HttpError {
  return new HttpError(
    413,
    `the request body is larger than ${sizeInWords(limitBytes)}, the most the hub accepts: ${hint}`,
  );
}

/** Fastify's own errors carry a code such as FST_ERR_CTP_BODY_TOO_LARGE. */
export function isBodyTooLarge(err: unknown): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === 'FST_ERR_CTP_BODY_TOO_LARGE';
}
