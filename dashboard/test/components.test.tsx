// The dashboard's drawing and status components rendered into a DOM: what a shop owner sees for given
// data, and that the buttons do what they say.
import type { JSX } from 'solid-js';
import { render } from 'solid-js/web';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CountingLine, Device, Zone } from '../src/api/types.ts';
import { DeviceState, ErrorNote, Stat } from '../src/components/Common.tsx';
import { AreasLayer, TracksLayer } from '../src/components/Scene.tsx';

let dispose: (() => void) | undefined;
afterEach(() => {
  dispose?.();
  dispose = undefined;
  document.body.innerHTML = '';
});

function mount(view: () => JSX.Element): HTMLElement {
  const root = document.createElement('div');
  document.body.append(root);
  dispose = render(view, root);
  return root;
}

const STAMP = '2025-06-01T10:00:00.000Z';
const zone = (id: string, name: string, polygon: [number, number][]): Zone => ({
  id,
  cameraId: 'cam',
  name,
  polygon,
  createdAt: STAMP,
  updatedAt: STAMP,
});
const line = (id: string, name: string): CountingLine => ({
  id,
  cameraId: 'cam',
  name,
  start: [0, 100],
  end: [200, 100],
  inSide: 'left',
  createdAt: STAMP,
  updatedAt: STAMP,
});

describe('AreasLayer', () => {
  it('draws each area as a polygon with its name, and each counting line with its name', () => {
    const root = mount(() => (
      <svg>
        <title>Areas</title>
        <AreasLayer
          zones={[
            zone('till', 'Till', [
              [10, 10],
              [110, 10],
              [110, 60],
            ]),
            zone('door', 'Door area', [
              [0, 0],
              [5, 0],
              [5, 5],
              [0, 5],
            ]),
          ]}
          lines={[line('entrance', 'Entrance')]}
        />
      </svg>
    ));
    const till = root.querySelector('[data-testid="area-till"]');
    expect(till?.querySelector('polygon')?.getAttribute('points')).toBe('10,10 110,10 110,60');
    expect(till?.textContent).toBe('Till');
    expect(root.querySelectorAll('polygon.area')).toHaveLength(2);
    const entrance = root.querySelector('[data-testid="line-entrance"]');
    const drawn = entrance?.querySelector('line.count-line');
    expect([drawn?.getAttribute('x1'), drawn?.getAttribute('y1'), drawn?.getAttribute('x2')]).toEqual([
      '0',
      '100',
      '200',
    ]);
    expect(entrance?.textContent).toBe('Entrance');
  });
});

describe('TracksLayer', () => {
  it('scales live boxes to the picture and labels them with their ids', () => {
    const root = mount(() => (
      <svg>
        <title>Live boxes</title>
        <TracksLayer
          tracks={[
            { id: 7, box: [100, 50, 20, 40], score: 0.9 },
            { id: 12, box: [300, 200, 30, 60], score: 0.8 },
          ]}
          scaleX={0.5}
          scaleY={0.5}
        />
      </svg>
    ));
    const boxes = root.querySelectorAll('.live-box');
    expect([...boxes].map((b) => b.getAttribute('data-track'))).toEqual(['7', '12']);
    const rect = boxes[0]!.querySelector('rect.track')!;
    expect([
      rect.getAttribute('x'),
      rect.getAttribute('y'),
      rect.getAttribute('width'),
      rect.getAttribute('height'),
    ]).toEqual(['50', '25', '10', '20']);
    expect(boxes[1]!.querySelector('.track-id')?.textContent).toBe('12');
  });
});

describe('Stat and ErrorNote', () => {
  it('shows a number with its label and hint', () => {
    const root = mount(() => <Stat label="Visitors" value="128" hint="today" testId="visitors" />);
    expect(root.textContent).toContain('Visitors');
    expect(root.textContent).toContain('128');
    expect(root.textContent).toContain('today');
  });

  it('shows an error in plain words, offers a retry, and shows nothing without an error', () => {
    const retry = vi.fn();
    const root = mount(() => <ErrorNote text="The hub cannot be reached." onRetry={retry} />);
    expect(root.textContent).toContain('The hub cannot be reached.');
    root.querySelector('button')!.click();
    expect(retry).toHaveBeenCalledOnce();
    dispose?.();
    const empty = mount(() => <ErrorNote text={null} />);
    expect(empty.textContent).toBe('');
  });
});

describe('DeviceState', () => {
  const device = (kind: Device['kind'], online: boolean, revoked = false): Device => ({
    createdAt: STAMP,
    updatedAt: STAMP,
    id: 'd',
    storeId: 's',
    name: 'Box',
    kind,
    online,
    revoked,
    lastSeenAt: null,
    statusAt: null,
    outboxDepth: 0,
    outboxOldestAgeMs: 0,
    softwareVersion: null,
    configRevision: 0,
    connection: 0,
  });
  it('shows a box online, offline or locked out, and the uploaded-videos device as none of them', () => {
    expect(mount(() => <DeviceState device={device('box', true)} />).textContent).toBe('Online');
    dispose?.();
    expect(
      mount(() => <DeviceState device={device('box', false)} />).querySelector('.badge.off')?.textContent,
    ).toBe('Offline');
    dispose?.();
    expect(mount(() => <DeviceState device={device('box', false, true)} />).textContent).toBe('Locked out');
    dispose?.();
    const rec = mount(() => <DeviceState device={device('recordings', false)} />);
    expect(rec.textContent).toBe('Uploaded videos');
    expect(rec.querySelector('.badge.off')).toBeNull();
  });
});
