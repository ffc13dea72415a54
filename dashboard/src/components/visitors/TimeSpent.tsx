/** How long people stayed: one bar per duration bucket, with the number and share of visits. */
import type { VisitDurations } from '@oskartrack/protocol';
import { For, type JSX, Show } from 'solid-js';
import { formatCount, formatPercent } from '../../lib/format.ts';
import { Empty } from '../Common.tsx';
import { bucketWords } from './durations.ts';

export function TimeSpent(props: { durations: VisitDurations }): JSX.Element {
  const most = () => Math.max(1, ...props.durations.buckets.map((b) => b.visits));
  return (
    <section class="card" data-testid="time-spent">
      <h2>How long people stayed</h2>
      <p class="small muted">
        Each visit counts from the moment someone comes into a camera's view until they leave it.
      </p>
      <Show
        when={props.durations.visits > 0}
        fallback={
          <Empty>
            No visits on these days. Choose other days, or check on Live that the camera sees people.
          </Empty>
        }
      >
        <ul class="duration-bars">
          <For each={props.durations.buckets}>
            {(b) => (
              <li data-testid="duration-bucket" data-visits={b.visits}>
                <span class="duration-label">{bucketWords(b)}</span>
                <span class="duration-track">
                  <span class="duration-bar" style={{ width: `${(b.visits / most()) * 100}%` }} />
                </span>
                <span class="duration-count">
                  {formatCount(b.visits)}{' '}
                  <span class="muted">({formatPercent(b.visits / props.durations.visits)})</span>
                </span>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </section>
  );
}
