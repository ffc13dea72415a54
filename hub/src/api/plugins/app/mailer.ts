import { createMailer, type Mailer } from '../../../mail/mailer.ts';
import { definePlugin } from '../../plugin.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** E-mail through the administrator's SMTP server (alerts, reports, test messages). */
    mailer: Mailer;
  }
}

export default definePlugin(
  'mailer',
  async (app, opts: { mailer?: Mailer | undefined }) => {
    app.decorate('mailer', opts.mailer ?? createMailer(app.repos.settings));
  },
  { dependencies: ['repositories'] },
);
