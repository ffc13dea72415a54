import { DomainEvents } from '../../../domain/events.ts';
import { definePlugin } from '../../plugin.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Domain events: routes raise them after a change, config push and the live feed listen. */
    domain: DomainEvents;
  }
}

/** Decorates `app.domain`: the emitter given (so parts built before the app can listen), else a new one. */
export default definePlugin<{ events?: DomainEvents | undefined }>('domain-events', async (app, opts) => {
  app.decorate(
    'domain',
    opts.events ??
      new DomainEvents((name, error) =>
        app.log.error({ err: error, event: name }, 'domain event listener failed'),
      ),
  );
});
