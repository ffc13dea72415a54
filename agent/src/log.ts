/**
 * The logger of the box and the hub. JSON lines by default (journald, log collectors); in a terminal,
 * or with LOG_FORMAT=pretty, one readable line per record: time, level, component, message, then the
 * extra fields as key=value, and for an error its message and the first lines of its stack.
 * LOG_FORMAT=json keeps JSON in a terminal too. Secret-looking fields are hidden in both forms.
 */
import pino from 'pino';
import pretty from 'pino-pretty';

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  /** Default: LOG_FORMAT, else pretty when standard output is a terminal (and not NODE_ENV=production). */
  format?: LogFormat;
  /** Where lines go; default standard output. */
  destination?: pino.DestinationStream;
  colorize?: boolean;
}

/** Field names whose values never reach a log, at the top level or one object down. */
export const SECRET_FIELDS = ['password', 'secret', 'token', 'authorization', 'cookie'] as const;
const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  'req.headers.authorization',
  'req.headers.cookie',
];
/** Fields printed in the line's head, or not at all, rather than as key=value. */
const HEAD_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'component', 'msg', 'err', 'error']);
const STACK_LINES = 3;

export function logFormat(env: NodeJS.ProcessEnv = process.env, isTTY = !!process.stdout.isTTY): LogFormat {
  if (env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty') return env.LOG_FORMAT;
  return isTTY && env.NODE_ENV !== 'production' ? 'pretty' : 'json';
}

const fieldValue = (v: unknown): string => {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
};

/** An error as its message, then the first lines of its stack below the line that repeats the message. */
function errorText(err: unknown): string {
  if (!err || typeof err !== 'object') return '';
  const { message, stack } = err as { message?: unknown; stack?: unknown };
  const frames = typeof stack === 'string' ? stack.split('\n').filter((l) => /^\s+at /.test(l)) : [];
  const head = typeof message === 'string' && message ? ` error: ${message}` : '';
  return (
    head +
    frames
      .slice(0, STACK_LINES)
      .map((l) => `\n    ${l.trim()}`)
      .join('')
  );
}

/** The part of a readable line after "[time] LEVEL": component, message, fields, error. */
export function readableMessage(record: Record<string, unknown>): string {
  const component = record.component ?? record.name;
  const fields = Object.entries(record)
    .filter(([k, v]) => !HEAD_FIELDS.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${fieldValue(v)}`);
  const message = typeof record.msg === 'string' ? record.msg : '';
  const parts = [component ? `(${String(component)})` : '', message, ...fields].filter(Boolean);
  return parts.join(' ') + errorText(record.err ?? record.error);
}

function readableStream(options: LoggerOptions): pino.DestinationStream {
  return pretty({
    colorize: options.colorize ?? (!options.destination && !!process.stdout.isTTY),
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
    ignore: 'pid,hostname,name',
    hideObject: true,
    // A stream in this thread rather than a transport worker: lines are out before a crash exits.
    sync: true,
    messageFormat: (record) => readableMessage(record),
    ...(options.destination ? { destination: options.destination } : {}),
  });
}

export function createLogger(
  name: string,
  level = process.env.LOG_LEVEL ?? 'info',
  options: LoggerOptions = {},
): pino.Logger {
  const format = options.format ?? logFormat();
  const settings = { name, level, redact: { paths: REDACT_PATHS, censor: '[hidden]' } };
  if (format === 'pretty') return pino(settings, readableStream(options));
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
