/**
 * Before a camera is saved with a video file of its box as the source, the hub asks that box whether
 * it can read the file (the hub cannot: the path is on the box). A file that does not open or decode
 * is refused with the box's reason, instead of failing on the box over and over.
 */
import { type Static, Type } from '@sinclair/typebox';
import { PROTOCOL_VERSION, RequestRefused, TransactionId } from './messages.ts';

const V = Type.Literal(PROTOCOL_VERSION);

/** At `.../request/source-probe`: can the box read this video file? */
export const SourceProbeRequest = Type.Object(
  { v: V, id: TransactionId, source: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);
export type SourceProbeRequest = Static<typeof SourceProbeRequest>;

/** At `.../response/source-probe`: the first picture's size, or why the file cannot be read. */
export const SourceProbeResponse = Type.Union([
  Type.Object(
    {
      v: V,
      id: TransactionId,
      status: Type.Literal('ok'),
      width: Type.Integer({ minimum: 1, maximum: 16384 }),
      height: Type.Integer({ minimum: 1, maximum: 16384 }),
    },
    { additionalProperties: false },
  ),
  RequestRefused,
]);
export type SourceProbeResponse = Static<typeof SourceProbeResponse>;

/** How long the hub waits for the box's answer (opening a file and decoding one picture). */
export const SOURCE_PROBE_ANSWER_MS = 15_000;
