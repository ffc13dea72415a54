/** Under the figures on the Numbers page: that they count the store's opening hours only, and which. */
import { type JSX, Show } from 'solid-js';
import { describeWeek } from '../../lib/opening-hours.ts';
import { useApp } from '../../stores/app.tsx';

export function OpeningHoursNote(props: { storeId: string | null | undefined }): JSX.Element {
  const { places } = useApp();
  const hours = () => places.state.stores.find((s) => s.id === props.storeId)?.openingHours ?? null;
  return (
    <Show when={hours()}>
      {(h) => (
        <p class="small muted" data-testid="opening-hours-note">
          Counted during opening hours only ({describeWeek(h())})
        </p>
      )}
    </Show>
  );
}
