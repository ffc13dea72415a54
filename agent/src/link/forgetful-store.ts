import { type IStore, Store } from 'mqtt';

/**
 * An mqtt.js outgoing store that forgets its in-flight messages when the connection drops.
 *
 * mqtt.js replays every QoS 1 message still in its outgoing store after a reconnect, whatever the
 * `clean` flag says. The SQLite outbox is the only queue that counts: after a reconnect the link
 * resends from the first unacknowledged seq itself, so a replay from memory would only add
 * duplicates (and a stale online status). `createStream` is what mqtt.js reads on reconnect, so it
 * hands back nothing and starts a fresh store.
 */
export class ForgetfulStore implements IStore {
  private inner = new Store();

  put(...args: Parameters<IStore['put']>): this {
    this.inner.put(...args);
    return this;
  }

  createStream(): ReturnType<IStore['createStream']> {
    const empty = new Store();
    this.inner.close(() => {});
    this.inner = new Store();
    return empty.createStream();
  }

  del(...args: Parameters<IStore['del']>): this {
    this.inner.del(...args);
    return this;
  }

  get(...args: Parameters<IStore['get']>): this {
    this.inner.get(...args);
    return this;
  }

  close(cb: Parameters<IStore['close']>[0]): void {
    this.inner.close(cb);
  }
}
