/** Downloads for a spreadsheet: the visits, and the numbers per hour or per day. */
import type { JSX } from 'solid-js';
import { DownloadButton } from './DownloadButton.tsx';
import type { NumbersQuery } from './query.ts';

export function CsvDownloads(props: { query: NumbersQuery | null }): JSX.Element {
  return (
    <section class="card">
      <h2>Download for a spreadsheet</h2>
      <div class="toolbar">
        <DownloadButton path="/api/export/visits.csv" query={props.query} label="Visits (CSV)" />
        <DownloadButton
          path="/api/export/summaries.csv"
          query={props.query}
          extra={{ period: 'hour' }}
          label="Hourly numbers (CSV)"
        />
        <DownloadButton
          path="/api/export/summaries.csv"
          query={props.query}
          extra={{ period: 'day' }}
          label="Daily numbers (CSV)"
        />
      </div>
    </section>
  );
}
