/**
 * Who may hand events to ingest over the broker: a device the database knows and that holds a
 * credential. Revoked (credential removed) and unknown devices are refused: their batches are neither
 * stored nor acknowledged. Checked on every group, not cached, so a revocation counts at once.
 */
import { NotFoundError } from '../db/errors.ts';

export type Refusal = 'unknown' | 'revoked';

export async function brokerRefusal(
  devices: { credentialHash(id: string): Promise<string | null> },
  deviceId: string,
): Promise<Refusal | undefined> {
  try {
    return (await devices.credentialHash(deviceId)) === null ? 'revoked' : undefined;
  } catch (error) {
    if (error instanceof NotFoundError) return 'unknown';
    throw error;
  }
}
