/** Publishes one alert notice on the store's alert topic through the hub's message bus. */
import { type AlertNotice, outgoingAlert } from '@oskartrack/protocol';
import type { MessageBus } from '../../broker/bus.ts';

export async function publishAlert(bus: MessageBus | undefined, notice: AlertNotice): Promise<void> {
  if (!bus) throw new Error('this hub runs without its message broker, so it can not publish alerts there');
  const message = outgoingAlert(notice.storeId, notice);
  try {
    await bus.publish(message.topic, message.payload, message);
  } catch (err) {
    throw new Error(`the message broker did not take the alert (${(err as Error).message})`);
  }
}
