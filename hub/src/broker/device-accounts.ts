/**
 * A device's account on the MQTT broker, kept in step with enrollment, revocation and removal. The
 * embedded broker checks logins against the database itself, so there the account only needs its live
 * session cut; an external broker with dynamic security gets real accounts (dynsec-accounts.ts).
 */

export interface DeviceAccounts {
  /** Creates the device's broker account with its secret (at enrollment; the hub keeps only a hash). */
  provision(deviceId: string, secret: string): Promise<void>;
  /** Disables the account and cuts its live session (the device was revoked). */
  revoke(deviceId: string): Promise<void>;
  /** Deletes the account and cuts its live session (the device was removed). */
  remove(deviceId: string): Promise<void>;
  /** One line for /api/health: what manages the accounts, and any warning. */
  health(): { ok: boolean; detail: string };
}

/** The embedded broker: logins are checked against the database, so only live sessions are cut. */
export function embeddedDeviceAccounts(broker: {
  disconnectDevice(deviceId: string): Promise<unknown>;
}): DeviceAccounts {
  return {
    async provision() {},
    async revoke(deviceId) {
      await broker.disconnectDevice(deviceId);
    },
    async remove(deviceId) {
      await broker.disconnectDevice(deviceId);
    },
    health: () => ({ ok: true, detail: 'device accounts: checked against the database' }),
  };
}

/**
 * An external broker whose accounts the hub can not manage (no admin account, or no dynamic
 * security): nothing is done, and health says so with `warning`.
 */
export function unmanagedDeviceAccounts(warning: string): DeviceAccounts {
  return {
    async provision() {},
    async revoke() {},
    async remove() {},
    health: () => ({ ok: false, detail: warning }),
  };
}

/** No broker at all (the HTTP app alone, in tests): nothing to do. */
export const noDeviceAccounts: DeviceAccounts = {
  async provision() {},
  async revoke() {},
  async remove() {},
  health: () => ({ ok: true, detail: 'no broker' }),
};
