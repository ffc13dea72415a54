/**
 * The hub's REST API as the dashboard uses it: bearer tokens, a quiet refresh before the access token
 * runs out (and once more after a 401), and errors turned into plain sentences.
 *
 * Refresh tokens rotate and the hub treats a reused one as theft (it ends the session), so only one
 * refresh may be in flight: concurrent requests share it, and tabs take turns through the Web Locks
 * API where the browser has it (another tab's fresh tokens are picked up from storage first).
 */

import { check, LoginAnswer, type Me, type Role, Tokens, type Wire } from '@oskartrack/protocol';
import type { Static, TSchema } from '@sinclair/typebox';

export type { Role };
export type SessionUser = Me;

export interface Session {
  accessToken: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  refreshToken: string;
  refreshExpiresAt: number;
  user: SessionUser;
}

/** Where the session is kept between page loads (localStorage in the browser). */
export interface SessionStorage {
  load(): Session | null;
  save(session: Session | null): void;
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    /** 0: the hub could not be reached. */
    readonly status: number,
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super(message);
  }
}

export type Query = Record<string, string | number | boolean | readonly string[] | null | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** A FormData body (uploads); sent as is. */
  form?: FormData;
  /** Return the Response itself (pictures, CSV) instead of parsed JSON. */
  raw?: boolean;
  signal?: AbortSignal;
}

export interface ApiClientOptions {
  fetch?: typeof fetch;
  storage?: SessionStorage;
  /** Called when the session ends for good (expired, revoked, signed out). */
  onSignedOut?: (reason: string) => void;
  /** Refresh this long before the access token expires (ms). */
  refreshMarginMs?: number;
  now?: () => number;
  /** Runs `fn` while holding a lock shared by all tabs (navigator.locks); default: runs it directly. */
  withLock?: <T>(fn: () => Promise<T>) => Promise<T>;
  baseUrl?: string;
}

export const memoryStorage = (): SessionStorage => {
  let s: Session | null = null;
  return {
    load: () => s,
    save: (v) => {
      s = v;
    },
  };
};

const STORAGE_KEY = 'oskartrack.session';

export function browserStorage(): SessionStorage {
  return {
    load() {
      try {
        const text = localStorage.getItem(STORAGE_KEY);
        return text ? (JSON.parse(text) as Session) : null;
      } catch {
        return null;
      }
    },
    save(session) {
      try {
        if (session) localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
        else localStorage.removeItem(STORAGE_KEY);
      } catch {
        // Private mode without storage: the session lives in memory for this page only.
      }
    },
  };
}

export function browserLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? (locks.request('oskartrack-refresh', fn) as Promise<T>) : fn();
}

/** Builds `?a=1&b=x&b=y`, leaving out undefined, null and empty values. */
export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, v);
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function toSession(t: Tokens, user: SessionUser): Session {
  return {
    accessToken: t.accessToken,
    expiresAt: Date.parse(t.expiresAt),
    refreshToken: t.refreshToken,
    refreshExpiresAt: Date.parse(t.refreshExpiresAt),
    user,
  };
}

/** A sentence for an error answer: the hub's own message when it has one, else one by status. */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  let message = '';
  let problems: string[] = [];
  try {
    const body = (await res.json()) as { message?: unknown; problems?: unknown; requestId?: unknown };
    if (typeof body.message === 'string') message = body.message;
    if (Array.isArray(body.problems)) problems = body.problems.filter((p) => typeof p === 'string');
    if (res.status >= 500 && typeof body.requestId === 'string') {
      message = `${message || 'the hub had a problem'} (reference ${body.requestId})`;
    }
  } catch {
    // Not JSON (a proxy's page): fall back to the status below.
  }
  if (!message) message = statusMessage(res.status);
  return new ApiError(res.status, sentence(message), problems);
}

