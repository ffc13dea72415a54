/**
 * Where people went between areas, as sentences: the area they walked into first, then for each area
 * "Of the 25 people who went to the Entrance, 40 % (10) went on to the Till next".
 */
import { For, type JSX, Show } from 'solid-js';
import { formatCount, formatPercent } from '../../lib/format.ts';
import { Empty } from '../Common.tsx';
import type { AreaOnward, AreaPaths as Paths } from './paths.ts';

const people = (n: number) => `${formatCount(n)} ${n === 1 ? 'person' : 'people'}`;

function Onward(props: { area: AreaOnward }): JSX.Element {
  const a = () => props.area;
  return (
    <li class="path-area" data-testid="path-area">
      <p>
        {a().arrivals === 1 ? 'The one person' : `Of the ${people(a().arrivals)}`} who went to{' '}
        <strong>{a().name}</strong>:
      </p>
      <ul class="path-next">
        <For each={a().next}>
          {(n) => (
            <li data-testid="path-next">
              <span class="path-share">{formatPercent(n.share)}</span> went on to <strong>{n.name}</strong>{' '}
              next ({people(n.count)})
            </li>
          )}
        </For>
        <Show when={a().noOther > 0}>
          <li class="muted">
            <span class="path-share">{formatPercent(a().noOther / a().arrivals)}</span> went to no other area
            afterwards ({people(a().noOther)})
          </li>
        </Show>
      </ul>
    </li>
  );
}

export function AreaPaths(props: { paths: Paths; hasAreas: boolean }): JSX.Element {
  return (
    <section class="card" data-testid="area-paths">
      <h2>Where people went</h2>
      <Show
        when={props.paths.areas.length}
        fallback={
          <Empty>
            {props.hasAreas
              ? 'Nobody walked from one area to another on these days.'
              : 'This store has no areas yet: a store manager draws them on "Areas & lines", then the walks between them show here.'}
          </Empty>
        }
      >
        <Show when={props.paths.first.length}>
          <p class="small muted">The area people walked into first:</p>
          <ul class="path-next" data-testid="path-first">
            <For each={props.paths.first.slice(0, 5)}>
              {(f) => (
                <li>
                  <span class="path-share">{formatPercent(f.share)}</span> <strong>{f.name}</strong> (
                  {people(f.count)})
                </li>
              )}
            </For>
          </ul>
        </Show>
        <ul class="path-areas">
          <For each={props.paths.areas}>{(a) => <Onward area={a} />}</For>
        </ul>
      </Show>
    </section>
  );
}
