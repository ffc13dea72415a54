export { deliveryState, GAVE_UP_PREFIX, GIVEN_UP_AT } from './schedule.ts';
export { rotateWebhookSecret, webhookSecret } from './signing-secret.ts';
export { type DeliveryLog, DeliveryWorker, type DeliveryWorkerOptions } from './worker.ts';
