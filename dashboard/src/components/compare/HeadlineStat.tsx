/** A headline figure with its changes against earlier periods underneath, one line each. */
import type { FigureChanges, SummaryChanges } from '@oskartrack/protocol';
import { For, type JSX } from 'solid-js';
import { Stat } from '../Common.tsx';
import { changeWords, direction } from './change-words.ts';

export interface ChangeLine {
  text: string;
  direction: 'up' | 'down' | 'none';
}

const COLOURS = { up: '#166534', down: 'var(--red)', none: 'var(--muted)' } as const;

/** The lines under one figure; none while the changes load or when they could not be loaded. */
export function changeLines(changes: SummaryChanges | undefined, figure: keyof FigureChanges): ChangeLine[] {
  if (!changes) return [];
  return changes.comparisons.map((c) => ({
    text: changeWords(c.changes[figure], c.base, changes.from, changes.to),
    direction: direction(c.changes[figure]),
  }));
}

export function HeadlineStat(props: {
  label: string;
  value: string;
  hint?: string;
  testId?: string;
  changes: ChangeLine[];
}): JSX.Element {
  return (
    <Stat label={props.label} value={props.value} hint={props.hint} testId={props.testId}>
      <For each={props.changes}>
        {(c) => (
          <div
            class="stat-change"
            data-testid="stat-change"
            data-direction={c.direction}
            style={{
              color: COLOURS[c.direction],
              'font-size': '0.75rem',
              'font-weight': c.direction === 'none' ? 400 : 600,
            }}
          >
            {c.text}
          </div>
        )}
      </For>
    </Stat>
  );
}
