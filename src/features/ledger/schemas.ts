import { z } from 'zod';
import { AMOUNT_TOO_LARGE, MAX_CENTS, readAmount } from '../../lib/money.ts';
import type { BankDetails, CardDetails } from './gateway.ts';
import { containsCardNumber, digitsOf, passesAbaChecksum, passesLuhn } from './payment-method-numbers.ts';

/** A money amount typed by a person ("1,234.50", "$12") as integer cents above zero. */
export const moneyField = z
  .string({ error: 'Enter an amount.' })
  .trim()
  .min(1, 'Enter an amount.')
  .transform((text, ctx) => {
    const aboveZero = 'Enter an amount above zero, like 125.50.';
    const reading = readAmount(text, aboveZero);
    if (!reading.ok || reading.cents <= 0) {
      ctx.addIssue({ code: 'custom', message: reading.ok ? aboveZero : reading.message });
      return z.NEVER;
    }
    return reading.cents;
  });

export const dateField = z
  .string({ error: 'Pick a date.' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Pick a date.')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'Pick a real date.');

/** Checkboxes that share a name: absent, one value or many, as a list of ids. */
export const idList = z.preprocess(
  (v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]),
  z.array(z.coerce.number().int().positive()).max(500),
);

export const idempotencyKey = z.string().uuid('This form is out of date. Reload the page and try again.');

/** What free-text fields of the payment forms say to a card number typed into them (it is not stored). */
export const CARD_NUMBER_IN_TEXT =
  'This looks like a card number. Do not type card numbers here: only the Card number field keeps one, safely.';

/** Free text on a payment form: refuses a card number, which would be stored and shown as typed. */
export const freeText = <T extends z.ZodType<string | null | undefined>>(field: T) =>
  field.refine((v) => !v || !containsCardNumber(v), CARD_NUMBER_IN_TEXT);

export const optionalText = (max: number) =>
  freeText(z.string().trim().max(max, `At most ${max} characters.`).optional()).transform((v) => v || null);

export const tick = z
  .enum(['on'])
  .optional()
  .transform((v) => v === 'on');

/** Keyset paging: `before` is the last id of the previous page. */
export const pageQuery = z.object({ before: z.coerce.number().int().positive().optional().catch(undefined) });

/** The Payments Calendar's month, or the day whose breakdown is open. */
export const monthQuery = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
    .optional()
    .catch(undefined),
  day: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()
    .catch(undefined),
});

/** Rows on the new-invoice form; rows left blank are ignored. */
export const INVOICE_FORM_LINES = 5;

const asList = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export const invoiceForm = z
  .object({
    issued_on: dateField,
    due_on: dateField,
    po_number: optionalText(60),
    memo: optionalText(500),
    line_description: z.preprocess(asList, z.array(z.string().trim().max(300, 'At most 300 characters.'))),
    line_quantity: z.preprocess(asList, z.array(z.string().trim())),
    line_unit: z.preprocess(asList, z.array(z.string().trim())),
  })
  .transform((form, ctx) => {
    const lines = [];
    for (let i = 0; i < INVOICE_FORM_LINES; i++) {
      const description = form.line_description[i] ?? '';
      const quantityText = form.line_quantity[i] ?? '';
      const unitText = form.line_unit[i] ?? '';
      if (!description && !unitText) continue;
      const quantity = quantityText === '' ? 1 : Number(quantityText);
      const unit = readAmount(unitText, 'A price above zero, like 49.99.');
      if (!description)
        ctx.addIssue({ code: 'custom', path: [`line_description.${i}`], message: 'Describe this line.' });
      const quantityOk = Number.isInteger(quantity) && quantity >= 1 && quantity <= 100_000;
      if (!quantityOk)
        ctx.addIssue({ code: 'custom', path: [`line_quantity.${i}`], message: 'A whole number from 1 to 100,000.' });
      if (!unit.ok || unit.cents <= 0) {
        const message = unit.ok ? 'A price above zero, like 49.99.' : unit.message;
        ctx.addIssue({ code: 'custom', path: [`line_unit.${i}`], message });
      } else if (quantityOk && quantity * unit.cents > MAX_CENTS) {
        ctx.addIssue({ code: 'custom', path: [`line_unit.${i}`], message: `Quantity × price: ${AMOUNT_TOO_LARGE}` });
      } else lines.push({ description, quantity, unitCents: unit.cents });
    }
    const total = lines.reduce((sum, line) => sum + line.quantity * line.unitCents, 0);
    if (total > MAX_CENTS)
      ctx.addIssue({ code: 'custom', path: ['line_unit.0'], message: `The invoice total: ${AMOUNT_TOO_LARGE}` });
    if (lines.length === 0 && !ctx.issues?.length)
      ctx.addIssue({ code: 'custom', path: ['line_description.0'], message: 'Add at least one line.' });
    if (form.due_on < form.issued_on)
      ctx.addIssue({ code: 'custom', path: ['due_on'], message: 'The due date cannot be before the issue date.' });
    return { issuedOn: form.issued_on, dueOn: form.due_on, poNumber: form.po_number, memo: form.memo, lines };
  });

/** The invoices chosen on *Open Invoices* for *Pay Selected*. */
export const selectedInvoicesQuery = z.object({ invoice_ids: idList.catch([]) });

