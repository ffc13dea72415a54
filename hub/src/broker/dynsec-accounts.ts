/**
 * Device accounts in Mosquitto's dynamic security: one client per device (user name and client id
 * both the device id, so no box can take over another's session) with a role of its own (its topics,
 * dynsec-acls.ts), created at enrollment, disabled at revocation and deleted with the device. The
 * broker kicks a live session when its client is disabled or deleted.
 *
 * The hub keeps only an argon2 hash of each device secret, so it can not recreate an account that
 * went missing from the broker: such a box must be enrolled again (the start-up reconcile lists them).
 */
import type { Logger } from 'pino';
import type { DeviceAccounts } from './device-accounts.ts';
import { type Acl, type DynsecClient, DynsecError } from './dynsec.ts';
import {
  DEVICE_ROLE_PREFIX,
  DEVICE_TEXT_NAME,
  deviceAcls,
  deviceIdOfRole,
  deviceRoleName,
  HUB_ROLE,
  hubAcls,
} from './dynsec-acls.ts';

/** What the database says about one device, for the reconcile. */
export interface KnownDevice {
  id: string;
  /** Has a credential (enrolled and not revoked). */
  enrolled: boolean;
}

export interface ReconcileResult {
  removed: string[];
  disabled: string[];
  /** Enrolled devices without a broker account: they can not connect until enrolled again. */
  missing: string[];
}

const NOT_FOUND = ['not found'];
const EXISTS = ['already'];

export class DynsecDeviceAccounts implements DeviceAccounts {
  private readonly warnings = new Map<string, string>();
  private managed = 0;

  constructor(
    private readonly dynsec: DynsecClient,
    private readonly log: Pick<Logger, 'info' | 'warn' | 'error'>,
  ) {}

  /**
   * Makes sure the hub role exists with every rule, and that the hub's own account has it. Changing
   * either makes the broker cut the hub's sessions: done at start, before the hub's bus connects.
   */
  async ensureHubRole(hubUsername: string): Promise<void> {
    if (!(await this.createHubRole())) await this.addMissingHubAcls();
    const me = await this.dynsec.getClient(hubUsername);
    if (!me) throw new Error(`the broker has no account "${hubUsername}"`);
    if (!(me.roles ?? []).some((r) => r.rolename === HUB_ROLE)) {
      await this.dynsec.commandOnSelf(
        'addClientRole',
        { username: hubUsername, rolename: HUB_ROLE, priority: 10 },
        EXISTS,
      );
    }
  }

  /**
   * Creates the hub role with every rule; false when it exists (another hub starting may make it
   * first) or when that hub's role change cut the answer off: then the rules are checked instead.
   */
  private async createHubRole(): Promise<boolean> {
    if (await this.dynsec.getRole(HUB_ROLE)) return false;
    const acls = hubAcls();
    const made = await this.dynsec.commandOrCut(
      'createRole',
      { rolename: HUB_ROLE, textname: 'OskarTrack hub', acls },
      EXISTS,
    );
    return made === true;
  }

  /** Adds the rules the hub role lacks (made by an older hub). */
  private async addMissingHubAcls(): Promise<void> {
    const role = await this.dynsec.getRole(HUB_ROLE);
    const has = new Set((role?.acls ?? []).map((a) => `${a.acltype} ${a.topic}`));
    for (const acl of hubAcls().filter((a) => !has.has(`${a.acltype} ${a.topic}`))) {
      await this.dynsec.commandOnSelf('addRoleACL', { rolename: HUB_ROLE, ...acl }, EXISTS);
    }
  }

  async provision(deviceId: string, secret: string): Promise<void> {
    const rolename = deviceRoleName(deviceId);
    await this.ensureRole(rolename, deviceAcls(deviceId), `OskarTrack box ${deviceId}`);
    const created = await this.dynsec.commandIgnoring(
      'createClient',
      {
        username: deviceId,
        password: secret,
        clientid: deviceId,
        textname: DEVICE_TEXT_NAME,
        roles: [{ rolename }],
      },
      EXISTS,
    );
    if (!created) {
      // Left over from an earlier attempt: take it over with the new secret.
      await this.dynsec.command('setClientPassword', { username: deviceId, password: secret });
      await this.dynsec.commandIgnoring('addClientRole', { username: deviceId, rolename }, EXISTS);
      await this.dynsec.command('enableClient', { username: deviceId });
    }
    this.managed++;
    this.log.info({ deviceId }, 'broker account of the box created');
  }