export function statusMessage(status: number): string {
  if (status === 401) return 'please sign in again';
  if (status === 403) return 'your account is not allowed to do this';
  if (status === 404) return 'this was not found; it may have been removed';
  if (status === 409) return 'this clashes with something that already exists';
  if (status === 413) return 'the file is too large';
  if (status === 429) return 'too many attempts; wait a moment and try again';
  if (status === 502 || status === 504) return 'the camera box did not answer in time';
  if (status === 503) return 'the hub cannot do this right now; try again shortly';
  if (status >= 500) return 'the hub had a problem; try again';
  return `the request failed (${status})`;
}

/** First letter up, final full stop. */
export function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const up = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?)]$/.test(up) ? up : `${up}.`;
}

/**
 * The answer checked against the body the protocol defines for it (protocol/src/api/); an answer of
 * another shape (a hub of another version, a proxy's page) is an error that says so, not a page that
 * breaks later on a missing field.
 */
export function expectBody<S extends TSchema>(
  schema: S,
  value: unknown,
  what: string,
  status = 200,
): Wire<Static<S>> {
  const r = check(schema, value);
  if (r.ok) return r.value as Wire<Static<S>>;
  throw new ApiError(
    status,
    `The hub's answer to ${what} is not what this page expects (${r.error}). The hub and this page may be of different versions: reload the page.`,
  );
}

