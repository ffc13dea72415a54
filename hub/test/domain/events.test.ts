import { describe, expect, it } from 'vitest';
import { DomainEvents, deviceIds } from '../../src/domain/events.ts';

describe('domain events', () => {
  it('delivers each event to its listeners only, until they stop listening', () => {
    const events = new DomainEvents();
    const heard: string[] = [];
    const off = events.on('config-changed', (e) => heard.push(`config ${e.deviceIds.join(',')}`));
    events.on('device-revoked', (e) => heard.push(`revoked ${e.deviceId}`));
    events.emit('config-changed', { deviceIds: ['a', 'b'] });
    events.emit('device-revoked', { deviceId: 'c' });
    events.emit('device-removed', { deviceId: 'd' });
    off();
    events.emit('config-changed', { deviceIds: ['e'] });
    expect(heard).toEqual(['config a,b', 'revoked c']);
  });

  it('one listener for several events', () => {
    const events = new DomainEvents();
    let calls = 0;
    const off = events.onAny(['store-changed', 'device-moved'], () => calls++);
    events.emit('store-changed', { storeId: 's' });
    events.emit('device-moved', { deviceId: 'd', fromStoreId: 's', toStoreId: 't' });
    events.emit('camera-changed', { cameraId: 'c', storeId: 's' });
    off();
    events.emit('store-changed', { storeId: 's' });
    expect(calls).toBe(2);
  });

  it('a throwing listener goes to onError; the others still hear the event and emit never throws', () => {
    const errors: string[] = [];
    const events = new DomainEvents((name, error) => errors.push(`${name}: ${String(error)}`));
    let heard = 0;
    events.on('store-changed', () => {
      throw new Error('boom');
    });
    events.on('store-changed', () => heard++);
    expect(() => events.emit('store-changed', { storeId: 's' })).not.toThrow();
    expect(heard).toBe(1);
    expect(errors).toEqual(['store-changed: Error: boom']);
  });

  it('deviceIds keeps each box once and drops unassigned cameras', () => {
    expect(deviceIds('a', null, 'a', undefined, 'b')).toEqual(['a', 'b']);
    expect(deviceIds(null)).toEqual([]);
  });
});
