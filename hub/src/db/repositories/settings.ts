import { eq } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { customers, hubSettings } from '../schema.ts';

/** The setting that allows age and gender estimates and face encodings on visitor profiles. */
export const DEMOGRAPHICS = 'demographics';

/** Hub-wide switches (feature flags) kept in the database, so every hub process sees the same. */
export class HubSettingsRepository {
  constructor(private readonly db: Db) {}

  async get(key: string): Promise<unknown> {
    const [row] = await this.db
      .select({ value: hubSettings.value })
      .from(hubSettings)
      .where(eq(hubSettings.key, key));
    return row?.value;
  }

  async set(key: string, value: unknown): Promise<void> {
    const now = new Date();
    await this.db
      .insert(hubSettings)
      .values({ key, value, updatedAt: now })
      .onConflictDoUpdate({ target: hubSettings.key, set: { value, updatedAt: now } });
  }

  /** Off unless an administrator turned it on. */
  async demographicsEnabled(): Promise<boolean> {
    const value = await this.get(DEMOGRAPHICS);
    return typeof value === 'object' && value !== null && (value as { enabled?: unknown }).enabled === true;
  }

  /**
   * Turns demographics on or off. Turning it off also erases every stored age, gender and face
   * encoding, in the same transaction: data collected under the setting does not outlive it.
   * Returns how many visitor profiles were erased.
   */
  async setDemographicsEnabled(enabled: boolean): Promise<number> {
    return this.db.transaction(async (tx) => {
      await new HubSettingsRepository(tx).set(DEMOGRAPHICS, { enabled });
      if (enabled) return 0;
      const erased = await tx
        .update(customers)
        .set({ ageEstimate: null, genderEstimate: null, faceEncoding: null, updatedAt: new Date() })
        .returning({ id: customers.id });
      return erased.length;
    });
  }
}
