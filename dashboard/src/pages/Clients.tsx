/**
 * Visitors: for the chosen store and days, how long people stayed (in everyday buckets, with the
 * typical visit and the share of short and long ones) and where they went between areas. Store
 * managers and administrators can also open the installer's view of single visits.
 */

import { createMemo, createSignal, type JSX, Show } from 'solid-js';
import { describeError } from '../api/client.ts';
import { ErrorNote, Loading, PageHeader, PlacePicker } from '../components/Common.tsx';
import { RangePicker } from '../components/numbers/RangePicker.tsx';
import { allows } from '../components/Shell.tsx';
import { AreaPaths } from '../components/visitors/AreaPaths.tsx';
import { InstallerVisits } from '../components/visitors/InstallerVisits.tsx';
import { areaPaths } from '../components/visitors/paths.ts';
import { useAreaNames, useVisitorNumbers, useVisitorsQuery } from '../components/visitors/query.ts';
import { TimeSpent } from '../components/visitors/TimeSpent.tsx';
import { VisitHeadline } from '../components/visitors/VisitHeadline.tsx';
import '../components/visitors/visitors.css';
import { useApp } from '../stores/app.tsx';

/** The owner's figures: headline, time spent, walks between areas. */
function OwnerView(): JSX.Element {
  const { choice } = useApp();
  const query = useVisitorsQuery();
  const [numbers, { refetch }] = useVisitorNumbers(query);
  const areas = useAreaNames(() => choice.state.storeId);
  const paths = createMemo(() => areaPaths(numbers()?.flows.flows ?? [], areas.nameOf));
  return (
    <>
      <RangePicker value={choice.state.range} onChange={(r) => choice.actions.setRange(r)} />
      <p class="muted small" style={{ margin: 0 }}>
        How long people stayed and where they went, on the days you chose. Nobody is named or recognised: a
        visit is one person seen from coming into view until leaving it.
      </p>
      <ErrorNote text={numbers.error ? describeError(numbers.error) : ''} onRetry={() => void refetch()} />
      <Show
        when={numbers()}
        fallback={
          <Show when={!numbers.error && query()}>
            <Loading />
          </Show>
        }
      >
        {(n) => (
          <>
            <VisitHeadline durations={n().durations} />
            <div class="grid">
              <TimeSpent durations={n().durations} />
              <AreaPaths paths={paths()} hasAreas={areas.hasAreas()} />
            </div>
          </>
        )}
      </Show>
    </>
  );
}

export default function Clients(): JSX.Element {
  const { session } = useApp();
  const [details, setDetails] = createSignal(false);
  const installer = () => allows(session.state.user?.role, 'manager');
  return (
    <div class="page">
      <PageHeader title="Visitors">
        <PlacePicker noCamera />
      </PageHeader>
      <Show when={installer()}>
        <div class="toolbar" role="tablist" aria-label="What to show">
          <button
            type="button"
            role="tab"
            class="small"
            aria-selected={!details()}
            classList={{ active: !details() }}
            onClick={() => setDetails(false)}
          >
            Summary
          </button>
          <button
            type="button"
            role="tab"
            class="small"
            data-testid="installer-view"
            aria-selected={details()}
            classList={{ active: details() }}
            onClick={() => setDetails(true)}
          >
            Single visits (for installers)
          </button>
        </div>
      </Show>
      <Show when={installer() && details()} fallback={<OwnerView />}>
        <InstallerVisits />
      </Show>
    </div>
  );
}
