import { topics } from '@oskartrack/protocol';
import { describe, expect, it } from 'vitest';
import { deviceSubscribeDecision } from '../../src/broker/acl.ts';
import {
  isListenerName,
  listenerPublishDecision,
  listenerSubscribeDecision,
} from '../../src/broker/listener-acl.ts';
import { newListenerId } from '../../src/db/repositories/alert-listeners.ts';

const oneStore = { storeId: 'store-a' };
const everyStore = { storeId: null };

describe('listener account rules', () => {
  it('lets a store account read its own store alerts and nothing else', () => {
    expect(listenerSubscribeDecision(oneStore, 'oskartrack/v1/stores/store-a/alerts').ok).toBe(true);
    for (const pattern of [
      'oskartrack/v1/stores/store-b/alerts',
      'oskartrack/v1/stores/+/alerts',
      'oskartrack/v1/stores/#',
      'oskartrack/v1/stores/store-a/#',
      'oskartrack/v1/stores/store-a/alerts/#',
      '#',
      '+/+/+/+/+',
      'oskartrack/v1/hub/status',
      'oskartrack/v1/devices/dev-1/events',
      'oskartrack/v1/devices/+/status',
      '$SYS/#',
    ]) {
      expect(listenerSubscribeDecision(oneStore, pattern), pattern).toMatchObject({ ok: false });
    }
  });

  it('lets an every-store account read every store alerts, or one store, and nothing else', () => {
    expect(listenerSubscribeDecision(everyStore, 'oskartrack/v1/stores/+/alerts').ok).toBe(true);
    expect(listenerSubscribeDecision(everyStore, 'oskartrack/v1/stores/store-b/alerts').ok).toBe(true);
    for (const pattern of [
      '#',
      'oskartrack/#',
      'oskartrack/v1/stores/#',
      'oskartrack/v1/stores/+/#',
      'oskartrack/v1/stores/a/b/alerts',
      'oskartrack/v1/stores//alerts',
      'oskartrack/v1/stores/+/alerts/extra',
      'oskartrack/v1/devices/+/events',
      'oskartrack/v1/devices/dev-1/config',
      'oskartrack/v1/hub/status',
    ]) {
      expect(listenerSubscribeDecision(everyStore, pattern), pattern).toMatchObject({ ok: false });
    }
  });

  it('agrees with the topic names the hub publishes on', () => {
    expect(listenerSubscribeDecision(oneStore, topics.storeAlerts('store-a')).ok).toBe(true);
    expect(listenerSubscribeDecision(everyStore, topics.all.storeAlerts).ok).toBe(true);
  });

  it('refuses every publish', () => {
    expect(listenerPublishDecision()).toMatchObject({ ok: false });
  });

  it('tells listener names from device ids, and a new id is a listener name', () => {
    const id = newListenerId();
    expect(isListenerName(id)).toBe(true);
    expect(isListenerName('dev_abc')).toBe(false);
    expect(isListenerName('box-listener-1')).toBe(false);
    // The device rules are unchanged: a listener-named client gets nothing through them either.
    expect(deviceSubscribeDecision(id, topics.storeAlerts('store-a'))).toMatchObject({ ok: false });
  });
});