  async revoke(deviceId: string): Promise<void> {
    const found = await this.dynsec.commandIgnoring('disableClient', { username: deviceId }, NOT_FOUND);
    this.log.info({ deviceId, found }, 'broker account of the box disabled (its session is cut)');
  }

  async remove(deviceId: string): Promise<void> {
    const found = await this.dynsec.commandIgnoring('deleteClient', { username: deviceId }, NOT_FOUND);
    await this.dynsec.commandIgnoring('deleteRole', { rolename: deviceRoleName(deviceId) }, NOT_FOUND);
    if (found) this.managed = Math.max(0, this.managed - 1);
    this.log.info({ deviceId, found }, 'broker account of the box deleted (its session is cut)');
  }

  /**
   * At hub start: deletes the accounts and roles of devices that no longer exist, disables those of
   * revoked devices, and reports enrolled devices without an account. Accounts the hub did not make
   * (no device role) are left alone: the broker may be shared with other applications.
   */
  async reconcile(devices: readonly KnownDevice[]): Promise<ReconcileResult> {
    const known = new Map(devices.map((d) => [d.id, d]));
    const result: ReconcileResult = { removed: [], disabled: [], missing: [] };
    const accounts = new Set<string>();
    for (const client of await this.dynsec.listClients()) {
      const owned = (client.roles ?? []).some((r) => r.rolename.startsWith(DEVICE_ROLE_PREFIX));
      if (!owned && client.textname !== DEVICE_TEXT_NAME) continue;
      const device = known.get(client.username);
      if (!device) {
        await this.remove(client.username);
        result.removed.push(client.username);
      } else if (!device.enrolled && !client.disabled) {
        await this.revoke(client.username);
        result.disabled.push(client.username);
      } else {
        // A newer hub may allow boxes more channels (live video): bring the kept role up to date.
        await this.ensureRole(
          deviceRoleName(device.id),
          deviceAcls(device.id),
          `OskarTrack box ${device.id}`,
        );
        accounts.add(client.username);
      }
    }
    for (const rolename of await this.dynsec.listRoles()) {
      const id = deviceIdOfRole(rolename);
      if (id !== undefined && !known.has(id)) {
        await this.dynsec.commandIgnoring('deleteRole', { rolename }, NOT_FOUND);
      }
    }
    for (const d of devices) if (d.enrolled && !accounts.has(d.id)) result.missing.push(d.id);
    this.managed = accounts.size;
    if (result.missing.length > 0) {
      this.warnings.set(
        'missing',
        `${result.missing.length} enrolled boxes have no broker account (the hub keeps only a hash of ` +
          'their secret): enroll them again',
      );
      this.log.warn({ devices: result.missing }, this.warnings.get('missing')!);
    } else this.warnings.delete('missing');
    return result;
  }

  health(): { ok: boolean; detail: string } {
    const base = `device accounts: Mosquitto dynamic security (${this.managed} boxes)`;
    if (this.warnings.size === 0) return { ok: true, detail: base };
    return { ok: false, detail: `${base}; ${[...this.warnings.values()].join('; ')}` };
  }

  /** Creates a role, or adds the rules an existing one lacks (an older hub may have made it). */
  private async ensureRole(rolename: string, acls: Acl[], textname: string): Promise<void> {
    try {
      await this.dynsec.command('createRole', { rolename, textname, acls });
      return;
    } catch (error) {
      if (!(error instanceof DynsecError && error.brokerError.includes('already'))) throw error;
    }
    for (const acl of acls) {
      await this.dynsec.commandIgnoring('addRoleACL', { rolename, ...acl }, EXISTS);
    }
  }
}
