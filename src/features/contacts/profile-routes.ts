import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { requireStaff, staffOf } from '../../auth/guards.ts';
import { actorOf, permissions } from '../../auth/principal.ts';
import type { Db } from '../../db/index.ts';
import { type FieldErrors, parseForm } from '../../lib/forms.ts';
import { idParam } from '../../lib/params.ts';
import { createProfile, ProfileNameTaken, updateProfile } from './profiles.ts';
import { type ProfileRow, profileById, profilesByReseller, resellerById } from './queries.ts';
import { profileForm } from './schemas.ts';

const resellerField = z.object({ reseller_id: z.coerce.number().int().positive() });

/** What each permission means, as the profile form and list say it (E3). */
export const permissionLabels: Record<(typeof permissions)[number], string> = {
  view_invoices: 'View invoices, payments and the calendar',
  pay: 'Pay invoices',
  manage_payment_methods: 'Manage payment methods',
  manage_autopay: 'Manage Autopay',
  see_credits: 'See credits',
  receive_statements: 'Receive statements and receipts',
};

/** *Contact profiles* (E3) under /contact-profiles: named access levels per reseller, managed by admins and support. */
export default async function contactProfileRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support'));

  app.get('/contact-profiles', async (_request, reply) =>
    reply.page('contacts/profiles', {
      title: 'Contact profiles',
      resellers: await profilesByReseller(db),
      permissions,
      permissionLabels,
    }),
  );

  function formPage(
    reply: FastifyReply,
    reseller: { id: number; name: string },
    profile: ProfileRow | null,
    values: Record<string, unknown>,
    errors: FieldErrors = {},
  ) {
    return reply.page('contacts/profile-form', {
      title: profile ? `Edit ${profile.name}` : 'New contact profile',
      reseller,
      profile,
      values,
      errors,
      permissions,
      permissionLabels,
    });
  }

  app.get('/contact-profiles/new', async (request, reply) => {
    const parsed = resellerField.safeParse(request.query);
    const reseller = await resellerById(db, parsed.success ? parsed.data.reseller_id : 0);
    return formPage(reply, reseller, null, {});
  });

  app.post('/contact-profiles', async (request, reply) => {
    const parsed = resellerField.safeParse(request.body);
    const reseller = await resellerById(db, parsed.success ? parsed.data.reseller_id : 0);
    const values = request.body as Record<string, unknown>;
    const form = parseForm(profileForm, values);
    if (!form.ok) return formPage(reply.code(422), reseller, null, values, form.errors);
    try {
      await createProfile(db, reseller.id, form.data, actorOf(staffOf(request)));
    } catch (error) {
      if (!(error instanceof ProfileNameTaken)) throw error;
      return formPage(reply.code(422), reseller, null, values, { name: error.message });
    }
    request.flash('success', `Contact profile ${form.data.name} added for ${reseller.name}.`);
    return reply.seeOther('/contact-profiles');
  });

  app.get('/contact-profiles/:profileId/edit', async (request, reply) => {
    const profile = await profileById(db, idParam(request, 'profileId', 'This contact profile'));
    return formPage(reply, { id: profile.reseller_id, name: profile.reseller_name }, profile, profile);
  });

  app.post('/contact-profiles/:profileId', async (request, reply) => {
    const profile = await profileById(db, idParam(request, 'profileId', 'This contact profile'));
    const reseller = { id: profile.reseller_id, name: profile.reseller_name };
    const values = request.body as Record<string, unknown>;
    const form = parseForm(profileForm, values);
    if (!form.ok) return formPage(reply.code(422), reseller, profile, values, form.errors);
    try {
      await updateProfile(db, reseller.id, profile.id, form.data, actorOf(staffOf(request)));
    } catch (error) {
      if (!(error instanceof ProfileNameTaken)) throw error;
      return formPage(reply.code(422), reseller, profile, values, { name: error.message });
    }
    request.flash('success', `Contact profile ${form.data.name} saved.`);
    return reply.seeOther('/contact-profiles');
  });
}
