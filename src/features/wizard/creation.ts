import type { Actor, StaffPrincipal } from '../../auth/principal.ts';
import { isUniqueViolationOf } from '../../db/dialect.ts';
import type { Queryable } from '../../db/index.ts';
import { nowIso } from '../../lib/dates.ts';
import { HttpError } from '../../lib/http-error.ts';
import { formatCents } from '../../lib/money.ts';
import { auditCreated, recordChanges } from '../audit/audit.ts';
import { priceTable } from '../catalogue/price-lists.ts';
import { draftResellerId, insertCustomerAccount } from '../customers/customers.ts';
import { accountIdStep, accountTypeStep, contactDetailsStep } from '../customers/schemas.ts';
import { gradeLabels } from '../numbers/grades.ts';
import { assignNumber } from '../numbers/numbers.ts';
import type { LogEntry, WizardDraft } from './drafts.ts';
import { existingCustomer, isCustomerOnly, servicesWithoutNumbers, type WizardState } from './wizard.ts';

/** A number someone else got between the validity report and *Create Services*: nothing was created. */
export class NumberTakenError extends HttpError {
  constructor(readonly number: string) {
    super(
      409,
      `${number} was taken by someone else a moment ago, so nothing was created. Remove it on the Numbers tab and choose another.`,
    );
  }
}

export type CreationResult = { created: boolean; customerId: number; serviceIds: number[] };

/**
 * *Create Services* (C6): the customer (new, through the one customer-creation routine, or existing),
 * the services and their numbers, in one transaction, exactly once. The draft is claimed as the
 * transaction's first write, so a second press (double click, another tab) finds it claimed and gets
 * the first result back; each number is assigned by a conditional UPDATE, and the unique number on
 * service_numbers backs that up, so a number never goes to two customers.
 */
export async function createServices(
  db: Queryable,
  user: StaffPrincipal,
  draft: WizardDraft,
  state: WizardState,
): Promise<CreationResult> {
  const values = draft.values;
  const actor: Actor = { userId: user.id };
  const existing = await existingCustomer(db, user, values);
  const table = state.priceList ? await priceTable(db, state.priceList.id) : undefined;
  if (!table || !state.priceList) throw new HttpError(422, 'Choose a price list on the Billing tab.');
  // The validity report blocks this too; a service of a type that needs numbers is never created without.
  if (state.serviceType?.needs_numbers && !isCustomerOnly(values)) {
    const empty = state.numbers.length ? servicesWithoutNumbers(state) : [1];
    if (empty.length)
      throw new HttpError(
        422,
        `Service ${empty.join(', ')} of ${state.quantity} has no numbers, so nothing was created.`,
      );
  }

  try {
    return await db.transaction(async (trx) => {
      const now = nowIso();
      const claimed = await trx('drafts')
        .where({ id: draft.id, user_id: user.id })
        .whereNull('created_services_at')
        .update({ created_services_at: now, updated_at: now });
      if (claimed === 0) {
        const done = await trx('drafts').where({ id: draft.id }).first('customer_id');
        const services = await trx('services').where({ wizard_draft_id: draft.id }).orderBy('id').pluck('id');
        return { created: false, customerId: done?.customer_id, serviceIds: services };
      }
      const log: LogEntry[] = [];

      let customerId: number;
      if (existing) {
        customerId = existing.id;
        log.push({ category: 'customer', text: `Services added to ${existing.name} (${existing.account_number}).` });
        if (values.pin_hash) {
          await trx('customers')
            .where({ id: customerId })
            .update({ pin_hash: values.pin_hash, version: existing.version + 1, updated_at: now });
          await recordChanges(
            trx,
            { table: 'customers', id: customerId, customerId, actor },
            { pin_hash: existing.pin_hash ? 'set' : null },
            { pin_hash: 'changed' },
          );
          log.push({ category: 'customer', text: 'PIN set.' });
        }
      } else {
        const resellerId = draftResellerId(user, values);
        if (!resellerId) throw new HttpError(422, 'Choose the reseller this customer belongs to on the Customer tab.');
        customerId = await insertCustomerAccount(trx, actor, {
          resellerId,
          account: accountTypeStep.parse(values),
          contact: contactDetailsStep.parse(values),
          customAccountId: accountIdStep.parse(values).custom_account_id,
          pinHash: values.pin_hash,
        });
        const created = await trx('customers').where({ id: customerId }).first('account_number', 'name');
        log.push({
          category: 'customer',
          text: `Customer account ${created.name} created with account number ${created.account_number}, its Bill To location and PIN.`,
        });
      }

      const serviceIds: number[] = [];
      const { serviceType } = state;
      if (serviceType && !isCustomerOnly(values)) {
        const price = table.services[serviceType.id] ?? { monthly_cents: 0, setup_cents: 0 };
        for (let index = 1; index <= state.quantity; index++) {
          const service = {
            customer_id: customerId,
            service_type_id: serviceType.id,
            price_list_id: state.priceList!.id,
            status: 'active',
            ...price,
            wizard_draft_id: draft.id,
            created_at: now,
            updated_at: now,
          };
          const [{ id }] = await trx('services').insert(service).returning('id');
          await auditCreated(trx, { table: 'services', id, customerId, actor }, service);
          serviceIds.push(id);
          log.push({
            category: 'services',
            text: `${serviceType.name} service #${id} created (${state.quantity > 1 ? `${index} of ${state.quantity}` : 'one service'}).`,
          });
        }
        for (const n of state.numbers) {
          if (!(await assignNumber(trx, draft.id, n.id, customerId, now))) throw new NumberTakenError(n.number);
          const gradePrice = table.grades[n.grade] ?? { monthly_cents: 0, setup_cents: 0 };
          const row = {
            service_id: serviceIds[n.service_index - 1] ?? serviceIds[0],
            phone_number_id: n.id,
            settings: JSON.stringify(n.settings),
            ...gradePrice,
            created_at: now,
            updated_at: now,
          };
          const [{ id }] = await trx('service_numbers').insert(row).returning('id');
          await auditCreated(trx, { table: 'service_numbers', id, customerId, actor }, { ...row, number: n.number });
          log.push({
            category: 'numbers',
            text: `${n.number} (${gradeLabels[n.grade]}) assigned to service #${row.service_id}.`,
          });
        }
        await trx('wizard_draft_numbers').where({ draft_id: draft.id }).delete();
        log.push({
          category: 'billing',
          text: `Priced under ${state.priceList!.name}: ${formatCents(state.pricing.monthly_cents)} a month, ${formatCents(state.pricing.setup_cents)} set-up.`,
        });
      }

      await trx('drafts')
        .where({ id: draft.id })
        .update({ customer_id: customerId, creation_log: JSON.stringify(log) });
      return { created: true, customerId, serviceIds };
    });
  } catch (error) {
    if (isUniqueViolationOf(error, 'customers', ['reseller_id', 'custom_account_id'])) {
      throw new HttpError(
        422,
        'The Customer Account ID was just given to another customer of this reseller, so nothing was created. Choose another on the Customer tab.',
      );
    }
    if (isUniqueViolationOf(error, 'service_numbers', ['phone_number_id'])) throw new NumberTakenError('A number');
    throw error;
  }
}
