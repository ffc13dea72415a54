/**
 * A store's retention through the API: 400 days unless chosen, changed in days or to forever, and a
 * wrong number refused with words that say what to send.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, uid } from '../db/backends.ts';
import { type Fixture, openFixture } from './fixture.ts';

describe.each(BACKENDS)('store retention through the API on %s', (kind) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(kind);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('defaults to 400 days, changes to a number or forever, refuses nonsense', async () => {
    const admin = f.tokens.admin;
    const created = await f.inject(admin, {
      method: 'POST',
      url: '/api/stores',
      payload: { id: `ret-${uid()}`, name: 'Kept shop' },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().rawRetentionDays).toBe(400);
    const id = created.json().id as string;
    const patch = (rawRetentionDays: unknown) =>
      f.inject(admin, { method: 'PATCH', url: `/api/stores/${id}`, payload: { rawRetentionDays } });

    expect((await patch(30)).json().rawRetentionDays).toBe(30);
    expect((await f.inject(admin, { method: 'GET', url: `/api/stores/${id}` })).json().rawRetentionDays).toBe(
      30,
    );
    expect((await patch(null)).json().rawRetentionDays).toBeNull();
    for (const bad of [0, -5, 1.5, 40_000, 'a year']) {
      const r = await patch(bad);
      expect(r.statusCode, JSON.stringify(bad)).toBe(400);
    }
    const forever = await f.inject(admin, {
      method: 'POST',
      url: '/api/stores',
      payload: { id: `ret-${uid()}`, name: 'Forever shop', rawRetentionDays: null },
    });
    expect(forever.json().rawRetentionDays).toBeNull();
  });
});
