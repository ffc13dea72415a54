// The Alerts page's words: a storm shown as one entry, rules said as sentences, addresses typed freely.
import type { Alert } from '@oskartrack/protocol';
import { describe, expect, it } from 'vitest';
import { channelWords, entries, KINDS, splitAddresses } from '../../../src/components/alerts/words.ts';

let n = 0;
const alert = (group?: string): Alert => {
  n++;
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    ruleId: '00000000-0000-4000-8000-000000000000',
    storeId: 'demo-store',
    kind: 'box_offline',
    subject: `unit-${n}`,
    state: 'firing',
    message: `Camera unit 'Unit ${n}' has been offline for 65 minutes`,
    details: group ? { group } : {},
    firedAt: '2026-03-01T10:00:00.000Z',
    clearedAt: null,
  };
};

describe('alert words', () => {
  it('keeps the alerts of one storm together, in the order of the first of them', () => {
    const lone = alert();
    const storm = Array.from({ length: 7 }, () => alert('g1'));
    const later = alert();
    const list = entries([lone, storm[0]!, later, ...storm.slice(1)]);
    expect(list).toHaveLength(3);
    expect(list[0]).toEqual({ alert: lone });
    expect(list[1]).toEqual({ group: 'g1', alerts: storm });
    expect(list[2]).toEqual({ alert: later });
  });

  it('says each rule as a sentence and where it goes', () => {
    expect(KINDS.people_inside.sentence(1)).toBe('More than 1 person inside');
    expect(KINDS.people_inside.sentence(50)).toBe('More than 50 people inside');
    expect(KINDS.box_offline.sentence(30)).toBe('A camera unit offline for more than 30 minutes');
    expect(KINDS.picture_changed.sentence(0)).toBe('A picture covered, moved or dark');
    expect(channelWords({ channels: { email: [], webhook: null, mqtt: false } })).toBe('this page only');
    expect(
      channelWords({ channels: { email: ['a@b.example'], webhook: 'https://x.example', mqtt: true } }),
    ).toBe('e-mail to a@b.example, a web address, the building system (MQTT)');
  });

  it('reads e-mail addresses typed with commas, spaces or new lines', () => {
    expect(splitAddresses(' a@b.example, c@d.example;\ne@f.example  ')).toEqual([
      'a@b.example',
      'c@d.example',
      'e@f.example',
    ]);
    expect(splitAddresses('  ')).toEqual([]);
  });
});
