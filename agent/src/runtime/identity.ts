// What enrollment leaves on the box: who it is and how to reach the hub, and the last configuration.
// Boxes enrolled by versions before 0.2 have no `signingKey` and no `caPem`: their files still load,
// but the box can then neither check the hub's signatures nor pin its certificate authority; enroll
// such a box again (a new code from the dashboard) to get both.
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CaPem, check, DeviceConfig, Id } from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';

export const Identity = Type.Object(
  {
    deviceId: Id,
    secret: Type.String({ minLength: 16, maxLength: 200 }),
    hubUrl: Type.String({ minLength: 1, maxLength: 2000 }),
    mqttUrl: Type.String({ minLength: 1, maxLength: 2000 }),
    /** The hub's Ed25519 public key (SPKI DER, base64); absent in files from before 0.2. */
    signingKey: Type.Optional(Type.String({ minLength: 16, maxLength: 200 })),
    /** The hub's certificate authority (PEM), pinned at enrollment; absent for a hub without TLS. */
    caPem: Type.Optional(CaPem),
    /** The broker's own certificate authority (PEM), when the hub gave one (`serve --mqtt-ca`). */
    mqttCaPem: Type.Optional(CaPem),
  },
  { additionalProperties: false },
);
export type Identity = typeof Identity.static;

/** The CA the box trusts for MQTT: the broker's own when the hub gave one, else the hub's. */
export function mqttCaOf(identity: Pick<Identity, 'caPem' | 'mqttCaPem'>): string | undefined {
  return identity.mqttCaPem ?? identity.caPem;
}

/** MQTT client options that trust only the CA pinned at enrollment (none: the system's CAs, or plain MQTT). */
export function pinnedTlsOptions(identity: Identity): { ca: string; rejectUnauthorized: true } | undefined {
  const ca = mqttCaOf(identity);
  return ca ? { ca, rejectUnauthorized: true } : undefined;
}

export const identityPath = (dataDir: string) => join(dataDir, 'agent.json');
export const configPath = (dataDir: string) => join(dataDir, 'config.json');
export const statusPath = (dataDir: string) => join(dataDir, 'status.json');
export const outboxPath = (dataDir: string) => join(dataDir, 'outbox.sqlite');

/** Writes through a temporary file so a crash never leaves half a file behind. */
export async function writeJsonAtomic(path: string, value: unknown, mode = 0o600): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode });
  await chmod(tmp, mode);
  await rename(tmp, path);
}

async function readJson(path: string): Promise<unknown | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${path} is unreadable: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export async function loadIdentity(dataDir: string): Promise<Identity | undefined> {
  const value = await readJson(identityPath(dataDir));
  if (value === undefined) return undefined;
  const r = check(Identity, value);
  if (!r.ok) throw new Error(`${identityPath(dataDir)} is damaged (${r.error}); enroll the box again`);
  return r.value;
}

export async function saveIdentity(dataDir: string, identity: Identity): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeJsonAtomic(identityPath(dataDir), identity);
}

/** The last configuration the hub sent, so the box keeps counting after a restart without the hub. */
export async function loadConfig(dataDir: string): Promise<DeviceConfig | undefined> {
  const value = await readJson(configPath(dataDir));
  if (value === undefined) return undefined;
  const r = check(DeviceConfig, value);
  return r.ok ? r.value : undefined;
}

/**
 * Drops the saved configuration: it belonged to an identity this box no longer has (enrolled again
 * without taking the old one over), whose cameras are not this one's to read.
 */
export async function forgetConfig(dataDir: string): Promise<void> {
  await rm(configPath(dataDir), { force: true });
}

export async function saveConfig(dataDir: string, config: DeviceConfig): Promise<void> {
  // Camera addresses may carry their passwords: readable by the box's own user only.
  await writeJsonAtomic(configPath(dataDir), config);
}
