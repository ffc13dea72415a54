/**
 * Hubs of one cluster starting together on a fresh broker each make sure the hub role exists and
 * that their shared account has it: whichever comes second finds it made and carries on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynsecClient } from '../../src/broker/dynsec.ts';
import { DynsecDeviceAccounts } from '../../src/broker/dynsec-accounts.ts';
import { HUB_ROLE, hubAcls } from '../../src/broker/dynsec-acls.ts';
import { type DynsecMosquitto, startDynsecMosquitto } from '../support/mosquitto-dynsec.ts';
import { Resources, silent } from '../system/helpers.ts';

const file = new Resources();
afterAll(() => file.release());

let broker: DynsecMosquitto;

beforeAll(async () => {
  broker = await startDynsecMosquitto();
  file.add(() => broker.stop());
}, 60_000);

describe('the hub role on a fresh broker', () => {
  it('is set up by two hubs at once, both carrying on', async () => {
    const clients = await Promise.all(
      [1, 2].map(() => DynsecClient.connect({ url: broker.url, ...broker.admin })),
    );
    for (const c of clients) file.add(() => c.close());
    await Promise.all(
      clients.map((c) => new DynsecDeviceAccounts(c, silent).ensureHubRole(broker.admin.username)),
    );
    const role = await clients[0]!.getRole(HUB_ROLE);
    expect(role?.acls).toHaveLength(hubAcls().length);
    const me = await clients[0]!.getClient(broker.admin.username);
    expect(me?.roles?.map((r) => r.rolename)).toContain(HUB_ROLE);
  }, 60_000);
});
