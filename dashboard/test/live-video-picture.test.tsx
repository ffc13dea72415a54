// The Live page's video picture rendered into a DOM: the latest picture with its frame time, and the
// boxes of that frame drawn in the camera's picture pixels (or none when none arrived for it).
import type { JSX } from 'solid-js';
import { render } from 'solid-js/web';
import { afterEach, describe, expect, it } from 'vitest';
import type { Camera } from '../src/api/types.ts';
import { LiveVideoPicture } from '../src/components/live/LiveVideoPicture.tsx';
import type { VideoPicture } from '../src/lib/live.ts';

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

const picture: VideoPicture = {
  cameraId: 'cam',
  at: 1_780_000_000_500,
  src: 'data:image/jpeg;base64,/9j/AAAA',
  width: 768,
  height: 576,
};

describe('LiveVideoPicture', () => {
  it('shows the picture with its frame time and the boxes of its frame, scaled to the camera’s frame', () => {
    // Areas are drawn in the camera's own frame size (384x288 here); boxes come in the box's 768x576.
    const camera: Camera = {
      id: 'cam',
      storeId: 'shop',
      deviceId: 'unit',
      name: 'Door',
      source: 'rtsp://10.0.0.5/stream',
      detector: null,
      fps: 7,
      frameWidth: 384,
      frameHeight: 288,
      enabled: true,
      createdAt: '2025-06-01T10:00:00.000Z',
      updatedAt: '2025-06-01T10:00:00.000Z',
    };
    const root = mount(() => (
      <LiveVideoPicture
        camera={camera}
        picture={picture}
        boxes={{
          at: picture.at,
          width: 768,
          height: 576,
          tracks: [{ id: 4, box: [100, 50, 20, 40], score: 1 }],
        }}
        zones={[]}
        lines={[]}
      />
    ));
    const img = root.querySelector('[data-testid=live-video]')!;
    expect(img.getAttribute('src')).toBe(picture.src);
    expect(img.getAttribute('data-at')).toBe(String(picture.at));
    expect(img.getAttribute('alt')).toBe('Live view from Door');
    expect(root.querySelector('svg.overlay')?.getAttribute('viewBox')).toBe('0 0 384 288');
    expect(root.querySelector('[data-testid=video-boxes]')?.getAttribute('data-at')).toBe(String(picture.at));
    const rect = root.querySelector('.live-box rect.track')!;
    expect(['x', 'y', 'width', 'height'].map((a) => rect.getAttribute(a))).toEqual(['50', '25', '10', '20']);
  });

  it('draws no boxes when none arrived for the picture’s frame', () => {
    const root = mount(() => (
      <LiveVideoPicture camera={undefined} picture={picture} boxes={undefined} zones={[]} lines={[]} />
    ));
    expect(root.querySelector('[data-testid=live-video]')).not.toBeNull();
    expect(root.querySelector('svg.overlay')?.getAttribute('viewBox')).toBe('0 0 768 576');
    expect(root.querySelectorAll('.live-box')).toHaveLength(0);
  });
});
