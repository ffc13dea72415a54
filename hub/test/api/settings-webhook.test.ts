/** `/api/settings/webhook`: the signing secret for administrators only, made once, replaced on rotation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookSecret } from '../../src/alerts/delivery/index.ts';
import { type Fixture, openFixture } from './fixture.ts';

let f: Fixture;

beforeAll(async () => {
  f = await openFixture('postgres');
});
afterAll(async () => {
  await f?.close();
});

describe('webhook settings', () => {
  it('shows administrators the secret the worker signs with, the same on every read', async () => {
    const first = await f.inject(f.tokens.admin, { method: 'GET', url: '/api/settings/webhook' });
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    const body = first.json();
    expect(body.signingSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(body).toMatchObject({
      timestampHeader: 'X-OskarTrack-Timestamp',
      signatureHeader: 'X-OskarTrack-Signature',
    });
    const again = await f.inject(f.tokens.admin, { method: 'GET', url: '/api/settings/webhook' });
    expect(again.json().signingSecret).toBe(body.signingSecret);
    expect(await webhookSecret(f.t.db)).toBe(body.signingSecret);
  });

  it('rotation replaces it: the worker signs with the new one', async () => {
    const before = (await f.inject(f.tokens.admin, { method: 'GET', url: '/api/settings/webhook' })).json();
    const rotated = await f.inject(f.tokens.admin, { method: 'POST', url: '/api/settings/webhook/rotate' });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json().signingSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(rotated.json().signingSecret).not.toBe(before.signingSecret);
    expect(await webhookSecret(f.t.db)).toBe(rotated.json().signingSecret);
  });

  it('is refused to managers and viewers, and to callers without a token', async () => {
    for (const token of [f.tokens.managerA, f.tokens.viewerA, f.tokens.viewerB]) {
      const get = await f.inject(token, { method: 'GET', url: '/api/settings/webhook' });
      expect(get.statusCode).toBe(403);
      expect(get.body).not.toMatch(/[0-9a-f]{64}/);
      expect(
        (await f.inject(token, { method: 'POST', url: '/api/settings/webhook/rotate' })).statusCode,
      ).toBe(403);
    }
    expect((await f.inject(undefined, { method: 'GET', url: '/api/settings/webhook' })).statusCode).toBe(401);
  });
});
