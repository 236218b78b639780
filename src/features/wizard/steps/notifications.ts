import type { Queryable } from '../../../db/index.ts';
import { typedValue } from '../../../lib/step-form.ts';
import type { DraftValues } from '../../drafts/drafts.ts';
import { saveWizardDraft, type WizardDraft } from '../drafts.ts';
import { destinations, finishWizard, parseEmails, recipients } from '../notifications.ts';
import { creationRecipients, servicesCreatedBy } from '../queries.ts';
import { renderStep, type StepHandlers, stayOn } from './page.ts';

/** The e-mails *Notifications* offers until the user changes them: to the customer and to its reseller. */
async function emailDefaults(db: Queryable, draft: WizardDraft) {
  const { customer, resellerEmail, services, numbers } = await creationRecipients(db, draft);
  const what = services.length
    ? `${services.length === 1 ? `a ${services[0].name} service` : `${services.length} ${services[0].name} services`}${numbers.length ? ` with the number${numbers.length === 1 ? '' : 's'} ${numbers.join(', ')}` : ''}`
    : 'a customer account';
  return {
    customer,
    services,
    defaults: {
      customer_to: customer?.email ?? '',
      customer_subject: services.length ? 'Your new services are ready' : 'Your customer account is ready',
      customer_body: `Hello ${customer?.name ?? ''},\n\nWe have set up ${what} for you (account ${customer?.account_number ?? ''}).\n\nKind regards`,
      reseller_to: resellerEmail ?? '',
      reseller_subject: `New for ${customer?.name ?? 'your customer'}`,
      reseller_body: `${customer?.name ?? 'The customer'} (${customer?.account_number ?? ''}) now has ${what}.`,
    } as Record<string, string>,
  };
}

/** C7 *Notifications*: the log of what was created, e-mails to send, and where to go when finished. */
export const show: StepHandlers['show'] = async (at, data = {}) => {
  const { draft } = at;
  const { customer, services, defaults } = await emailDefaults(at.db, draft);
  const values = { ...defaults, destination: services.length ? 'service' : 'customer', ...draft.values };
  return renderStep(
    { ...at, draft: { ...draft, values } },
    {
      customer,
      services,
      recipients,
      destinations,
      log: draft.creationLog,
      finished: Boolean(draft.finishedAt),
      ...data,
    },
  );
};

export const submit: StepHandlers['submit'] = async (at, body, action) => {
  const { db, draft, request, reply } = at;
  const typed: DraftValues = {};
  for (const category of ['customer', 'services', 'numbers', 'billing'])
    typed[`show_log_${category}`] = body[`show_log_${category}`] === 'on' ? 'on' : '';
  for (const { key } of recipients) {
    typed[`email_${key}`] = body[`email_${key}`] === 'on' ? 'on' : '';
    for (const part of ['to', 'subject', 'body']) typed[`${key}_${part}`] = typedValue(body, `${key}_${part}`);
  }
  const destination = destinations.find((d) => d.key === typedValue(body, 'destination'))?.key ?? 'customer';
  typed.destination = destination;
  const saved = draft.finishedAt ? draft : await saveWizardDraft(db, draft, typed);
  if (action !== 'finish') return stayOn(at);
  const emails = parseEmails(body);
  if (!emails.ok) return show({ ...at, draft: saved }, { errors: emails.errors });
  const finished = await finishWizard(db, saved, emails.emails);
  if (finished && emails.emails.length)
    request.flash(
      'success',
      `${emails.emails.length === 1 ? 'One e-mail is' : `${emails.emails.length} e-mails are`} on the way.`,
    );
  if (destination === 'wizard') return reply.seeOther('/wizard');
  const [firstService] = await servicesCreatedBy(db, draft.id);
  if (destination === 'service' && firstService) return reply.seeOther(`/services/${firstService.id}`);
  return reply.seeOther(`/customers/${saved.customerId}`);
};
