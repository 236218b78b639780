import type { z } from 'zod';
import type { Actor, StaffPrincipal } from '../../auth/principal.ts';
import { isUniqueViolationOf, serialiseOn } from '../../db/dialect.ts';
import type { Queryable, Tx } from '../../db/index.ts';
import { nowIso } from '../../lib/dates.ts';
import { type FieldErrors, parseForm } from '../../lib/forms.ts';
import { HttpError } from '../../lib/http-error.ts';
import { normalisePhone } from '../../lib/phone.ts';
import { auditCreated, updateAudited } from '../audit/audit.ts';
import { markDraftFinished, recordDraftCustomer } from '../drafts/drafts.ts';
import { draftCustomerId } from '../drafts/queries.ts';
import { checkOrgChoice } from '../institutions/picker.ts';
import type { OrgChoice } from '../institutions/schemas.ts';
import { accountNumberFor } from './account-number.ts';
import { type CustomerDraft, type NewAccountStep, newAccountSteps } from './drafts.ts';
import { accountIdStep, accountTypeStep, administratorStep, contactDetailsStep, resellerChoice } from './schemas.ts';

/** Staff choose the reseller a new customer belongs to; a reseller user's customers are always its own. */
export function staffChoosesReseller(user: StaffPrincipal): boolean {
  return user.role !== 'reseller';
}

/** The reseller the draft's customer will belong to, or null while a staff user has not chosen one. */
export function draftResellerId(user: StaffPrincipal, values: CustomerDraft['values']): number | null {
  if (!staffChoosesReseller(user)) return user.resellerId;
  const id = Number(values.reseller_id);
  return Number.isInteger(id) && id > 0 ? id : null;
}

export async function resellerOptions(db: Queryable): Promise<{ id: number; name: string }[]> {
  return db('resellers').orderBy('name').select('id', 'name');
}

/** A new customer's institution and group (A5): none unless chosen. */
const orgChoiceOf = (values: { institution_id?: number | null; group_id?: number | null }): OrgChoice => ({
  institution_id: values.institution_id ?? null,
  group_id: values.group_id ?? null,
});

/** The customer of this reseller that already has the Custom Account ID, if any (other than `exceptId`). */
async function customAccountIdHolder(db: Queryable, resellerId: number, customAccountId: string, exceptId?: number) {
  const query = db('customers').where({ reseller_id: resellerId, custom_account_id: customAccountId });
  if (exceptId) query.whereNot('id', exceptId);
  return query.first<{ name: string; account_number: string } | undefined>('name', 'account_number');
}

function takenMessage(holder: { name: string; account_number: string }): string {
  return `This Customer Account ID is already used by ${holder.name} (${holder.account_number}). Each customer of a reseller needs its own.`;
}

const LOGIN_TAKEN = 'This logon name is taken. Choose another.';

/**
 * Validates one step of the draft as stored: the step's schema, then what needs the database (the
 * reseller exists, the Custom Account ID is free within the reseller, the logon name is free).
 * Returns the field errors, or null when the step is good.
 */
export async function validateStep(
  db: Queryable,
  user: StaffPrincipal,
  step: NewAccountStep,
  values: CustomerDraft['values'],
): Promise<FieldErrors | null> {
  const schema = [accountTypeStep, contactDetailsStep, accountIdStep, administratorStep][step.number - 1];
  const result = parseForm(schema, values);
  const errors: FieldErrors = result.ok ? {} : { ...result.errors };
  if (step.number === 1 && result.ok)
    Object.assign(errors, await checkOrgChoice(db, orgChoiceOf(result.data as z.infer<typeof accountTypeStep>)));
  if (step.number === 1 && staffChoosesReseller(user)) {
    const choice = parseForm(resellerChoice, values);
    if (!choice.ok) Object.assign(errors, choice.errors);
    else if (!(await db('resellers').where({ id: choice.data.reseller_id }).first('id'))) {
      errors.reseller_id = 'Choose the reseller this customer belongs to.';
    }
  }
  if (step.number === 3 && result.ok) {
    const customId = (result.data as { custom_account_id: string | null }).custom_account_id;
    const resellerId = draftResellerId(user, values);
    const holder = customId && resellerId ? await customAccountIdHolder(db, resellerId, customId) : undefined;
    if (holder) errors.custom_account_id = takenMessage(holder);
  }
  if (step.number === 4 && result.ok) {
    if (
      await db('contacts')
        .where({ login: (result.data as { login: string }).login })
        .first('id')
    )
      errors.login = LOGIN_TAKEN;
  }
  return Object.keys(errors).length ? errors : null;
}

