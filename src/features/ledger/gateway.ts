import { randomBytes } from 'node:crypto';
import { addDays } from '../../lib/dates.ts';
import { cardBrandOf } from './payment-method-numbers.ts';

export type CardDetails = {
  kind: 'card';
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
  holderName: string;
};
export type BankDetails = {
  kind: 'ach';
  routingNumber: string;
  accountNumber: string;
  accountType: 'checking' | 'savings';
  holderName: string;
};

/** What we keep of a payment method: the gateway's token and what may be shown. */
export type StoredMethod = {
  token: string;
  brand: string;
  last4: string;
  expMonth: number | null;
  expYear: number | null;
};

export type TokenizeResult = ({ ok: true } & StoredMethod) | { ok: false; reason: string };

export type ChargeResult =
  | { status: 'approved'; ref: string }
  | { status: 'declined'; ref: string; reason: string }
  /** Accepted but not final yet (ACH): ask again with `retrieve` after `settlesOn`. */
  | { status: 'processing'; ref: string; settlesOn: string };

/** The gateway did not answer in time: whether the charge happened is unknown until it is asked again. */
export class GatewayTimeoutError extends Error {}

/**
 * What ledgerdesk needs from a payment gateway. Card and account numbers go only to `tokenize`; every
 * charge carries an idempotency key, and the gateway answers a repeated key with the first result
 * (this is what lets us retry after a time-out without charging twice).
 */
export interface PaymentGateway {
  tokenize(details: CardDetails | BankDetails): Promise<TokenizeResult>;
  charge(request: { token: string; amountCents: number; idempotencyKey: string }): Promise<ChargeResult>;
  retrieve(ref: string): Promise<ChargeResult>;
}

/** Test numbers of the sandbox, like a real gateway's test mode. */
export const sandboxCards = {
  approve: ['4242424242424242', '5555555555554444', '6011111111111117', '378282246310005'],
  decline: '4000000000000002',
  timeout: '4000000000000119',
} as const;

type Behaviour = 'approve' | 'decline' | 'timeout' | 'ach';

/**
 * The default gateway: nothing leaves the machine. Cards approve, except the decline and time-out test
 * numbers; a time-out happens once per idempotency key (the charge went through, the answer was lost),
 * so asking again gives the result. ACH debits settle the next day.
 */
export class SandboxGateway implements PaymentGateway {
  private readonly answered = new Map<string, ChargeResult>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async tokenize(details: CardDetails | BankDetails): Promise<TokenizeResult> {
    const id = randomBytes(9).toString('base64url');
    if (details.kind === 'ach') {
      return {
        ok: true,
        token: `sbx_ach_${id}`,
        brand: details.accountType === 'savings' ? 'Savings' : 'Checking',
        last4: details.accountNumber.slice(-4),
        expMonth: null,
        expYear: null,
      };
    }
    const behaviour: Behaviour =
      details.number === sandboxCards.decline
        ? 'decline'
        : details.number === sandboxCards.timeout
          ? 'timeout'
          : 'approve';
    return {
      ok: true,
      token: `sbx_card_${behaviour}_${id}`,
      brand: cardBrandOf(details.number),
      last4: details.number.slice(-4),
      expMonth: details.expMonth,
      expYear: details.expYear,
    };
  }

  async charge(request: { token: string; amountCents: number; idempotencyKey: string }): Promise<ChargeResult> {
    const earlier = this.answered.get(request.idempotencyKey);
    if (earlier) return earlier;
    const behaviour = /^sbx_(?:card_)?(approve|decline|timeout|ach)_/.exec(request.token)?.[1] as Behaviour | undefined;
    const ref = `sbx_ch_${randomBytes(9).toString('base64url')}`;
    let result: ChargeResult;
    if (behaviour === 'ach') {
      const settlesOn = addDays(this.now().toISOString(), 1);
      result = { status: 'processing', ref: `sbx_ach_${settlesOn}_${ref.slice(7)}`, settlesOn };
    } else if (behaviour === 'decline' || behaviour === undefined) {
      result = {
        status: 'declined',
        ref,
        reason: behaviour ? 'Card declined (sandbox test card).' : 'Unknown payment token.',
      };
    } else {
      result = { status: 'approved', ref };
    }
    this.answered.set(request.idempotencyKey, result);
    if (behaviour === 'timeout') throw new GatewayTimeoutError('The sandbox gateway timed out (test card).');
    return result;
  }

  async retrieve(ref: string): Promise<ChargeResult> {
    const ach = /^sbx_ach_(\d{4}-\d{2}-\d{2})_/.exec(ref);
    if (!ach) return { status: 'approved', ref };
    const settlesOn = ach[1];
    return this.now().toISOString().slice(0, 10) >= settlesOn
      ? { status: 'approved', ref }
      : { status: 'processing', ref, settlesOn };
  }
}

/**
 * The gateway this process uses (pages and payment jobs share it, so a retried charge reaches the
 * gateway that saw the first attempt). The sandbox until a real gateway is configured.
 */
export const processGateway: PaymentGateway = new SandboxGateway();
