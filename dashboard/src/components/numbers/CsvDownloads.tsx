/**
 * Downloads for a spreadsheet: the visits, and the numbers per hour or per day, each as CSV or Excel,
 * with names, the store's local times and seconds; recorded videos only when the switch says so.
 */
import { For, type JSX } from 'solid-js';
import { RecordingsSwitch } from '../overview/RecordingsSwitch.tsx';
import { DownloadButton } from './DownloadButton.tsx';
import type { NumbersQuery } from './query.ts';

const EXPORTS = [
  { id: 'visits', title: 'Visits', path: '/api/export/visits', withCamera: true },
  { id: 'hourly', title: 'Numbers per hour', path: '/api/export/numbers', extra: { period: 'hour' } },
  { id: 'daily', title: 'Numbers per day', path: '/api/export/numbers', extra: { period: 'day' } },
] as const;

const FORMATS = [
  { format: 'xlsx', label: 'Excel' },
  { format: 'csv', label: 'CSV' },
] as const;

export function CsvDownloads(props: { query: NumbersQuery | null }): JSX.Element {
  return (
    <section class="card" data-testid="downloads">
      <h2>Download for a spreadsheet</h2>
      <p class="small muted">
        For the chosen days, with times in the store's time zone ({props.query?.timezone ?? 'UTC'}) and time
        spent in seconds.
      </p>
      <div class="stack" style={{ gap: '0.5rem' }}>
        <For each={EXPORTS}>
          {(e) => (
            <div class="toolbar">
              {/* Excel and CSV stay together, under the title when the window is narrow. */}
              <strong style={{ flex: '0 0 10rem' }}>{e.title}</strong>
              <div class="toolbar">
                <For each={FORMATS}>
                  {(f) => (
                    <DownloadButton
                      path={e.path}
                      query={props.query}
                      format={f.format}
                      withCamera={'withCamera' in e}
                      {...('extra' in e ? { extra: e.extra } : {})}
                      label={f.label}
                      testId={`download-${e.id}-${f.format}`}
                    />
                  )}
                </For>
              </div>
            </div>
          )}
        </For>
      </div>
      <RecordingsSwitch testId="include-recordings-downloads" />
    </section>
  );
}
