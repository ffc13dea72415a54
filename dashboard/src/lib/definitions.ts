/**
 * What the dashboard's counts mean, written once: every page that shows a count under one of these
 * names (Overview, Numbers, Live) uses these words, and the hub computes it the same way everywhere
 * (hub/src/db/repositories/analytics.ts, hub/src/aggregate/summarize.ts).
 */

export interface Definition {
  term: string;
  /** A few words under the number. */
  hint: string;
  /** The full meaning, for "What these numbers mean". */
  meaning: string;
}

export const VISITORS: Definition = {
  term: 'Visitors',
  hint: 'people seen, once per visit',
  meaning:
    'People the cameras saw, each counted once per visit: from coming into the picture until leaving it. ' +
    'Someone who leaves the picture and comes back later counts again. Passers-by who come into view count too.',
};

export const ENTRANCES: Definition = {
  term: 'Entrances',
  hint: 'walked in over a counting line',
  meaning:
    'Times someone walked in over a counting line (such as the door). One visitor can walk in more than ' +
    'once, and people who never cross the line are not counted, so entrances and visitors differ.',
};

export const WALKED_OUT: Definition = {
  term: 'Walked out',
  hint: 'walked out over a counting line',
  meaning: 'Times someone walked out over a counting line.',
};

export const TIME_SPENT: Definition = {
  term: 'Average time spent',
  hint: 'per visit',
  meaning: 'How long visits lasted on average, from coming into the picture until leaving it.',
};

export const AREA_VISITS: Definition = {
  term: 'Area visits',
  hint: 'walked into an area',
  meaning: 'Times someone walked into one of the areas drawn on the camera picture.',
};

export const DEFINITIONS: readonly Definition[] = [VISITORS, ENTRANCES, WALKED_OUT, TIME_SPENT, AREA_VISITS];
