import type { FieldErrors } from '../../lib/forms.ts';
import { HttpError } from '../../lib/http-error.ts';

/** A rule of the ledger refused a payment or credit; `field` names the form field the message belongs beside. */
export class LedgerError extends HttpError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(422, message);
  }
}

/** What a refused ledger rule says, as a message beside its field; null for any other error. */
export function ledgerFieldErrors(error: unknown): FieldErrors | null {
  return error instanceof LedgerError ? { [error.field]: error.message } : null;
}
