import { describe, expect, it } from 'vitest';
import type { Scene } from '../../src/analytics/scene.ts';
import { sceneNotes } from '../../src/analytics/scene-notes.ts';

const frame = { width: 768, height: 576 };

describe('notes on areas and lines that will hardly count', () => {
  it('names a thin band and a line on the picture edge, and nothing else', () => {
    const scene: Scene = {
      zones: [
        {
          id: 'band',
          name: 'Band',
          polygon: [
            [380, 0],
            [388, 0],
            [388, 576],
            [380, 576],
          ],
        },
        {
          id: 'till',
          name: 'Till',
          polygon: [
            [100, 300],
            [300, 300],
            [300, 400],
            [100, 400],
          ],
        },
        {
          id: 'strip',
          name: 'Shop front',
          polygon: [
            [0, 400],
            [768, 400],
            [768, 430],
            [0, 430],
          ],
        },
      ],
      lines: [
        { id: 'bottom', name: 'Bottom', start: [0, 575], end: [767, 576], inSide: 'left' },
        { id: 'mid', name: 'Mid', start: [384, 0], end: [384, 576], inSide: 'left' },
      ],
    };
    expect(sceneNotes(scene, frame)).toEqual([
      'area "Band" is only about 8 px thick: someone walking through is not inside it long enough to be counted (3/7 s); to count people passing, draw a line there instead',
      'line "Bottom" lies on the edge of the picture: people\'s feet never cross it; draw it a little inside the picture, where people walk',
    ]);
  });
});
