// The live feed's `alert` message as the pages get it: checked against the hub's schema, times as text.
import { describe, expect, it } from 'vitest';
import { parseLiveMessage } from '../src/lib/live.ts';

const alert = {
  id: '6f1c1c52-8a55-4f4e-9a1e-3f0a2b7c9d10',
  ruleId: '0b4d3c2a-1e5f-4a6b-8c7d-9e0f1a2b3c4d',
  storeId: 'demo-store',
  kind: 'people_inside',
  subject: 'demo-store',
  state: 'firing',
  message: 'Demo store: 52 people inside (your limit is 50)',
  details: { people: 52, threshold: 50 },
  firedAt: '2026-03-01T10:00:00.000Z',
  clearedAt: null,
};

describe('alert messages of the live feed', () => {
  it('passes an alert to the pages', () => {
    expect(parseLiveMessage(JSON.stringify({ type: 'alert', alert }))).toEqual([{ type: 'alert', alert }]);
  });

  it('ignores an alert of another shape', () => {
    const wrong = { ...alert, state: 'maybe' };
    expect(parseLiveMessage(JSON.stringify({ type: 'alert', alert: wrong }))).toEqual([]);
    const { message: _m, ...noMessage } = alert;
    expect(parseLiveMessage(JSON.stringify({ type: 'alert', alert: noMessage }))).toEqual([]);
  });
});
