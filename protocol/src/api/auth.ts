/** Signing in: `POST /api/auth/login` and `/refresh` answer tokens; `GET /api/auth/me` the user. */
import { type Static, Type } from '@sinclair/typebox';
import { Role } from './resources.ts';
import { DateTime, type Wire } from './wire.ts';

export const Tokens = Type.Object({
  accessToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'seconds until the access token expires' }),
  expiresAt: DateTime,
  refreshToken: Type.String(),
  refreshExpiresAt: DateTime,
});
export type Tokens = Wire<Static<typeof Tokens>>;

export const Me = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Role,
  storeIds: Type.Array(Type.String()),
});
export type Me = Static<typeof Me>;

export const LoginAnswer = Type.Composite([Tokens, Type.Object({ user: Me })]);
export type LoginAnswer = Wire<Static<typeof LoginAnswer>>;

/** `POST /api/auth/password`: change your own password (the same rules as a new user's). */
export const PasswordChange = Type.Object({
  currentPassword: Type.String({ minLength: 1, maxLength: 256 }),
  newPassword: Type.String({ minLength: 1, maxLength: 256 }),
});
export type PasswordChange = Static<typeof PasswordChange>;
