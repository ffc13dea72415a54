// `oskartrack-agent status`: what an installer wants to know, read from the files the running agent
// keeps up to date (agent.json, status.json, the outbox). Reads only; `doctor` tests actively.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { type LinkProblem, linkProblem } from '../link/diagnose.ts';
import { dataDir as defaultDataDir } from '../paths.ts';
import type { AgentStatusFile } from '../runtime/agent.ts';
import { cameraWords } from '../runtime/camera-words.ts';
import { identityPath, mqttCaOf, outboxPath, statusPath } from '../runtime/identity.ts';

/** A status file older than this means the agent is not running. */
const FRESH_MS = 15_000;

interface Report {
  ok: boolean;
  lines: string[];
}

const mark = (ok: boolean) => (ok ? 'OK  ' : 'FAIL');

function add(report: Report, good: boolean, text: string, advice?: string): void {
  report.ok &&= good;
  report.lines.push(`${mark(good)} ${text}`);
  if (advice) report.lines.push(`     next: ${advice}`);
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

interface SavedIdentity {
  deviceId: string;
  hubUrl: string;
  mqttUrl: string;
  caPem?: string;
  mqttCaPem?: string;
}

function readIdentity(dataDir: string): SavedIdentity | undefined {
  const value = readJson(identityPath(dataDir)) as Partial<SavedIdentity> | undefined;
  if (typeof value?.deviceId !== 'string' || typeof value.mqttUrl !== 'string') return undefined;
  return { hubUrl: '', ...value } as SavedIdentity;
}

/** The link's problem: the one the agent wrote, or worked out here from an older status file. */
function problemOf(status: AgentStatusFile, identity: SavedIdentity): LinkProblem | null {
  if (status.linkProblem !== undefined) return status.linkProblem;
  const ctx = { url: identity.mqttUrl, pinnedCa: mqttCaOf(identity) !== undefined };
  return linkProblem(status.link, ctx);
}

function linkLines(report: Report, status: AgentStatusFile, identity: SavedIdentity): boolean {
  const l = status.link;
  const problem = problemOf(status, identity);
  const up = l.connected && l.hub !== 'offline';
  if (up) {
    const hub = l.hub === 'online' ? 'hub online' : 'waiting for the hub to say it is online';
    add(report, true, `hub link: connected to ${identity.mqttUrl}, ${hub}`);
  } else if (problem) {
    add(report, false, `hub link: trying ${identity.mqttUrl}: ${problem.message}`, problem.advice);
  } else {
    add(report, false, `hub link: connecting to ${identity.mqttUrl} (no answer yet)`);
  }
  return up;
}

function cameraLines(report: Report, status: AgentStatusFile, linkUp: boolean): void {
  const configured = status.configRevision > 0;
  if (!configured) {
    if (!linkUp) {
      add(
        report,
        false,
        'cameras: waiting for the hub (no configuration has arrived yet; see the hub link above)',
      );
    } else {
      add(
        report,
        false,
        'cameras: waiting for the hub to send the configuration',
        'the hub sends it within seconds of connecting; if nothing comes, look at the hub log',
      );
    }
    return;
  }
  if (status.cameras.length === 0) {
    add(
      report,
      false,
      `no camera configured for this box (configuration revision ${status.configRevision})`,
      linkUp
        ? 'add one on the hub: Stores page, the store, this box, "Add camera"'
        : 'add one on the hub; it arrives once the hub link is back',
    );
  }
  for (const c of status.cameras) add(report, c.state === 'running', cameraWords(c));
  add(report, status.detector !== null, `detector: ${status.detector ?? 'none yet'}`);
}

/** Events waiting longer than this (seconds) are a problem, whatever the link's state says. */
const STALE_OUTBOX_S = 600;

/** The running agent's pid: a fresh status file of a process that has died since is not a running agent. */
function alive(pid: number): boolean {
  // kill(0) would signal this process's own group: a damaged pid is no agent.
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function outboxLine(report: Report, dataDir: string, now: number): void {
  if (!existsSync(outboxPath(dataDir))) return;
  const db = new Database(outboxPath(dataDir), { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT count(*) AS n, min(created_at) AS oldest FROM outbox_events').get() as {
      n: number;
      oldest: number | null;
    };
    const age = row.oldest ? Math.round((now - row.oldest) / 1000) : 0;
    // A connected link hands events over in seconds: older ones mean the hub does not confirm them.
    add(
      report,
      age < STALE_OUTBOX_S,
      `outbox: ${row.n} events waiting${row.n ? `, oldest ${age} s old` : ''}`,
      age < STALE_OUTBOX_S
        ? undefined
        : 'the hub has not confirmed them for a while, even if the link says connected: run "oskartrack-agent doctor" to test the way to the hub; nothing is lost, they are sent once it answers',
    );
  } finally {
    db.close();
  }
}

/** What an installer wants to know, read from the files the running agent keeps up to date. */
export function statusReport(dataDir: string, now = Date.now()): { ok: boolean; text: string } {
  const report: Report = { ok: true, lines: [] };
  const done = () => ({ ok: report.ok, text: report.lines.join('\n') });
  if (!existsSync(identityPath(dataDir))) {
    add(
      report,
      false,
      `not enrolled (no ${identityPath(dataDir)})`,
      `run "oskartrack-agent enroll --hub URL --code CODE${resolve(dataDir) === defaultDataDir() ? '' : ` --data-dir ${dataDir}`}"`,
    );
    return done();
  }
  const identity = readIdentity(dataDir);
  if (!identity) {
    add(report, false, `${identityPath(dataDir)} is damaged`, 'enroll the box again');
    return done();
  }
  add(report, true, `enrolled as ${identity.deviceId} with hub ${identity.hubUrl}`);
  const status = readJson(statusPath(dataDir)) as AgentStatusFile | undefined;
  const fresh =
    status !== undefined && typeof status.at === 'number' && now - status.at < FRESH_MS && alive(status.pid);
  if (!status || !fresh) {
    add(
      report,
      false,
      `agent is not running (it would connect to ${identity.mqttUrl})`,
      'start it with "oskartrack-agent run" or "systemctl start oskartrack-agent"; "oskartrack-agent doctor" tests the way to the hub',
    );
  } else {
    add(report, true, `agent running (pid ${status.pid})`);
    const linkUp = linkLines(report, status, identity);
    cameraLines(report, status, linkUp);
  }
  outboxLine(report, dataDir, now);
  return done();
}
