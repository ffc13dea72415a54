import { type Static, Type } from '@sinclair/typebox';
import { Id } from './geometry.ts';

/** The longest certificate authority (PEM) a box keeps: a few certificates of a chain. */
export const MAX_CA_PEM_CHARS = 20_000;
/** A certificate authority as PEM text. */
export const CaPem = Type.String({ minLength: 100, maxLength: MAX_CA_PEM_CHARS });

/** `POST /api/enroll`: a box trades a one-time code for its identity. */
export const EnrollRequest = Type.Object(
  {
    code: Type.String({ minLength: 4, maxLength: 200 }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    /**
     * A box enrolled again on the same hub names its old identity: the new one takes over its name,
     * and when it first reports online its cameras, and the old credential is revoked. Sent only over the connection pinned to the same
     * hub authority as before (the old secret goes nowhere else).
     */
    replaces: Type.Optional(
      Type.Object(
        { deviceId: Id, secret: Type.String({ minLength: 16, maxLength: 200 }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type EnrollRequest = Static<typeof EnrollRequest>;

/**
 * The hub's answer to an enrollment: who the box is, the addresses it must use from where it stands,
 * and the hub's public signing key, which the box uses to check every config and ack it acts on.
 */
export const EnrollReply = Type.Object(
  {
    deviceId: Id,
    storeId: Id,
    /** The device's MQTT password; shown once, stored by the hub only as a hash. */
    secret: Type.String({ minLength: 16, maxLength: 200 }),
    /** The hub's HTTP(S) address as the box must use it (never loopback for a box that came from elsewhere). */
    hubUrl: Type.String({ minLength: 1, maxLength: 2000 }),
    mqtt: Type.Object(
      {
        url: Type.String({ minLength: 1, maxLength: 2000 }),
        username: Type.String({ minLength: 1, maxLength: 200 }),
        /**
         * The broker's certificate authority (PEM) when the hub was told the broker has its own
         * (`serve --mqtt-ca`): the box trusts it for MQTT instead of the hub's. It comes over the
         * HTTPS connection the box pinned through the code, so it is as trusted as the hub.
         */
        ca: Type.Optional(CaPem),
      },
      { additionalProperties: false },
    ),
    /** The hub's Ed25519 public key (SPKI DER, base64): configs and acks carry its signature. */
    signingKey: Type.String({ minLength: 16, maxLength: 200 }),
    /**
     * The old identity this box takes over (`replaces`), when the hub accepted the claim: its name now,
     * its cameras and the end of its credential when this identity first reports online.
     */
    replaced: Type.Optional(Type.Object({ deviceId: Id, cameras: Type.Integer({ minimum: 0 }) })),
  },
  { additionalProperties: false },
);
export type EnrollReply = Static<typeof EnrollReply>;
