/** Today's numbers so far (as on Overview and Numbers), who is in view now, and what is happening. */
import { For, type JSX } from 'solid-js';
import { ENTRANCES, TIME_SPENT, VISITORS } from '../../lib/definitions.ts';
import { formatCount, formatDuration } from '../../lib/format.ts';
import { Stat } from '../Common.tsx';
import { Definitions } from '../numbers/Definitions.tsx';
import { RecordingsSwitch } from '../overview/RecordingsSwitch.tsx';
import { FeedItem } from './FeedItem.tsx';
import type { LiveCamera } from './live-camera.ts';
import { useTodayNumbers } from './TodayNumbers.tsx';

export function SinceOpenedCard(props: { view: LiveCamera }): JSX.Element {
  const today = useTodayNumbers();
  // The last answer while the next loads; nothing ("…") after a failure, tried again at the next poll.
  const t = () => (today.error ? undefined : today.latest);
  const inView = () => props.view.fresh()?.tracks.length;
  return (
    <section class="card">
      <h2>Today so far</h2>
      <div class="stats">
        <Stat
          testId="live-visitors"
          label={VISITORS.term}
          value={t() ? formatCount(t()!.visitors) : '…'}
          hint={VISITORS.hint}
        />
        <Stat
          testId="live-entrances"
          label={ENTRANCES.term}
          value={t() ? formatCount(t()!.entries) : '…'}
          hint={ENTRANCES.hint}
        />
        <Stat
          label={TIME_SPENT.term}
          value={t() ? formatDuration(t()!.averageTimeSpentMs) : '…'}
          hint={TIME_SPENT.hint}
        />
        <Stat
          testId="live-in-view"
          label="In view now"
          value={inView() === undefined ? '–' : formatCount(inView())}
          hint="people the camera sees right now"
        />
      </div>
      <RecordingsSwitch testId="include-recordings-live" />
      <Definitions />
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
