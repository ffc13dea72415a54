/**
 * A client for Mosquitto's dynamic-security plugin: commands go as JSON to `$CONTROL/dynamic-security/v1`
 * and the broker answers on `.../response` (to the asking client only), matched here by correlation
 * data. It has its own MQTT connection (the hub's admin account), so the hub can grant itself the hub
 * role before its message bus subscribes to anything.
 */
import { randomBytes } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export const DYNSEC_TOPIC = '$CONTROL/dynamic-security/v1';
export const DYNSEC_RESPONSE_TOPIC = `${DYNSEC_TOPIC}/response`;

export type AclType =
  | 'publishClientSend'
  | 'publishClientReceive'
  | 'subscribeLiteral'
  | 'subscribePattern'
  | 'unsubscribeLiteral'
  | 'unsubscribePattern';

export interface Acl {
  acltype: AclType;
  topic: string;
  allow: boolean;
  priority?: number;
}

export interface DynsecClientEntry {
  username: string;
  clientid?: string;
  textname?: string;
  disabled?: boolean;
  roles?: { rolename: string; priority?: number }[];
}

/** The broker answered a command with an error (e.g. "Client not found"). */
export class DynsecError extends Error {
  constructor(
    readonly command: string,
    readonly brokerError: string,
  ) {
    super(`the broker refused ${command}: ${brokerError}`);
    this.name = 'DynsecError';
  }
}

export interface DynsecOptions {
  url: string;
  username: string;
  password: string;
  /** Default 10 s for the connection and for each command. */
  timeoutMs?: number;
  /** TLS options for mqtt.js (ca, rejectUnauthorized...). */
  mqttOptions?: Omit<IClientOptions, 'clientId' | 'username' | 'password' | 'reconnectPeriod'>;
}

interface Waiting {
  command: string;
  resolve: (data: Record<string, unknown>) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

interface DynsecResponse {
  command?: unknown;
  error?: unknown;
  correlationData?: unknown;
  data?: unknown;
}

/** Cuts a read survives before it fails. */
const MOST_CUTS = 3;

export class DynsecClient {
  private readonly waiting = new Map<string, Waiting>();

  private constructor(
    private readonly client: MqttClient,
    private readonly timeoutMs: number,
  ) {
    client.on('message', (topic, payload) => {
      if (topic === DYNSEC_RESPONSE_TOPIC) this.onResponse(payload);
    });
  }

