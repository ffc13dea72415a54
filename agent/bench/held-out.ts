// Areas and lines kept out of every tuning script: agent/bench/pets09-heldout-scene.json was written
// before any result on it was seen. Tuning scripts call `assertTunable` on each scene file they read.
import { basename } from 'node:path';

export const HELD_OUT_SCENE_FILE = 'pets09-heldout-scene.json';

/** The areas and lines tuning may use, each written before any result on it (paths from the repository root). */
export const TUNING_SCENE_FILES = [
  'agent/bench/pets09-scene.json',
  'agent/bench/pets09-tuning2-scene.json',
  'agent/bench/pets09-tuning3-scene.json',
  'agent/bench/pets09-tuning4-scene.json',
];

/** Throws when `path` is a held-out scene file: tuning on it would make the reported numbers optimistic. */
export function assertTunable(path: string): void {
  if (basename(path) === HELD_OUT_SCENE_FILE) {
    throw new Error(
      `${path} holds the held-out areas and lines (reported in docs/benchmarks.md): tune on agent/bench/pets09-scene.json instead`,
    );
  }
}
