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
