/**
 * A hub given an admin account that can not use the broker's dynamic-security plugin at start (here:
 * the account may log in and has the hub's topics, but not the plugin's admin role yet) keeps trying:
 * meanwhile enrollment is refused with a 503 that says what to do and the code stays unspent; once
 * the account is right, the same code enrolls the box and the box logs in to the broker.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynsecClient } from '../../src/broker/dynsec.ts';
import { HUB_ROLE, hubAcls } from '../../src/broker/dynsec-acls.ts';
import { type RunningHub, startHub } from '../../src/server.ts';
import { type DynsecMosquitto, startDynsecMosquitto } from '../support/mosquitto-dynsec.ts';
import { Api, postgresSettings, Resources, silent, tempDir, waitFor } from '../system/helpers.ts';
import { connectDevice } from './helpers.ts';

const file = new Resources();
afterAll(() => file.release());

let broker: DynsecMosquitto;
let admin: DynsecClient;
const hubAccount = { username: 'late-hub', password: randomBytes(18).toString('base64url') };

beforeAll(async () => {
  broker = await startDynsecMosquitto();
  file.add(() => broker.stop());
  admin = await DynsecClient.connect({ url: broker.url, ...broker.admin });
  file.add(() => admin.close());
  // The hub's topics, so its message bus works; not the plugin's admin role ("admin", made by init).
  await admin.command('createRole', { rolename: HUB_ROLE, acls: hubAcls() });
  await admin.command('createClient', { ...hubAccount, roles: [{ rolename: HUB_ROLE }] });
}, 60_000);

async function serve(): Promise<RunningHub> {
  const hub = await startHub({
    settings: postgresSettings(file, tempDir(file, 'dynsec-retry')),
    log: silent,
    host: '127.0.0.1',
    port: 0,
    mqttPort: 0,
    insecure: true,
    mqttUrl: broker.url,
    mqttUsername: hubAccount.username,
    mqttPassword: hubAccount.password,
  });
  file.add(() => hub.stop());
  return hub;
}

type Health = { broker: { ok: boolean; detail: string } };

describe('a hub that can not manage box accounts on the broker yet', () => {
  it('refuses enrollment until it can, then enrolls with the same code and the box logs in', async () => {
    const hub = await serve();
    const api = await Api.login(hub.url, hub.admin!.name, hub.admin!.password);
    const health = await api.ok<Health>('GET', '/api/health');
    expect(health.broker.ok).toBe(false);
    expect(health.broker.detail).toContain('can not manage box accounts');

    const storeId = (await api.ok<{ id: string }>('POST', '/api/stores', { name: 'Late shop' })).id;
    const { code } = await api.ok<{ code: string }>('POST', `/api/stores/${storeId}/enrollment-codes`);
    const refused = await new Api(hub.url).call<{ message?: string }>('POST', '/api/enroll', { code });
    expect(refused.status).toBe(503);
    expect(JSON.stringify(refused.body)).toContain(
      "can not create the box's account on the MQTT broker yet: check the broker and try the same code again",
    );
    expect(await api.ok<unknown[]>('GET', '/api/devices')).toHaveLength(0);

    await admin.command('addClientRole', { username: hubAccount.username, rolename: 'admin' });
    await waitFor(
      'the hub managing box accounts',
      async () => (await api.ok<Health>('GET', '/api/health')).broker.detail.includes('dynamic security ('),
      90_000,
      500,
    );
    const box = await new Api(hub.url).ok<{ deviceId: string; secret: string }>('POST', '/api/enroll', {
      code,
    });
    expect((await admin.getClient(box.deviceId))?.disabled).toBeFalsy();
    const client = await connectDevice(broker.url, box.deviceId, box.secret, file);
    expect(client.connected).toBe(true);
  }, 150_000);
});
