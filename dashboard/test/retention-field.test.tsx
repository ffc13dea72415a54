// The Stores page's retention field: how long a store keeps each visitor's detailed movements, in days
// or forever, with plain words for a wrong number.
import { render } from 'solid-js/web';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../src/api/types.ts';
import { RetentionField, retentionWords } from '../src/components/stores/RetentionField.tsx';

let dispose: (() => void) | undefined;
afterEach(() => {
  dispose?.();
  dispose = undefined;
  document.body.innerHTML = '';
});

const STAMP = '2026-06-01T10:00:00.000Z';
const store = (rawRetentionDays: number | null): Store => ({
  id: 'store-1',
  name: 'Corner shop',
  timezone: 'Europe/London',
  openingHours: null,
  rawRetentionDays,
  createdAt: STAMP,
  updatedAt: STAMP,
});

function mount(days: number | null) {
  const saved: (number | null)[] = [];
  const root = document.createElement('div');
  document.body.append(root);
  dispose = render(
    () => <RetentionField store={store(days)} busy={false} onSave={(d) => saved.push(d)} />,
    root,
  );
  const input = root.querySelector<HTMLInputElement>('input[name="retention-days"]')!;
  const forever = root.querySelector<HTMLInputElement>('input[name="retention-forever"]')!;
  const submit = () => root.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
  const type = (value: string) => {
    input.value = value;
    input.dispatchEvent(new InputEvent('input', { bubbles: true }));
  };
  return { root, input, forever, submit, type, saved };
}

describe('RetentionField', () => {
  it("shows the store's days and saves a new number", () => {
    const f = mount(400);
    expect(f.root.textContent).toContain("Keep each visitor's detailed movements for");
    expect(f.input.value).toBe('400');
    expect(f.forever.checked).toBe(false);
    f.type('90');
    f.submit();
    expect(f.saved).toEqual([90]);
  });

  it('keeps forever when ticked (the number field is then off)', () => {
    const f = mount(30);
    f.forever.checked = true;
    f.forever.dispatchEvent(new Event('change'));
    expect(f.input.disabled).toBe(true);
    f.submit();
    expect(f.saved).toEqual([null]);
  });

  it('refuses a number that is not whole days from 1 and says what to enter', () => {
    const f = mount(null);
    expect(f.forever.checked).toBe(true);
    f.forever.checked = false;
    f.forever.dispatchEvent(new Event('change'));
    f.type('0');
    f.submit();
    expect(f.saved).toEqual([]);
    expect(f.root.querySelector('[role="alert"]')?.textContent).toMatch(/whole number of days from 1/);
  });

  it('says how long in plain words', () => {
    expect(retentionWords(null)).toBe('Detailed movements are kept forever.');
    expect(retentionWords(1)).toBe('Detailed movements are kept for 1 day.');
    expect(retentionWords(400)).toBe('Detailed movements are kept for 400 days.');
  });
});
