// `oskartrack-agent doctor`: tests, one line each, everything the box needs to count and reach the hub:
// the identity file, the hub's web address, the MQTT address (DNS, TCP, TLS, login), the data folder,
// the disk, and the cameras of the saved configuration. Exit code 1 when something failed.
import { readFile } from 'node:fs/promises';
import { checkCameras } from '../doctor/cameras.ts';
import { type Check, formatChecks, pass } from '../doctor/check.ts';
import { checkHubHttp } from '../doctor/hub-http.ts';
import { checkDataDir, checkIdentityFile } from '../doctor/local.ts';
import { checkMqttLogin } from '../doctor/mqtt-login.ts';
import { probeAddress } from '../doctor/network.ts';
import type { AgentStatusFile } from '../runtime/agent.ts';
import { identityPath, mqttCaOf, statusPath } from '../runtime/identity.ts';

export interface DoctorOptions {
  dataDir: string;
  /** Per step (DNS, connect, handshake, login). Default 5 s. */
  timeoutMs?: number;
  now?: number;
}

interface SavedIdentity {
  deviceId: string;
  secret: string;
  hubUrl: string;
  mqttUrl: string;
  caPem?: string;
  mqttCaPem?: string;
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}

async function readIdentity(dataDir: string): Promise<SavedIdentity | undefined> {
  const v = (await readJson(identityPath(dataDir))) as Partial<SavedIdentity> | undefined;
  const strings = [v?.deviceId, v?.secret, v?.hubUrl, v?.mqttUrl];
  return strings.every((s) => typeof s === 'string') ? (v as SavedIdentity) : undefined;
}

/** The running agent's connection, when it is up: logging in again would take its session over. */
async function runningAgentConnected(dataDir: string, now: number): Promise<boolean> {
  const status = (await readJson(statusPath(dataDir))) as AgentStatusFile | undefined;
  return status !== undefined && now - status.at < 15_000 && status.link?.connected === true;
}

async function checkMqtt(identity: SavedIdentity, dataDir: string, timeoutMs: number, now: number) {
  const caPem = mqttCaOf(identity);
  const opts = { timeoutMs, ...(caPem ? { caPem } : {}) };
  const probe = await probeAddress('MQTT address', identity.mqttUrl, opts);
  if (!probe.ok) return probe.checks;
  if (await runningAgentConnected(dataDir, now))
    return [...probe.checks, pass("MQTT login: the running agent is logged in with this box's credentials")];
  const login = await checkMqttLogin({
    url: identity.mqttUrl,
    deviceId: identity.deviceId,
    secret: identity.secret,
    timeoutMs,
    ...(caPem ? { caPem } : {}),
  });
  return [...probe.checks, login];
}

export async function doctor(options: DoctorOptions): Promise<{ ok: boolean; text: string }> {
  const { dataDir } = options;
  const timeoutMs = options.timeoutMs ?? 5000;
  const now = options.now ?? Date.now();
  const checks: Check[] = [await checkIdentityFile(dataDir)];
  const identity = await readIdentity(dataDir);
  if (identity) {
    const caPem = identity.caPem;
    checks.push(...(await checkHubHttp(identity.hubUrl, { timeoutMs, ...(caPem ? { caPem } : {}) })));
    checks.push(...(await checkMqtt(identity, dataDir, timeoutMs, now)));
  }
  checks.push(...(await checkDataDir(dataDir)));
  checks.push(...(await checkCameras(dataDir, timeoutMs)));
  return { ok: checks.every((c) => c.ok), text: formatChecks(checks) };
}
