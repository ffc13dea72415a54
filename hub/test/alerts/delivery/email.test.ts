/** E-mail words and the storm rule, on deliveries as the worker claims them. */
import { describe, expect, it } from 'vitest';
import { emailJobs, localTime } from '../../../src/alerts/delivery/email.ts';
import type { DueDelivery } from '../../../src/alerts/delivery/queue.ts';

let n = 0;
function due(over: {
  target?: string;
  event?: 'firing' | 'cleared';
  message?: string;
  group?: string;
  store?: string;
  timezone?: string;
}): DueDelivery {
  n++;
  return {
    id: `d${n}`,
    channel: 'email',
    target: over.target ?? 'owner@shop.example',
    event: over.event ?? 'firing',
    attempts: 0,
    createdAt: new Date('2026-12-02T14:03:00Z'),
    alert: {
      id: `a${n}`,
      storeId: 'store-1',
      kind: 'picture_changed',
      subject: `cam-${n}`,
      message: over.message ?? "The Front door camera's picture looks covered.",
      details: over.group ? { group: over.group } : {},
      firedAt: new Date('2026-12-02T14:03:00Z'),
      clearedAt: over.event === 'cleared' ? new Date('2026-12-02T15:10:00Z') : null,
    },
    store: { name: over.store ?? 'Demo store', timezone: over.timezone ?? 'UTC' },
  };
}

describe('alert e-mails', () => {
  it('says what happened and where in the subject, and the store and time in the text', () => {
    const [job] = emailJobs([due({ timezone: 'Europe/Berlin' })]);
    expect(job?.message.subject).toBe("Alert in Demo store: the Front door camera's picture looks covered");
    expect(job?.message.to).toEqual(['owner@shop.example']);
    expect(job?.message.text).toContain("The Front door camera's picture looks covered.");
    expect(job?.message.text).toContain('Store: Demo store');
    expect(job?.message.text).toContain('15:03 (Europe/Berlin)'); // 14:03 UTC is 15:03 in Berlin in December
  });

  it("in the alert engine's own words: the store said once, names kept as they are", () => {
    const jobs = emailJobs([
      due({ message: 'Demo store: 52 people inside (your limit is 50)' }),
      due({ message: 'Front door camera: the picture looks covered since 14:03' }),
    ]);
    expect(jobs.map((j) => j.message.subject)).toEqual([
      'Alert in Demo store: 52 people inside (your limit is 50)',
      'Alert in Demo store: Front door camera: the picture looks covered since 14:03',
    ]);
  });

  it('a clearing says so', () => {
    const [job] = emailJobs([due({ event: 'cleared' })]);
    expect(job?.message.subject).toBe("Cleared in Demo store: the Front door camera's picture looks covered");
    expect(job?.message.text).toContain('15:10 (UTC)');
    expect(job?.message.text).toContain('This is over now.');
  });

  it('groups a storm per address and event; alerts without a group stay alone', () => {
    const jobs = emailJobs([
      ...Array.from({ length: 7 }, (_, i) => due({ group: 'g1', message: `Camera ${i} stopped.` })),
      ...Array.from({ length: 7 }, (_, i) =>
        due({ group: 'g1', target: 'tech@shop.example', message: `C${i}.` }),
      ),
      due({ group: 'g1', event: 'cleared' }),
      due({ group: 'g2' }),
      due({}),
      due({}),
    ]);
    const subjects = jobs.map((j) => `${j.message.to[0]} ${j.message.subject}`);
    expect(subjects.filter((s) => s.endsWith('7 problems in Demo store')).sort()).toEqual([
      'owner@shop.example 7 problems in Demo store',
      'tech@shop.example 7 problems in Demo store',
    ]);
    expect(jobs).toHaveLength(6);
    const storm = jobs.find((j) => j.message.to[0] === 'owner@shop.example' && j.ids.length === 7);
    for (let i = 0; i < 7; i++) expect(storm?.message.text).toContain(`Camera ${i} stopped.`);
    expect(jobs.reduce((sum, j) => sum + j.ids.length, 0)).toBe(18);
  });

  it('an unknown time zone falls back to UTC instead of failing', () => {
    expect(localTime(new Date('2026-12-02T14:03:00Z'), 'Not/AZone')).toContain('14:03 (UTC)');
  });
});
