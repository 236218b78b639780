import type { FastifyInstance } from 'fastify';
import { limitedSignIn, type SignInLimits, TOO_MANY_SIGN_INS } from '../../auth/sign-in-limits.ts';
import type { Db } from '../../db/index.ts';
import { parseForm, submittedValues } from '../../lib/forms.ts';
import { startSession } from '../../plugins/auth.ts';
import { authenticate } from './auth.ts';
import { safeNextPath, signInPageQuery, signInSchema } from './schemas.ts';

export default async function authRoutes(
  app: FastifyInstance,
  { db, signInLimits }: { db: Db; signInLimits: SignInLimits },
) {
  app.get('/login', { config: { public: true } }, async (request, reply) => {
    if (request.principal) return reply.redirect(request.principal.kind === 'contact' ? '/portal' : '/', 303);
    const { next } = signInPageQuery.parse(request.query);
    return reply.page('auth/login', { title: 'Sign in', values: { email: '', next }, errors: {} });
  });

  app.post('/login', { config: { public: true } }, async (request, reply) => {
    const form = parseForm(signInSchema, request.body);
    const typed = submittedValues(request.body);
    const values = { email: String(typed.email ?? ''), next: String(typed.next ?? '') };
    if (!form.ok) return reply.code(422).page('auth/login', { title: 'Sign in', values, errors: form.errors });
    const attempt = { realm: 'staff' as const, email: form.data.email, client: request.ip };
    const outcome = await limitedSignIn(db, signInLimits, attempt, () =>
      authenticate(db, form.data.email, form.data.password),
    );
    if (!outcome.ok) {
      request.log.info({ email: form.data.email, reason: outcome.reason }, 'sign-in refused');
      return reply.code(outcome.reason === 'too-many' ? 429 : 422).page('auth/login', {
        title: 'Sign in',
        values,
        errors: {
          _form:
            outcome.reason === 'too-many'
              ? TOO_MANY_SIGN_INS
              : 'That e-mail and password do not match an active account.',
        },
      });
    }
    await startSession(request, { userId: outcome.value.id });
    return reply.redirect(safeNextPath(form.data.next), 303);
  });

  app.post('/logout', { config: { public: true } }, async (request, reply) => {
    await request.session.destroy();
    return reply.redirect('/login', 303);
  });
}
