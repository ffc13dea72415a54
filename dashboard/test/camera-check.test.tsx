// The installer's camera check on the dashboard: the button runs it, the verdict and warnings read in
// plain words, and a box that is not connected says what to do next.
import type { CameraCheck } from '@oskartrack/protocol';
import type { JSX } from 'solid-js';
import { render } from 'solid-js/web';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/client.ts';
import { CameraCheckPanel, CameraCheckResult } from '../src/components/boxes/CameraCheck.tsx';

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

/** What a box answered for a half-size copy of PETS09 (people about 41 px tall). */
const SMALL: CameraCheck = {
  v: 1,
  at: 1_764_670_000_000,
  cameraId: 'entrance',
  source: '/media/entrance.avi',
  width: 384,
  height: 288,
  cameraFps: 7,
  cameraFpsFrom:
    "7 frames/s, as given (--fps, or the camera's settings on the hub); the header says 10 frames/s",
  seconds: 6,
  brightness: 119.6,
  motionShare: 1,
  runs: [
    {
      detector: 'yolox',
      configured: true,
      frames: 42,
      seconds: 6,
      peopleShare: 0.88,
      peoplePerFrame: 3.1,
      fps: 9.5,
      personHeight: { median: 41.2, p10: 35.1, p90: 48, boxes: 120 },
      uprightShare: 1,
    },
    {
      detector: 'hog',
      configured: false,
      frames: 14,
      seconds: 2,
      peopleShare: 0.2,
      peoplePerFrame: 0.2,
      fps: 6.1,
      personHeight: null,
      uprightShare: 1,
    },
  ],
  personHeight: { median: 41.2, p10: 35.1, p90: 48, boxes: 120 },
  recommended: {
    detector: 'yolox',
    everyNth: 'auto',
    keepsUp: true,
    reason:
      'YOLOX followed more people in this view than HOG; it keeps up with every frame: 9.5 frames/s on this box, the camera gives 7.0',
  },
  warnings: [
    {
      code: 'small-people',
      message:
        'people are smaller than 60 px (typically 41 px tall): move the camera closer or use a higher resolution',
    },
  ],
  verdict: 'fair',
  summary:
    'This view will count, better after the changes below: people are about 41 px tall and were found in 88 % of the frames.',
};

const text = (root: HTMLElement, id: string) => root.querySelector(`[data-testid=${id}]`)?.textContent ?? '';
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('CameraCheck', () => {
  it('reads the verdict, the person size, the recommended settings and each warning', () => {
    const root = mount(() => <CameraCheckResult check={SMALL} />);
    expect(text(root, 'camera-check-verdict')).toBe('Counts, with changes');
    expect(text(root, 'camera-check-height')).toBe(
      'People are typically 41 px tall (most between 35 and 48 px).',
    );
    expect(text(root, 'camera-check-recommended')).toBe(
      'Recommended: YOLOX, "Look for people in every Nth picture" on Automatic (YOLOX followed more people in this view than HOG; it keeps up with every frame: 9.5 frames/s on this box, the camera gives 7.0).',
    );
    expect(root.textContent).not.toMatch(/enlarged|input size/);
    const warnings = [...root.querySelectorAll('[data-testid=camera-check-warnings] li')];
    expect(warnings.map((w) => w.getAttribute('data-code'))).toEqual(['small-people']);
    expect(warnings[0]!.textContent).toContain('move the camera closer');
    expect(root.textContent).toContain('HOG (tried on a sample): people in 20 % of the frames');
    expect(text(root, 'camera-check-frame-rate')).toBe(`Frame rate: ${SMALL.cameraFpsFrom}`);
  });

  it('leaves the frame-rate line out for a box too old to say where its rate came from', () => {
    const { cameraFpsFrom: _, ...old } = SMALL;
    const root = mount(() => <CameraCheckResult check={old} />);
    expect(root.querySelector('[data-testid=camera-check-frame-rate]')).toBeNull();
  });

  it('runs the check on the button, and says what to do when the box is not connected', async () => {
    const answers: (() => Promise<CameraCheck>)[] = [
      () => Promise.reject(new ApiError(503, 'the box is not connected: check its network, then try again')),
      () => Promise.resolve(SMALL),
    ];
    let calls = 0;
    const root = mount(() => <CameraCheckPanel run={() => answers[calls++]!()} />);
    const button = root.querySelector<HTMLButtonElement>('[data-testid=camera-check-run]')!;
    expect(button.textContent).toBe('Check this camera');
    button.click();
    await settle();
    expect(root.querySelector('[role=alert]')?.textContent).toContain(
      'the box is not connected: check its network, then try again',
    );
    expect(root.querySelector('[data-testid=camera-check]')).toBeNull();
    button.click();
    await settle();
    expect(calls).toBe(2);
    expect(root.querySelector('[role=alert]')).toBeNull();
    expect(root.querySelector('[data-testid=camera-check]')?.getAttribute('data-verdict')).toBe('fair');
  });
});
