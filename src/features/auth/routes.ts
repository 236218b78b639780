import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/index.ts';
import { parseForm, submittedValues } from '../../lib/forms.ts';
import { startSession } from '../../plugins/auth.ts';
import { authenticate } from './auth.ts';
import { safeNextPath, signInPageQuery, signInSchema } from './schemas.ts';

export default async function authRoutes(
  app: FastifyInstance,
  { db, loginAttemptsPerMinute }: { db: Db; loginAttemptsPerMinute: number },
) {
  app.get('/login', { config: { public: true } }, async (request, reply) => {
    if (request.principal) return reply.redirect(request.principal.kind === 'contact' ? '/portal' : '/', 303);
    const { next } = signInPageQuery.parse(request.query);
    return reply.page('auth/login', { title: 'Sign in', values: { email: '', next }, errors: {} });
  });

  app.post(
    '/login',
    {
      config: {
        public: true,
        rateLimit: {
          max: loginAttemptsPerMinute,
          timeWindow: '1 minute',
          // Per address and account: one attacker cannot lock everyone out, and one account is not guessed from many tabs.
          keyGenerator: (request) => `${request.ip}|${String(submittedValues(request.body).email ?? '').toLowerCase()}`,
        },
      },
    },
    async (request, reply) => {
      const form = parseForm(signInSchema, request.body);
      const typed = submittedValues(request.body);
      const values = { email: String(typed.email ?? ''), next: String(typed.next ?? '') };
      if (!form.ok) return reply.code(422).page('auth/login', { title: 'Sign in', values, errors: form.errors });
      const user = await authenticate(db, form.data.email, form.data.password);
      if (!user) {
        request.log.info({ email: form.data.email }, 'sign-in refused');
        return reply.code(422).page('auth/login', {
          title: 'Sign in',
          values,
          errors: { _form: 'That e-mail and password do not match an active account.' },
        });
      }
      await startSession(request, { userId: user.id });
      return reply.redirect(safeNextPath(form.data.next), 303);
    },
  );

  app.post('/logout', { config: { public: true } }, async (request, reply) => {
    await request.session.destroy();
    return reply.redirect('/login', 303);
  });
}
