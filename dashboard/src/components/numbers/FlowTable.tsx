/** How visitors walked from one area to the next, most walked first, with a bar for each share. */
import { For, type JSX, Show } from 'solid-js';
import type { flowRows } from '../../lib/analytics.ts';
import { formatCount } from '../../lib/format.ts';

export function FlowTable(props: { rows: ReturnType<typeof flowRows> }): JSX.Element {
  return (
    <Show when={props.rows.length} fallback={<p class="muted">No walks between areas in this range yet.</p>}>
      <table class="table" data-testid="flows">
        <thead>
          <tr>
            <th>From</th>
            <th>To</th>
            <th>Visitors</th>
          </tr>
        </thead>
        <tbody>
          <For each={props.rows}>
            {(r) => (
              <tr>
                <td>{r.from}</td>
                <td>{r.to}</td>
                <td>
                  <div style={{ display: 'flex', 'align-items': 'center', gap: '0.4rem' }}>
                    <div
                      style={{
                        height: '8px',
                        width: `${Math.max(4, r.share * 80)}px`,
                        background: 'var(--teal)',
                        'border-radius': '4px',
                      }}
                    />
                    {formatCount(r.count)}
                  </div>
                </td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </Show>
  );
}