/** The first step of the draft that does not validate, with its errors, or null when all do. */
export async function firstInvalidStep(db: Queryable, user: StaffPrincipal, values: CustomerDraft['values']) {
  for (const step of newAccountSteps) {
    const errors = await validateStep(db, user, step, values);
    if (errors) return { step, errors };
  }
  return null;
}

/** Account numbers are "LD" and seven digits, one more than the highest so far (one index probe). */
async function nextAccountNumber(trx: Tx): Promise<string> {
  await serialiseOn(trx, 'account-numbers');
  // A bare max() is answered from the unique index's last entry on both databases.
  const row = await trx('customers').max({ highest: 'account_number' }).first();
  const highest = row?.highest ? Number(String(row.highest).slice(2)) : 0;
  return accountNumberFor(highest + 1);
}

export type NewCustomerAccount = {
  resellerId: number;
  account: z.infer<typeof accountTypeStep>;
  contact: z.infer<typeof contactDetailsStep>;
  customAccountId: string | null;
  /** The customer's PIN, already hashed (the Add Services Wizard asks for one). */
  pinHash?: string | null;
};

/**
 * The one way a customer account is created: the customer and its *Bill To* location, audited, inside
 * the caller's transaction (New Customer Account adds an administrative user; the Add Services Wizard
 * adds services). A taken Custom Account ID fails on the unique constraint; the caller maps it.
 */
export async function insertCustomerAccount(trx: Tx, actor: Actor, input: NewCustomerAccount): Promise<number> {
  const { account, contact } = input;
  const now = nowIso();
  const customer = {
    account_number: await nextAccountNumber(trx),
    name: contact.name,
    kind: account.kind,
    status: 'active',
    reseller_id: input.resellerId,
    custom_account_id: input.customAccountId,
    email: contact.email,
    phone: contact.phone,
    sales_person: account.sales_person,
    branch: account.branch,
    ...orgChoiceOf(account),
    created_at: now,
    updated_at: now,
  };
  // phone_digits is derived from the phone (searchable whatever its format, D1), so it is not audited.
  const [{ id: customerId }] = await trx('customers')
    .insert({
      ...customer,
      phone_digits: normalisePhone(contact.phone, contact.country),
      pin_hash: input.pinHash ?? null,
    })
    .returning('id');
  // The PIN's hash stays out of the audit log, like a password's: the log says that one was set.
  await auditCreated(
    trx,
    { table: 'customers', id: customerId, customerId, actor },
    { ...customer, pin_hash: input.pinHash ? 'set' : null },
  );

  const location = {
    customer_id: customerId,
    label: 'Bill To',
    line1: contact.line1,
    line2: contact.line2,
    city: contact.city,
    region: contact.region,
    postal_code: contact.postal_code,
    country: contact.country,
    is_bill_to: true,
    created_at: now,
  };
  const [{ id: locationId }] = await trx('locations').insert(location).returning('id');
  await auditCreated(trx, { table: 'locations', id: locationId, customerId, actor }, location);
  return customerId;
}

/** A create refused because a value became taken after its step was validated (another user was quicker). */
export class TakenError extends HttpError {
  constructor(
    readonly step: NewAccountStep,
    readonly errors: FieldErrors,
  ) {
    super(422, Object.values(errors)[0]);
  }
}

export type FinishResult = { customerId: number; created: boolean };

/**
 * *Finish*: creates the customer, its *Bill To* location and its administrative user (the first portal
 * contact) from a draft whose steps all validated, in one transaction, exactly once. The draft is
 * claimed (marked finished) as the transaction's first write, so a second *Finish* (double click,
 * another tab) finds it finished and gets the same customer back; the unique customer_id on drafts
 * backs that up. `passwordHash` is hashed before the transaction so the write lock is held briefly.
 */
