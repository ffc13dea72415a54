import type { Static, TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import './formats.ts';
import { MAX_PAYLOAD_BYTES } from './messages.ts';

type Checker = Pick<TypeCheck<TSchema>, 'Check' | 'Errors'>;
const compiled = new WeakMap<TSchema, Checker>();

/** Compiled where code may be generated; interpreted where it may not (the dashboard's CSP has no 'unsafe-eval'). */
function compile(schema: TSchema): Checker {
  try {
    return TypeCompiler.Compile(schema);
  } catch {
    return {
      Check: (v: unknown): v is unknown => Value.Check(schema, v),
      Errors: (v: unknown) => Value.Errors(schema, v),
    };
  }
}

function checker(schema: TSchema): Checker {
  let check = compiled.get(schema);
  if (!check) {
    check = compile(schema);
    compiled.set(schema, check);
  }
  return check;
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