/** Any thrown value as words for the page. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    return err.problems.length ? `${err.message} ${err.problems.map(sentence).join(' ')}` : err.message;
  }
  if (err instanceof DOMException && err.name === 'AbortError') return 'Cancelled.';
  if (err instanceof Error && err.message) return sentence(err.message);
  return 'Something went wrong.';
}

export class ApiClient {
  private readonly fetchImpl: typeof fetch;
  private readonly storage: SessionStorage;
  private readonly margin: number;
  private readonly now: () => number;
  private readonly withLock: <T>(fn: () => Promise<T>) => Promise<T>;
  private readonly base: string;
  private session: Session | null;
  private refreshing: Promise<Session | null> | null = null;
  private readonly listeners = new Set<(s: Session | null) => void>();
  onSignedOut: ((reason: string) => void) | undefined;

  constructor(opts: ApiClientOptions = {}) {
    this.fetchImpl = opts.fetch ?? ((input, init) => fetch(input, init));
    this.storage = opts.storage ?? memoryStorage();
    this.margin = opts.refreshMarginMs ?? 30_000;
    this.now = opts.now ?? Date.now;
    this.withLock = opts.withLock ?? ((fn) => fn());
    this.base = opts.baseUrl ?? '';
    this.onSignedOut = opts.onSignedOut;
    this.session = this.storage.load();
    if (this.session && this.session.refreshExpiresAt <= this.now()) this.setSession(null);
  }

  get user(): SessionUser | null {
    return this.session?.user ?? null;
  }

  /** Called with the new session (or null) whenever it changes. */
  subscribe(fn: (s: Session | null) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private setSession(s: Session | null): void {
    this.session = s;
    this.storage.save(s);
    for (const fn of this.listeners) fn(s);
  }

  private end(reason: string): void {
    const had = this.session !== null;
    this.setSession(null);
    if (had) this.onSignedOut?.(reason);
  }

  async login(name: string, password: string): Promise<SessionUser> {
    const res = await this.send('/api/auth/login', { method: 'POST', body: { name, password } });
    if (!res.ok) throw await errorFromResponse(res);
    const t = expectBody(LoginAnswer, await res.json(), 'signing in');
    this.setSession(toSession(t, t.user));
    return t.user;
  }

  async logout(): Promise<void> {
    const s = this.session;
    this.setSession(null);
    if (!s) return;
    // Best effort: the tokens are gone from this browser either way.
    await this.send('/api/auth/logout', { method: 'POST', body: {}, token: s.accessToken }).catch(() => {});
  }

  /** A valid access token (refreshed first when it is about to run out), or null when signed out. */
  async token(): Promise<string | null> {
    const s = this.session;
    if (!s) return null;
    if (s.expiresAt - this.margin > this.now()) return s.accessToken;
    const fresh = await this.refresh(s);
    return fresh?.accessToken ?? null;
  }

  /** Swaps the refresh token for new tokens; one at a time. */
  refresh(stale: Session): Promise<Session | null> {
    if (!this.refreshing) {
      this.refreshing = this.withLock(() => this.doRefresh(stale)).finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(stale: Session): Promise<Session | null> {
    // Another tab (or an earlier call) may have refreshed already: use its tokens.
    const stored = this.storage.load();
    if (stored && stored.refreshToken !== stale.refreshToken && stored.expiresAt - this.margin > this.now()) {
      this.session = stored;
      for (const fn of this.listeners) fn(stored);
      return stored;
    }
    const current = stored ?? this.session;
    if (!current) return null;
    if (current.refreshExpiresAt <= this.now()) {
      this.end('your session has ended; please sign in again');
      return null;
    }
    let res: Response;
    try {
      res = await this.send('/api/auth/refresh', {
        method: 'POST',
        body: { refreshToken: current.refreshToken },
      });
    } catch {
      // Offline: keep the session; the request itself reports the network problem.
      return null;
    }
    if (!res.ok) {
      if (res.status === 400 || res.status === 401) this.end('your session has ended; please sign in again');
      return null;
    }
    const t = expectBody(Tokens, await res.json(), 'the session refresh');
    const next = toSession(t, current.user);
    this.setSession(next);
    return next;
  }

  private async send(
    path: string,
    init: { method: string; body?: unknown; form?: FormData; token?: string; signal?: AbortSignal },
  ): Promise<Response> {
    const headers: Record<string, string> = {};
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body: BodyInit | undefined;
    if (init.form) body = init.form;
    else if (init.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.body);
    }
    try {
      return await this.fetchImpl(this.base + path, {
        method: init.method,
        headers,
        ...(body !== undefined ? { body } : {}),
        ...(init.signal ? { signal: init.signal } : {}),
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiError(0, 'Cannot reach the hub. Check the network connection and try again.');
    }
  }

  /** An authenticated request; JSON in and out unless `raw`. */
  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const url = path + queryString(opts.query);
    const go = async (token: string) =>
      this.send(url, {
        method,
        token,
        ...(opts.body !== undefined ? { body: opts.body } : {}),
        ...(opts.form ? { form: opts.form } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
    const token = await this.token();
    if (!token) {
      this.end('please sign in');
      throw new ApiError(401, 'Please sign in.');
    }
    let res = await go(token);
    if (res.status === 401 && this.session) {
      const fresh = await this.refresh(this.session);
      if (!fresh) throw new ApiError(401, 'Your session has ended. Please sign in again.');
      res = await go(fresh.accessToken);
      if (res.status === 401) this.end('your session has ended; please sign in again');
    }
    if (!res.ok) throw await errorFromResponse(res);
    if (opts.raw) return res as T;
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  /** GET, the answer checked against its protocol schema (see expectBody). */
  async get<S extends TSchema>(
    schema: S,
    path: string,
    query?: Query,
    signal?: AbortSignal,
  ): Promise<Wire<Static<S>>> {
    const body = await this.request('GET', path, {
      ...(query ? { query } : {}),
      ...(signal ? { signal } : {}),
    });
    return expectBody(schema, body, `GET ${path}`);
  }
  /** A write whose answer is checked against its protocol schema. */
  async write<S extends TSchema>(
    method: 'POST' | 'PATCH' | 'PUT',
    schema: S,
    path: string,
    body: unknown = {},
  ): Promise<Wire<Static<S>>> {
    return expectBody(schema, await this.request(method, path, { body }), `${method} ${path}`);
  }
  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, { body });
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, { body });
  }
  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, { body });
  }
  delete(path: string): Promise<void> {
    return this.request<void>('DELETE', path);
  }
}
