import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { contactOf, requireContact } from '../../auth/guards.ts';
import {
  clientMayTry,
  limitedSignIn,
  recordSignInFailure,
  type SignInLimits,
  TOO_MANY_SIGN_INS,
} from '../../auth/sign-in-limits.ts';
import type { Db } from '../../db/index.ts';
import { type FieldErrors, parseForm, submittedValues } from '../../lib/forms.ts';
import { hashPassword } from '../../lib/password.ts';
import { startSession } from '../../plugins/auth.ts';
import { contactOfLink, requestPasswordReset, setPasswordWithLink } from '../contacts/links.ts';
import { authenticateContact } from '../contacts/sign-in.ts';
import { MIN_PASSWORD_LENGTH, newPassword } from '../customers/schemas.ts';
import { forgotPasswordForm, linkToken, portalNextPath, signInPageQuery, signInSchema } from './schemas.ts';

/**
 * Signing in to the portal (E14) and the one-time links of E3: the same rate limit, session regeneration
 * and CSRF rules as the staff sign-in; a reset request answers the same whether or not the address exists.
 */
export default async function portalSignInRoutes(
  app: FastifyInstance,
  { db, signInLimits, publicUrl }: { db: Db; signInLimits: SignInLimits; publicUrl: string },
) {
  // Reset requests and one-time links count against the client like failed sign-ins: no mail bombing,
  // no guessing links, from any number of app processes.
  async function throttled(request: FastifyRequest, reply: FastifyReply, page: string): Promise<boolean> {
    const attempt = {
      realm: 'portal' as const,
      email: String(submittedValues(request.body).email ?? ''),
      client: request.ip,
    };
    if (!(await clientMayTry(db, signInLimits, attempt))) {
      await reply.code(429).page(page, {
        title: 'Try again later',
        values: { email: '', next: '' },
        errors: { _form: TOO_MANY_SIGN_INS },
      });
      return true;
    }
    await recordSignInFailure(db, signInLimits, attempt, false);
    return false;
  }

  app.get('/portal/login', { config: { public: true } }, async (request, reply) => {
    if (request.principal?.kind === 'contact') return reply.redirect('/portal', 303);
    const { next } = signInPageQuery.parse(request.query);
    return reply.page('portal/login', { title: 'Sign in', values: { email: '', next }, errors: {} });
  });

  app.post('/portal/login', { config: { public: true } }, async (request, reply) => {
    const form = parseForm(signInSchema, request.body);
    const typed = submittedValues(request.body);
    const values = { email: String(typed.email ?? ''), next: String(typed.next ?? '') };
    if (!form.ok) return reply.code(422).page('portal/login', { title: 'Sign in', values, errors: form.errors });
    const attempt = { realm: 'portal' as const, email: form.data.email, client: request.ip };
    const outcome = await limitedSignIn(db, signInLimits, attempt, () =>
      authenticateContact(db, form.data.email, form.data.password),
    );
    if (!outcome.ok) {
      request.log.info({ email: form.data.email, reason: outcome.reason }, 'portal sign-in refused');
      const tooMany = outcome.reason === 'too-many';
      return reply.code(tooMany ? 429 : 422).page('portal/login', {
        title: 'Sign in',
        values,
        errors: {
          _form: tooMany ? TOO_MANY_SIGN_INS : 'That e-mail and password do not match an account with access.',
        },
      });
    }
    await startSession(request, { contactId: outcome.value.id });
    return reply.redirect(portalNextPath(form.data.next), 303);
  });

  app.post('/portal/logout', { config: { public: true } }, async (request, reply) => {
    await request.session.destroy();
    return reply.redirect('/portal/login', 303);
  });

  app.get('/portal/password/forgot', { config: { public: true } }, async (_request, reply) =>
    reply.page('portal/forgot', { title: 'Forgot your password?', values: {}, errors: {}, sent: false }),
  );

  app.post('/portal/password/forgot', { config: { public: true } }, async (request, reply) => {
    if (await throttled(request, reply, 'portal/login')) return reply;
    const form = parseForm(forgotPasswordForm, request.body);
    if (!form.ok) {
      return reply.code(422).page('portal/forgot', {
        title: 'Forgot your password?',
        values: submittedValues(request.body),
        errors: form.errors,
        sent: false,
      });
    }
    await requestPasswordReset(db, form.data.email, publicUrl);
    return reply.page('portal/forgot', { title: 'Forgot your password?', values: form.data, errors: {}, sent: true });
  });

  async function setPasswordPage(reply: FastifyReply, token: string, errors: FieldErrors = {}) {
    const parsed = linkToken.safeParse(token);
    const contact = parsed.success ? await contactOfLink(db, parsed.data) : undefined;
    if (!contact) return reply.code(410).page('portal/link-used', { title: 'This link no longer works' });
    return reply.page('portal/set-password', {
      title: 'Set your password',
      token,
      contact,
      errors,
      minLength: MIN_PASSWORD_LENGTH,
    });
  }

  app.get('/portal/password/:token', { config: { public: true } }, async (request, reply) =>
    setPasswordPage(reply, (request.params as { token: string }).token),
  );

  app.post('/portal/password/:token', { config: { public: true } }, async (request, reply) => {
    if (await throttled(request, reply, 'portal/login')) return reply;
    const { token } = request.params as { token: string };
    const form = parseForm(newPassword, request.body);
    if (!form.ok) return setPasswordPage(reply.code(422), token, form.errors);
    const parsed = linkToken.safeParse(token);
    const contact = parsed.success
      ? await setPasswordWithLink(db, parsed.data, await hashPassword(form.data.password))
      : undefined;
    if (!contact) return reply.code(410).page('portal/link-used', { title: 'This link no longer works' });
    request.flash('success', 'Your password is set. Sign in with your e-mail address and the new password.');
    return reply.seeOther('/portal/login');
  });

  // *Impersonate Customer* ends here: back to the customer's Users tab as the staff user.
  app.post('/portal/impersonation/end', { preHandler: requireContact() }, async (request, reply) => {
    const contact = contactOf(request);
    if (!contact.impersonatedBy) return reply.seeOther('/portal');
    delete request.session.impersonation;
    return reply.seeOther(`/customers/${contact.customerId}/users`);
  });
}
