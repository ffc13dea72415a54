/**
 * Reports by e-mail: the schedules (every day, week or month, per store or for all stores), a download
 * of the report right now, and for administrators the mail server and the optional summary writer.
 */
import type { ReportScheduleWire } from '@oskartrack/protocol';
import { createResource, type JSX, Show } from 'solid-js';
import { describeError } from '../api/client.ts';
import { listReportSchedules } from '../api/endpoints.ts';
import { ErrorNote, PageHeader } from '../components/Common.tsx';
import { EmailServerForm } from '../components/reports/EmailServerForm.tsx';
import { PreviewDownloads } from '../components/reports/PreviewDownloads.tsx';
import { ReportWriterForm } from '../components/reports/ReportWriterForm.tsx';
import { ScheduleForm } from '../components/reports/ScheduleForm.tsx';
import { ScheduleList } from '../components/reports/ScheduleList.tsx';
import { allows } from '../components/Shell.tsx';
import { useApp } from '../stores/app.tsx';

export default function Reports(): JSX.Element {
  const { api, places, session } = useApp();
  void places.actions.load();
  const admin = () => session.state.user?.role === 'admin';
  const [schedules, { refetch }] = createResource(
    () => listReportSchedules(api) as Promise<ReportScheduleWire[]>,
  );
  // The last list stays while a new one loads; a failed load shows its words instead.
  const list = () =>
    schedules.state === 'ready' || schedules.state === 'refreshing' ? schedules.latest : [];
  return (
    <div class="page" data-testid="reports-page">
      <PageHeader title="Reports" />
      <section class="card">
        <h2>Reports sent by e-mail</h2>
        <p class="small muted">
          Each report holds the visitors, entrances, time spent, the busiest day and hour and the busiest
          areas, compared with the period before, as an Excel file and a PDF.
        </p>
        <ErrorNote text={schedules.error ? describeError(schedules.error) : ''} onRetry={() => refetch()} />
        <ScheduleList schedules={list()} onChanged={() => refetch()} />
        <h3>Add a report</h3>
        <ScheduleForm onCreated={() => refetch()} />
      </section>
      {/* Managers and administrators: a download builds the whole report on the hub. */}
      <Show when={allows(session.state.user?.role, 'manager')}>
        <section class="card">
          <h2>Download a report now</h2>
          <PreviewDownloads />
        </section>
      </Show>
      <Show when={admin()}>
        <section class="card">
          <h2>E-mail server</h2>
          <EmailServerForm />
        </section>
        <section class="card">
          <h2>Summary writer</h2>
          <ReportWriterForm />
        </section>
      </Show>
    </div>
  );
}
