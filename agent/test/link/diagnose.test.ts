// The words a refused connection gets: the hub option that sets the port that was tried.
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/link/diagnose.ts';

describe('diagnose a refused connection', () => {
  it("names the hub's web port option for its web address and the MQTT one for its broker", () => {
    const refused = { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.0.0.1:8080' };
    const web = diagnose(refused, { url: 'https://10.0.0.1:8080' });
    expect(web.kind).toBe('refused');
    expect(web.advice).toContain('listens on port 8080 (hub: oskartrack-hub serve --port)');
    const broker = diagnose(refused, { url: 'mqtts://10.0.0.1:8883' });
    expect(broker.advice).toContain('listens on port 8883 (hub: oskartrack-hub serve --mqtt-port)');
  });
});
