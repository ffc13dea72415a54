/** An export as a table: its columns (header, kind, width) and its rows, a batch at a time. */

/** How a cell is written: times in the store's zone, durations in whole seconds. */
export type CellKind = 'text' | 'count' | 'seconds' | 'time' | 'date';

/** time/date cells hold the instant (written in the store's zone), seconds cells milliseconds. */
export type CellValue = string | number | Date | null;

export interface Column<R> {
  header: string;
  kind: CellKind;
  /** Width in characters, for the spreadsheet. */
  width: number;
  value(row: R): CellValue;
}

export interface Table<R> {
  /** The worksheet's name. */
  title: string;
  timeZone: string;
  columns: readonly Column<R>[];
  /** Rows in batches, so a long range never sits in memory at once. */
  batches: AsyncIterable<readonly R[]>;
}

/** Milliseconds as whole seconds (83 400 ms -> 83); null stays empty. */
export function seconds(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms / 1000);
}

/** Rows written between two turns of the event loop: a few milliseconds of work each. */
export const SLICE_ROWS = 200;

/** A batch in slices of SLICE_ROWS rows, so writing never holds the event loop for long. */
export function* slices<R>(batch: readonly R[]): Generator<readonly R[]> {
  for (let i = 0; i < batch.length; i += SLICE_ROWS) yield batch.slice(i, i + SLICE_ROWS);
}