export const payForm = z.object({
  invoice_ids: idList,
  amount: moneyField,
  payment_method_id: z.coerce.number({ error: 'Choose a payment method.' }).int().positive('Choose a payment method.'),
  paid_on: dateField,
  keep_remainder: tick,
  idempotency_key: idempotencyKey,
});

export const checkForm = z.object({
  invoice_ids: idList,
  amount: moneyField,
  reference: freeText(z.string().trim().min(1, 'Enter the check number.').max(60, 'At most 60 characters.')),
  paid_on: dateField,
  idempotency_key: idempotencyKey,
});

export const rescheduleForm = z.object({ paid_on: dateField });

export const creditFilterQuery = z.object({ type: z.enum(['memo', 'unapplied', 'all']).catch('all') });
const reason = freeText(
  z.string().trim().min(1, 'Say why, for the customer’s history.').max(300, 'At most 300 characters.'),
);
export const creditMemoForm = z.object({ amount: moneyField, reason, idempotency_key: idempotencyKey });
export const applyCreditForm = z.object({
  invoice_ids: idList.refine((ids) => ids.length > 0, 'Choose one or more open invoices.'),
  idempotency_key: idempotencyKey,
});
export const refundForm = z.object({ amount: moneyField, reason, idempotency_key: idempotencyKey });

export const paymentMethodKindQuery = z.object({ kind: z.enum(['card', 'ach']).optional().catch(undefined) });

/** A card or bank account as typed: the numbers are checked (Luhn, ABA) before anything goes to the gateway. */
export const paymentMethodForm = z
  .object({
    kind: z.enum(['card', 'ach'], { error: 'Choose Credit Card or ACH.' }),
    friendly_name: freeText(
      z
        .string()
        .trim()
        .min(1, 'Give it a name you will recognise, like “Mary’s Business Visa”.')
        .max(100, 'At most 100 characters.'),
    ),
    holder_name: freeText(
      z.string().trim().min(1, 'Enter the name on the card or account.').max(200, 'At most 200 characters.'),
    ),
    card_number: z.string().optional().default(''),
    exp_month: z.string().optional().default(''),
    exp_year: z.string().optional().default(''),
    cvc: z.string().optional().default(''),
    routing_number: z.string().optional().default(''),
    account_number: z.string().optional().default(''),
    account_type: z.enum(['checking', 'savings']).optional().default('checking'),
    address_line1: optionalText(200),
    city: optionalText(100),
    region: optionalText(100),
    postal_code: optionalText(20),
    country: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^([A-Z]{2})?$/, 'Two letters, like US.')
      .optional()
      .transform((v) => v || null),
    authorise: tick.refine((v) => v, 'Tick to confirm that storing this payment method is authorised.'),
  })
  .transform((form, ctx) => {
    let details: CardDetails | BankDetails;
    if (form.kind === 'card') {
      const number = digitsOf(form.card_number);
      const month = Number(form.exp_month);
      const year = Number(form.exp_year);
      if (!passesLuhn(number))
        ctx.addIssue({
          code: 'custom',
          path: ['card_number'],
          message: 'This is not a valid card number. Check the digits.',
        });
      if (!Number.isInteger(month) || month < 1 || month > 12)
        ctx.addIssue({ code: 'custom', path: ['exp_month'], message: 'Choose the month.' });
      const now = new Date();
      if (!Number.isInteger(year) || year < now.getUTCFullYear() || year > now.getUTCFullYear() + 20)
        ctx.addIssue({ code: 'custom', path: ['exp_year'], message: 'Choose the year.' });
      else if (year === now.getUTCFullYear() && month < now.getUTCMonth() + 1)
        ctx.addIssue({ code: 'custom', path: ['exp_month'], message: 'This card has expired.' });
      if (!/^\d{3,4}$/.test(form.cvc.trim()))
        ctx.addIssue({ code: 'custom', path: ['cvc'], message: 'The 3 or 4 digits on the card.' });
      details = {
        kind: 'card',
        number,
        expMonth: month,
        expYear: year,
        cvc: form.cvc.trim(),
        holderName: form.holder_name,
      };
    } else {
      const routing = digitsOf(form.routing_number);
      const account = digitsOf(form.account_number);
      if (!passesAbaChecksum(routing))
        ctx.addIssue({
          code: 'custom',
          path: ['routing_number'],
          message: 'This is not a valid 9-digit routing number. Check the digits.',
        });
      if (!/^\d{4,17}$/.test(account))
        ctx.addIssue({ code: 'custom', path: ['account_number'], message: 'An account number has 4 to 17 digits.' });
      details = {
        kind: 'ach',
        routingNumber: routing,
        accountNumber: account,
        accountType: form.account_type,
        holderName: form.holder_name,
      };
    }
    return {
      friendlyName: form.friendly_name,
      details,
      address: {
        line1: form.address_line1 ?? undefined,
        city: form.city ?? undefined,
        region: form.region ?? undefined,
        postalCode: form.postal_code ?? undefined,
        country: form.country ?? undefined,
      },
    };
  });

/** *Security Deposits* (D4): a deposit received by check, and applying part of one to an open invoice. */
export const depositForm = z.object({
  amount: moneyField,
  reference: optionalText(60),
  reason: optionalText(300),
  idempotency_key: idempotencyKey,
});
export const applyDepositForm = z.object({
  invoice_id: z.coerce.number({ error: 'Choose an open invoice.' }).int().positive('Choose an open invoice.'),
  amount: moneyField,
  idempotency_key: idempotencyKey,
});
