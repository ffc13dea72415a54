/**
 * At hub start on an external broker: checks that the broker refuses anonymous clients, and sets up
 * the device accounts (the hub role, then a reconcile against the database) when the hub's account
 * may use Mosquitto's dynamic security. Anything that falls short is a warning for the log and
 * /api/health, never a refusal to start: the hub still stores what it can verify (ingest refuses
 * unknown and revoked devices on its own).
 */
import mqtt, { type IClientOptions } from 'mqtt';
import type { Logger } from 'pino';
import { type DeviceAccounts, unmanagedDeviceAccounts } from './device-accounts.ts';
import { DynsecClient } from './dynsec.ts';
import { DynsecDeviceAccounts, type KnownDevice } from './dynsec-accounts.ts';

export interface ExternalAccountsOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Every device with whether it holds a credential (enrolled, not revoked). */
  knownDevices: () => Promise<KnownDevice[]>;
  /** Default 10 s per broker command. */
  timeoutMs?: number;
  mqttOptions?: Omit<IClientOptions, 'clientId' | 'username' | 'password' | 'reconnectPeriod'>;
}

export interface ExternalAccounts {
  accounts: DeviceAccounts;
  /** Problems found at start, in plain words (also logged). */
  warnings: string[];
  close(): Promise<void>;
}

/** Whether the broker lets a client in without a user name and password. */
export function acceptsAnonymous(
  url: string,
  mqttOptions: ExternalAccountsOptions['mqttOptions'] = {},
  timeoutMs = 5000,
): Promise<boolean> {
  return new Promise((resolve) => {
    const client = mqtt.connect(url, {
      ...mqttOptions,
      clientId: `oskartrack-anon-check-${process.pid}-${Date.now()}`,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: timeoutMs,
    });
    const done = (accepted: boolean) => {
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.end(true);
      resolve(accepted);
    };
    client.once('connect', () => done(true));
    client.once('error', () => done(false));
    client.once('close', () => done(false));
  });
}

export async function setUpExternalAccounts(options: ExternalAccountsOptions): Promise<ExternalAccounts> {
  const { log } = options;
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    log.warn(message);
  };
  if (await acceptsAnonymous(options.url, options.mqttOptions)) {
    warn(
      `the MQTT broker ${options.url} accepts clients without a password: anyone who reaches it can read ` +
        'camera settings and forge messages; set "allow_anonymous false" (docs/brokers.md)',
    );
  }
  const unmanaged = (why: string): ExternalAccounts => {
    warn(why);
    const accounts = unmanagedDeviceAccounts(warnings.join('; '));
    return { accounts, warnings, close: async () => undefined };
  };
  if (!options.username || !options.password) {
    return unmanaged(
      'no --mqtt-username/--mqtt-password: the hub can not create or remove box accounts on the broker; ' +
        'give it an admin account of the dynamic-security plugin (docs/brokers.md)',
    );
  }
  let dynsec: DynsecClient | undefined;
  try {
    dynsec = await DynsecClient.connect({
      url: options.url,
      username: options.username,
      password: options.password,
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.mqttOptions ? { mqttOptions: options.mqttOptions } : {}),
    });
    const accounts = new DynsecDeviceAccounts(dynsec, log);
    await accounts.ensureHubRole(options.username);
    const result = await accounts.reconcile(await options.knownDevices());
    log.info(
      { removed: result.removed.length, disabled: result.disabled.length, missing: result.missing.length },
      'box accounts on the broker reconciled with the database',
    );
    const open = dynsec;
    const withWarnings: DeviceAccounts = {
      provision: (id, secret) => accounts.provision(id, secret),
      revoke: (id) => accounts.revoke(id),
      remove: (id) => accounts.remove(id),
      health: () => {
        const h = accounts.health();
        if (warnings.length === 0) return h;
        return { ok: false, detail: `${h.detail}; ${warnings.join('; ')}` };
      },
    };
    return { accounts: withWarnings, warnings, close: () => open.close() };
  } catch (error) {
    await dynsec?.close();
    return unmanaged(
      `the hub's MQTT account "${options.username}" can not manage box accounts through the ` +
        `dynamic-security plugin (${(error as Error).message}); see docs/brokers.md`,
    );
  }
}