  /**
   * Connects with the hub's admin account and subscribes to the response topic. Rejects when the broker
   * refuses the login or the subscription (the account may not use the dynamic-security plugin).
   */
  static async connect(options: DynsecOptions): Promise<DynsecClient> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const client = await mqtt.connectAsync(options.url, {
      ...options.mqttOptions,
      clientId: `oskartrack-dynsec-${randomBytes(6).toString('hex')}`,
      username: options.username,
      password: options.password,
      protocolVersion: 5,
      connectTimeout: timeoutMs,
      reconnectPeriod: 500,
    });
    const dynsec = new DynsecClient(client, timeoutMs);
    try {
      const [granted] = await client.subscribeAsync(DYNSEC_RESPONSE_TOPIC, { qos: 1 });
      if (!granted || granted.qos >= 0x80) throw new Error('subscription refused');
    } catch (error) {
      await dynsec.close();
      throw new Error(
        `the account "${options.username}" may not use ${DYNSEC_TOPIC} (${(error as Error).message}); ` +
          'give it the dynamic-security admin role (docs/brokers.md)',
      );
    }
    // mqtt.js subscribes again after a reconnect, before it resends unanswered commands.
    return dynsec;
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Sends one command and resolves with its `data` (an empty object when it has none). */
  command(command: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const correlationData = randomBytes(8).toString('hex');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(correlationData);
        reject(new Error(`the broker did not answer ${command} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      timer.unref();
      this.waiting.set(correlationData, { command, resolve, reject, timer });
      const body = JSON.stringify({ commands: [{ command, ...params, correlationData }] });
      this.client.publish(DYNSEC_TOPIC, body, { qos: 1 }, (error) => {
        if (!error) return;
        this.settle(correlationData)?.reject(error);
      });
    });
  }

  /** Runs a command, treating the listed broker errors (e.g. "Client not found") as done. */
  async commandIgnoring(
    command: string,
    params: Record<string, unknown>,
    ignore: readonly string[],
  ): Promise<boolean> {
    try {
      await this.command(command, params);
      return true;
    } catch (error) {
      if (error instanceof DynsecError && ignore.some((e) => error.brokerError.includes(e))) return false;
      throw error;
    }
  }

  /**
   * Runs a command that makes the broker cut this client's own sessions (dynamic security kicks every
   * client whose account or roles change, so it picks up its new rules): waits for the answer or the
   * cut, then for the reconnection. A broker error in the answer still rejects.
   */
  async commandOnSelf(command: string, params: Record<string, unknown>, ignore: readonly string[] = []) {
    const cut = this.nextClose();
    const answer = this.commandIgnoring(command, params, ignore).then(
      () => 'answered' as const,
      (error: unknown) => error as Error,
    );
    const first = await Promise.race([answer, cut.closed]);
    cut.cancel();
    if (first instanceof Error) throw first;
    await this.ready();
  }

  /**
   * A command that changes nothing, sent again when the connection is cut before its answer (the
   * answer to a cut session is lost: another hub of the shared account changing its roles cuts it).
   */
  private async read(command: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    for (let cuts = 0; ; cuts++) {
      const first = await this.unlessCut(this.command(command, params));
      if (first !== 'cut') return first;
      if (cuts >= MOST_CUTS)
        throw new Error(`the broker cut the connection during ${command} ${cuts + 1} times`);
      await this.ready();
    }
  }

  /**
   * `commandIgnoring`, or 'cut' (once connected again) when the connection was cut before the
   * answer: the command may or may not have run, so it must be one that is safe to check or repeat.
   */
  async commandOrCut(
    command: string,
    params: Record<string, unknown>,
    ignore: readonly string[],
  ): Promise<boolean | 'cut'> {
    const first = await this.unlessCut(this.commandIgnoring(command, params, ignore));
    if (first === 'cut') await this.ready();
    return first;
  }

  /** The command's outcome, or 'cut' when the connection closes first (its answer is then lost). */
  private async unlessCut<T>(sent: Promise<T>): Promise<T | 'cut'> {
    const cut = this.nextClose();
    const first = await Promise.race([sent, cut.closed]).finally(() => cut.cancel());
    if (first === 'cut') sent.catch(() => undefined); // only its time-out is left to come
    return first;
  }

  /** Resolves with 'cut' when the connection closes next, until cancelled. */
  private nextClose(): { closed: Promise<'cut'>; cancel: () => void } {
    let onClose = () => {};
    const closed = new Promise<'cut'>((resolve) => {
      onClose = () => resolve('cut');
      this.client.once('close', onClose);
    });
    return { closed, cancel: () => this.client.removeListener('close', onClose) };
  }

  /** Resolves once connected (mqtt.js reconnects on its own); rejects after the command timeout. */
  private ready(): Promise<void> {
    if (this.client.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.client.removeListener('connect', onConnect);
        reject(new Error(`no connection to the broker again within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      const onConnect = () => {
        clearTimeout(timer);
        resolve();
      };
      this.client.once('connect', onConnect);
    });
  }

  async getRole(rolename: string): Promise<{ rolename: string; acls: Acl[] } | undefined> {
    try {
      const data = await this.read('getRole', { rolename });
      return data.role as { rolename: string; acls: Acl[] };
    } catch (error) {
      if (error instanceof DynsecError && error.brokerError.includes('not found')) return undefined;
      throw error;
    }
  }

  async listClients(): Promise<DynsecClientEntry[]> {
    const data = await this.read('listClients', { verbose: true, count: -1, offset: 0 });
    return Array.isArray(data.clients) ? (data.clients as DynsecClientEntry[]) : [];
  }

  async listRoles(): Promise<string[]> {
    const data = await this.read('listRoles', { verbose: false, count: -1, offset: 0 });
    return Array.isArray(data.roles) ? data.roles.filter((r): r is string => typeof r === 'string') : [];
  }

  async getClient(username: string): Promise<DynsecClientEntry | undefined> {
    try {
      const data = await this.read('getClient', { username });
      return data.client as DynsecClientEntry;
    } catch (error) {
      if (error instanceof DynsecError && error.brokerError.includes('not found')) return undefined;
      throw error;
    }
  }

  async close(): Promise<void> {
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer);
      w.reject(new Error('the dynamic-security client was closed'));
      this.waiting.delete(id);
    }
    await this.client.endAsync(true).catch(() => undefined);
  }

  private settle(correlationData: string): Waiting | undefined {
    const w = this.waiting.get(correlationData);
    if (!w) return undefined;
    this.waiting.delete(correlationData);
    clearTimeout(w.timer);
    return w;
  }

  private onResponse(payload: Buffer): void {
    let parsed: { responses?: unknown };
    try {
      parsed = JSON.parse(payload.toString('utf8')) as { responses?: unknown };
    } catch {
      return;
    }
    if (!Array.isArray(parsed.responses)) return;
    for (const r of parsed.responses as DynsecResponse[]) {
      if (typeof r.correlationData !== 'string') continue;
      const w = this.settle(r.correlationData);
      if (!w) continue;
      if (typeof r.error === 'string' && r.error.length > 0) w.reject(new DynsecError(w.command, r.error));
      else w.resolve(r.data && typeof r.data === 'object' ? (r.data as Record<string, unknown>) : {});
    }
  }
}
