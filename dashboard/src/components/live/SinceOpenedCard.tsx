/** Counters since the page opened, today's numbers, and the feed of what is happening. */
import { For, type JSX } from 'solid-js';
import { formatCount } from '../../lib/format.ts';
import { Stat } from '../Common.tsx';
import { FeedItem } from './FeedItem.tsx';
import type { LiveCamera } from './live-camera.ts';
import { TodayNumbers } from './TodayNumbers.tsx';

export function SinceOpenedCard(props: { view: LiveCamera }): JSX.Element {
  const counts = () => props.view.counts();
  return (
    <section class="card">
      <h2>Since you opened this page</h2>
      <div class="stats">
        <Stat testId="live-appeared" label="People seen" value={formatCount(counts()?.appeared ?? 0)} />
        <Stat label="Walked in" value={formatCount(counts()?.walkedIn ?? 0)} />
        <Stat label="Walked out" value={formatCount(counts()?.walkedOut ?? 0)} />
        <Stat label="Area visits" value={formatCount(counts()?.areaEntries ?? 0)} />
      </div>
      <TodayNumbers />
      <h3>What is happening</h3>
      <ul class="feed" data-testid="event-feed">
        <For
          each={props.view.events()}
          fallback={<li class="muted">Nothing yet: events appear here as they happen.</li>}
        >
          {(e) => <FeedItem event={e} names={props.view.names()} />}
        </For>
      </ul>
    </section>
  );
}
