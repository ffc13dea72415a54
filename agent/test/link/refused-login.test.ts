// A box whose login is refused once (the hub's database was down, its broker account not yet made)
// must keep trying: mqtt.js gives up after a CONNACK error unless told otherwise.
import type { AuthenticateError } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import { events } from '../outbox/helpers.ts';
import { Resources, setup } from './fixture.ts';
import { waitFor } from './helpers.ts';

describe('a refused login', () => {
  const resources = new Resources();
  afterEach(() => resources.release());

  it('is retried until the broker accepts the box, and its events are then delivered', async () => {
    const f = await setup(resources);
    let refusals = 0;
    f.broker.broker.authenticate = (_client, _user, _password, done) => {
      if (refusals < 2) {
        refusals++;
        const error = new Error('database unavailable') as AuthenticateError;
        error.returnCode = 3; // server unavailable
        done(error, false);
        return;
      }
      done(null, true);
    };
    f.outbox.append(events(1, 5));
    await f.link.start();
    await waitFor('the link to connect after two refusals', () => f.link.state().connected, 30_000);
    expect(refusals).toBe(2);
    await waitFor('every event acknowledged', () => f.outbox.depth() === 0, 30_000);
    expect(f.hub.uniqueSeqs()).toEqual([1, 2, 3, 4, 5]);
  });
});
