import type { Static, TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import './formats.ts';
import { MAX_PAYLOAD_BYTES } from './messages.ts';

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

function checker<T extends TSchema>(schema: T): TypeCheck<T> {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  return check as TypeCheck<T>;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Validates a decoded value; the error names the first few offending paths. */
export function check<T extends TSchema>(schema: T, value: unknown): Parsed<Static<T>> {
  const c = checker(schema);
  if (c.Check(value)) return { ok: true, value };
  const errors = [...c.Errors(value)].slice(0, 3).map((e) => `${e.path || '/'}: ${e.message}`);
  return { ok: false, error: errors.join('; ') };
}

/** Parses an MQTT payload: size first, then JSON, then the schema. Never throws. */
export function parsePayload<T extends TSchema>(
  schema: T,
  payload: Uint8Array | string,
  maxBytes = MAX_PAYLOAD_BYTES,
): Parsed<Static<T>> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > maxBytes)
    return { ok: false, error: `payload of ${size} bytes is over the ${maxBytes} byte limit` };
  let value: unknown;
  try {
    value = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'));
  } catch {
    return { ok: false, error: 'payload is not valid JSON' };
  }
  return check(schema, value);
}

/** Like `check`, but throws; for values our own code built. */
export function assertValid<T extends TSchema>(schema: T, value: unknown, what: string): Static<T> {
  const r = check(schema, value);
  if (!r.ok) throw new Error(`invalid ${what}: ${r.error}`);
  return r.value;
}
