/** What a fleet run is asked to do (fleet.ts reads it from the command line). */
import type { BoxLinkSettings } from './box-messages.ts';

export interface FleetOptions {
  boxes: number;
  hubs: number;
  /** A PostgreSQL server to use (a fresh schema in it); undefined: a throwaway server of its own. */
  databaseUrl?: string | undefined;
  /** Worker threads the boxes are spread over. */
  threads: number;
  /** Boxes set up at a time through the API. */
  setupConcurrency: number;
  /** A busy shop at its peak: people coming in per minute (about 8 events each). */
  visitorsPerMinute: number;
  /** Visits open at once in a shop (their events interleave). */
  inside: number;
  /** Length of the steady phase, real seconds, and how many shop seconds pass in one of them. */
  steadySeconds: number;
  speed: number;
  /** The outage: shop minutes of events each box buffers, made over this many real seconds. */
  outageShopMinutes: number;
  outageSeconds: number;
  /** SIGKILL the last hub once a third of the backlog is stored. */
  killHub: boolean;
  /** Dashboard WebSockets (0: none), and the shops their viewer sees. */
  dashboards: number;
  dashboardShops: number;
  /** Seconds the dashboards get, after the steady phase, for the last events stored in it. */
  fanOutGraceSeconds: number;
  /** Longest wait for the drain and the final check. */
  drainTimeoutSeconds: number;
  link: BoxLinkSettings;
  say: (line: string) => void;
}

export const DEFAULT_OPTIONS: Omit<FleetOptions, 'say'> = {
  boxes: 1000,
  hubs: 3,
  threads: 2,
  setupConcurrency: 6,
  visitorsPerMinute: 20,
  inside: 12,
  steadySeconds: 30,
  speed: 10,
  outageShopMinutes: 10,
  outageSeconds: 20,
  killHub: false,
  dashboards: 500,
  dashboardShops: 5,
  fanOutGraceSeconds: 10,
  drainTimeoutSeconds: 900,
  link: {},
};
