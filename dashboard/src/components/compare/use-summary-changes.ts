/** The Numbers page's headline figures against earlier periods, for the chosen store, camera and days. */
import { createResource } from 'solid-js';
import { summaryChanges } from '../../api/endpoints.ts';
import { useApp } from '../../stores/app.tsx';
import { lastAnswer, useNumbersQuery } from '../numbers/query.ts';

export function useSummaryChanges() {
  const { api } = useApp();
  const query = useNumbersQuery();
  const [changes] = createResource(query, (q) =>
    summaryChanges(api, {
      storeId: q.storeId,
      cameraId: q.cameraId ?? undefined,
      from: q.from,
      to: q.to,
      ...(q.includeRecordings ? { includeRecordings: true } : {}),
    }),
  );
  // The last answer stays while the next loads; a failure shows no change lines rather than an error.
  return () => lastAnswer(changes);
}
