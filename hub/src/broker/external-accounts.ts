/**
 * At hub start on an external broker: checks that the broker refuses anonymous clients, and sets up
 * the device accounts (the hub role, then a reconcile against the database) when the hub's account
 * may use Mosquitto's dynamic security. Anything that falls short is a warning for the log and
 * /api/health, never a refusal to start: the hub still stores what it can verify (ingest refuses
 * unknown and revoked devices on its own). Given an admin account, the hub keeps trying the plugin
 * and refuses enrollments until it answers; only without one are box accounts left to the owner.
 */
import mqtt, { type IClientOptions } from 'mqtt';
import type { Logger } from 'pino';
import { brokerTlsProblem } from './broker-ca.ts';
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

/** First wait before trying the dynamic-security plugin again, doubled after each failure up to the most. */
const RETRY_FIRST_MS = 1000;
const RETRY_MOST_MS = 60_000;

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
  if (!options.username || !options.password) {
    // Without admin credentials the hub can never manage the accounts: the owner makes them by hand.
    warn(
      'no --mqtt-username/--mqtt-password: the hub can not create or remove box accounts on the broker; ' +
        'give it an admin account of the dynamic-security plugin (docs/brokers.md)',
    );
    const accounts = unmanagedDeviceAccounts(warnings.join('; '));
    return { accounts, warnings, close: async () => undefined };
  }
  const managed = new ManagedAccounts(
    { ...options, username: options.username, password: options.password },
    warnings,
  );
  await managed.start();
  return { accounts: managed, warnings, close: () => managed.close() };
}

type AdminOptions = ExternalAccountsOptions & { username: string; password: string };

/**
 * The box accounts when the hub was given an admin account: until the dynamic-security plugin has
 * answered (and the accounts were reconciled with the database) every change is refused, so no box
 * is enrolled without its broker account; meanwhile the hub keeps trying, waiting longer each time.
 */
class ManagedAccounts implements DeviceAccounts {
  private accounts: DynsecDeviceAccounts | undefined;
  private dynsec: DynsecClient | undefined;
  private lastError = 'not tried yet';
  private lastFailure: unknown;
  private waitMs = RETRY_FIRST_MS;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly options: AdminOptions,
    /** Warnings found at start (anonymous clients), shown with the accounts' health. */
    private readonly warnings: readonly string[],
  ) {}

  /** The first try, awaited so a hub that can reach the plugin starts with its accounts in step. */
  async start(): Promise<void> {
    if (await this.attempt()) return;
    // A certificate this hub does not trust will not change by waiting: the start stops, saying what to do.
    const untrusted = brokerTlsProblem(this.options.url, this.lastFailure);
    if (untrusted) throw new Error(untrusted, { cause: this.lastFailure });
    this.options.log.warn(`${this.problem()}; trying again in the background`);
    this.schedule();
  }

  async provision(deviceId: string, secret: string): Promise<void> {
    // Async so that the refusal is a rejection (the routes turn it into a 503).
    await this.ready(
      "the hub can not create the box's account on the MQTT broker yet: check the broker and try the same code again",
    ).provision(deviceId, secret);
  }

  async revoke(deviceId: string): Promise<void> {
    await this.ready(
      "the hub can not disable the box's account on the MQTT broker yet: check the broker; the hub disables it once it reaches the broker",
    ).revoke(deviceId);
  }

  async remove(deviceId: string): Promise<void> {
    await this.ready(
      "the hub can not delete the box's account on the MQTT broker yet: check the broker; the hub deletes it once it reaches the broker",
    ).remove(deviceId);
  }

  health(): { ok: boolean; detail: string } {
    const own = this.accounts?.health() ?? { ok: false, detail: this.problem() };
    if (this.warnings.length === 0) return own;
    return { ok: false, detail: `${own.detail}; ${this.warnings.join('; ')}` };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.dynsec?.close();
  }

  private ready(what: string): DynsecDeviceAccounts {
    if (this.accounts) return this.accounts;
    throw new Error(`${what} (${this.lastError})`);
  }

  private problem(): string {
    return (
      `the hub's MQTT account "${this.options.username}" can not manage box accounts through the ` +
      `dynamic-security plugin yet (${this.lastError}); enrolling boxes is refused until it can; see docs/brokers.md`
    );
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.retry(), this.waitMs);
    this.timer.unref();
    this.waitMs = Math.min(this.waitMs * 2, RETRY_MOST_MS);
  }

  private async retry(): Promise<void> {
    if (await this.attempt()) this.options.log.info('the hub now manages box accounts on the MQTT broker');
    else this.schedule();
  }

  /** Connects, grants the hub role and reconciles; true when done. */
  private async attempt(): Promise<boolean> {
    const { options } = this;
    let dynsec: DynsecClient | undefined;
    try {
      dynsec = await DynsecClient.connect({
        url: options.url,
        username: options.username,
        password: options.password,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.mqttOptions ? { mqttOptions: options.mqttOptions } : {}),
      });
      const accounts = new DynsecDeviceAccounts(dynsec, options.log);
      await accounts.ensureHubRole(options.username);
      const result = await accounts.reconcile(await options.knownDevices());
      options.log.info(
        { removed: result.removed.length, disabled: result.disabled.length, missing: result.missing.length },
        'box accounts on the broker reconciled with the database',
      );
      if (this.closed) throw new Error('the hub is stopping');
      this.dynsec = dynsec;
      this.accounts = accounts;
      return true;
    } catch (error) {
      await dynsec?.close();
      this.lastFailure = error;
      this.lastError = (error as Error).message;
      return false;
    }
  }
}
