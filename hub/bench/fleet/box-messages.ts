/** What the fleet's main thread and its box threads say to each other (box-worker.ts, boxes.ts). */
import type { BoxSpec } from './provision.ts';

export interface BoxLinkSettings {
  batchSize?: number | undefined;
  window?: number | undefined;
  ackTimeoutMs?: number | undefined;
  reconnectPeriodMs?: number | undefined;
}

export interface BoxWorkerData {
  boxes: BoxSpec[];
  /** The hub's public signing key (SPKI, base64), as enrollment gave it. */
  hubKey: string;
  link: BoxLinkSettings;
  /** Visits open at once in each shop. */
  inside: number;
}

export type BoxCommand =
  | { type: 'start' }
  /** Every box makes this many events a second (0: none) from now on. */
  | { type: 'rate'; perSecond: number }
  /** Every box makes `perBox` more events over `overMs`, on top of its rate. */
  | { type: 'burst'; perBox: number; overMs: number }
  /** Latency samples are kept from now (true) or no longer (false). */
  | { type: 'measure'; on: boolean }
  | { type: 'snapshot' }
  | { type: 'close' };

export interface BoxState {
  deviceId: string;
  connected: boolean;
  lastSeq: number;
  ackedUpTo: number;
  depth: number;
  /** Hub messages the box refused (unsigned, forged, invalid). */
  refused: number;
  rewinds: number;
  ackTimeouts: number;
}

export interface Latencies {
  /** Batch published (first time) to the hub's signed ack covering it, ms. */
  publishToAck: number[];
  /** Event made on the box to the ack covering it, ms. */
  madeToAck: number[];
}

export type BoxReply =
  | { type: 'ok' }
  | { type: 'snapshot'; boxes: BoxState[]; latencies: Latencies; made: number; burstLeft: number };
