/** "What these numbers mean": the one definition of each count, shown on every page that counts. */
import { For, type JSX } from 'solid-js';
import { DEFINITIONS } from '../../lib/definitions.ts';

export function Definitions(): JSX.Element {
  return (
    <details class="definitions" data-testid="definitions">
      <summary>What these numbers mean</summary>
      <dl>
        <For each={DEFINITIONS}>
          {(d) => (
            <>
              <dt>{d.term}</dt>
              <dd>{d.meaning}</dd>
            </>
          )}
        </For>
      </dl>
    </details>
  );
}
