// The Stores page's note about counts from cameras the hub does not know.
import { render } from 'solid-js/web';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeadLetterGroup } from '../src/api/types.ts';
import { DeadLetterNote } from '../src/components/DeadLetters.tsx';

let dispose: (() => void) | undefined;
afterEach(() => {
  dispose?.();
  document.body.innerHTML = '';
});

function mount(groups: DeadLetterGroup[]): HTMLElement {
  const root = document.createElement('div');
  document.body.append(root);
  dispose = render(() => <DeadLetterNote groups={groups} />, root);
  return root;
}

describe('DeadLetterNote', () => {
  it('says in plain words how many counts came from an unknown camera and what to do', () => {
    const root = mount([
      {
        deviceId: 'dev-1',
        deviceName: 'Till box',
        storeId: 'store-1',
        cameraId: 'cam-old',
        count: 42,
        lastReason: 'unknown camera',
        lastReceivedAt: new Date().toISOString(),
      },
    ]);
    const text = root.querySelector('[data-testid="dead-letters"]')?.textContent ?? '';
    expect(text).toContain('Counts from a camera the hub does not know: 42');
    expect(text).toContain('Till box');
    expect(text).toContain('cam-old');
    expect(text).toContain('add the camera or move the box back');
  });

  it('shows nothing when there are none', () => {
    expect(mount([]).querySelector('[data-testid="dead-letters"]')).toBeNull();
  });
});
