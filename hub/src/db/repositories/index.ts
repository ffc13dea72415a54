import type { Db } from '../database.ts';
import { AlertListenersRepository } from './alert-listeners.ts';
import { AlertsRepository } from './alerts.ts';
import { AnalyticsRepository } from './analytics.ts';
import { CamerasRepository } from './cameras.ts';
import { CustomersRepository } from './customers.ts';
import { DeadLettersRepository } from './dead-letters.ts';
import { DeviceProgressRepository } from './device-progress.ts';
import { DevicesRepository } from './devices.ts';
import { EnrollmentRepository } from './enrollment.ts';
import { EventsRepository } from './events.ts';
import { LoginAttemptsRepository } from './login-attempts.ts';
import { RateLimitsRepository } from './rate-limits.ts';
import { SessionsRepository } from './sessions.ts';
import { HubSettingsRepository } from './settings.ts';
import { StoresRepository } from './stores.ts';
import { SummariesRepository } from './summaries.ts';
import { UploadsRepository } from './uploads.ts';
import { UsersRepository } from './users.ts';
import { VisitDurationsRepository } from './visit-durations.ts';
import { VisitsRepository } from './visits.ts';
import { ZonesRepository } from './zones.ts';

export * from './alert-listeners.ts';
export * from './alerts.ts';
export * from './analytics.ts';
export * from './cameras.ts';
export type { Page } from './common.ts';
export * from './customers.ts';
export * from './dead-letters.ts';
export * from './device-progress.ts';
export * from './devices.ts';
export * from './enrollment.ts';
export * from './events.ts';
export * from './login-attempts.ts';
export * from './rate-limits.ts';
export * from './sessions.ts';
export * from './settings.ts';
export * from './stores.ts';
export * from './summaries.ts';
export * from './uploads.ts';
export * from './users.ts';
export * from './visit-durations.ts';
export * from './visits.ts';
export * from './zones.ts';

/** Every repository over one database (or one transaction). Routes and ingest use only these. */
export interface Repositories {
  stores: StoresRepository;
  devices: DevicesRepository;
  cameras: CamerasRepository;
  zones: ZonesRepository;
  customers: CustomersRepository;
  visits: VisitsRepository;
  visitDurations: VisitDurationsRepository;
  events: EventsRepository;
  deadLetters: DeadLettersRepository;
  deviceProgress: DeviceProgressRepository;
  summaries: SummariesRepository;
  users: UsersRepository;
  enrollment: EnrollmentRepository;
  settings: HubSettingsRepository;
  sessions: SessionsRepository;
  loginAttempts: LoginAttemptsRepository;
  rateLimits: RateLimitsRepository;
  analytics: AnalyticsRepository;
  uploads: UploadsRepository;
  alerts: AlertsRepository;
  alertListeners: AlertListenersRepository;
}

export function createRepositories(db: Db): Repositories {
  return {
    stores: new StoresRepository(db),
    devices: new DevicesRepository(db),
    cameras: new CamerasRepository(db),
    zones: new ZonesRepository(db),
    customers: new CustomersRepository(db),
    visits: new VisitsRepository(db),
    visitDurations: new VisitDurationsRepository(db),
    events: new EventsRepository(db),
    deadLetters: new DeadLettersRepository(db),
    deviceProgress: new DeviceProgressRepository(db),
    summaries: new SummariesRepository(db),
    users: new UsersRepository(db),
    enrollment: new EnrollmentRepository(db),
    settings: new HubSettingsRepository(db),
    sessions: new SessionsRepository(db),
    loginAttempts: new LoginAttemptsRepository(db),
    rateLimits: new RateLimitsRepository(db),
    analytics: new AnalyticsRepository(db),
    uploads: new UploadsRepository(db),
    alerts: new AlertsRepository(db),
    alertListeners: new AlertListenersRepository(db),
  };
}

/**
 * Runs `work` in one transaction with repositories bound to it: all of it commits or none. Inside,
 * use only the given repositories (on PGlite the outer ones would wait for this transaction).
 */
export function inTransaction<T>(db: Db, work: (repos: Repositories) => Promise<T>): Promise<T> {
  return db.transaction((tx) => work(createRepositories(tx)));
}