export async function finishDraft(
  db: Queryable,
  user: StaffPrincipal,
  draft: CustomerDraft,
  passwordHash: string,
): Promise<FinishResult> {
  const account = accountTypeStep.parse(draft.values);
  const contact = contactDetailsStep.parse(draft.values);
  const { custom_account_id: customAccountId } = accountIdStep.parse(draft.values);
  const { login } = administratorStep.parse(draft.values);
  const resellerId = draftResellerId(user, draft.values);
  if (!resellerId) throw new HttpError(422, 'Choose the reseller this customer belongs to.');
  const actor: Actor = { userId: user.id };

  try {
    return await db.transaction(async (trx) => {
      const now = nowIso();
      if (!(await markDraftFinished(trx, draft.id))) {
        const customerId = await draftCustomerId(trx, draft.id);
        if (!customerId) throw new HttpError(404, 'This new customer account form no longer exists.');
        return { customerId, created: false };
      }

      const customerId = await insertCustomerAccount(trx, actor, { resellerId, account, contact, customAccountId });

      const administrator = {
        customer_id: customerId,
        name: contact.name,
        email: contact.email,
        phone: contact.phone,
        login,
        access_level: 'full',
        is_billing_contact: true,
        created_at: now,
      };
      const [{ id: contactId }] = await trx('contacts')
        .insert({ ...administrator, password_hash: passwordHash })
        .returning('id');
      // The hash stays out of the audit log: the log records that a password was set, not what it is.
      await auditCreated(
        trx,
        { table: 'contacts', id: contactId, customerId, actor },
        { ...administrator, password_hash: 'set' },
      );

      await recordDraftCustomer(trx, draft.id, customerId);
      return { customerId, created: true };
    });
  } catch (error) {
    if (isUniqueViolationOf(error, 'customers', ['reseller_id', 'custom_account_id'])) {
      const holder = await customAccountIdHolder(db, resellerId, customAccountId ?? '');
      throw new TakenError(newAccountSteps[2], {
        custom_account_id: holder ? takenMessage(holder) : 'This Customer Account ID is taken.',
      });
    }
    if (isUniqueViolationOf(error, 'contacts', ['login']))
      throw new TakenError(newAccountSteps[3], { login: LOGIN_TAKEN });
    throw error;
  }
}

/**
 * *Save* on *Additional Information*: sets or clears the Custom Account ID, refusing one another customer
 * of the same reseller has, and a stale edit. Audited through updateAudited. Returns field errors or null.
 */
export async function saveCustomAccountId(
  db: Queryable,
  user: StaffPrincipal,
  customer: { id: number; reseller_id: number },
  change: { custom_account_id: string | null; version: number },
): Promise<FieldErrors | null> {
  const id = change.custom_account_id;
  const holder = id ? await customAccountIdHolder(db, customer.reseller_id, id, customer.id) : undefined;
  if (holder) return { custom_account_id: takenMessage(holder) };
  try {
    await db.transaction((trx) =>
      updateAudited(
        trx,
        {
          table: 'customers',
          id: customer.id,
          customerId: customer.id,
          actor: { userId: user.id },
          expectedVersion: change.version,
        },
        { custom_account_id: id },
      ),
    );
    return null;
  } catch (error) {
    if (isUniqueViolationOf(error, 'customers', ['reseller_id', 'custom_account_id'])) {
      return { custom_account_id: 'This Customer Account ID was just given to another customer of this reseller.' };
    }
    throw error;
  }
}

/** Keeps the searchable digits of a changed phone number (D1), read in the Bill To location's country. */
export async function storePhoneDigits(trx: Queryable, customerId: number, phone: string | null): Promise<void> {
  const billTo = await trx('locations').where({ customer_id: customerId, is_bill_to: true }).first('country');
  await trx('customers')
    .where('id', customerId)
    .update({ phone_digits: normalisePhone(phone, billTo?.country) });
}
