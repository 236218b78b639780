import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';

const digitsOnly = (text: string) => text.replace(/\D/g, '');

/**
 * A phone number as digits only, for storing beside the number as written (D1): the international
 * form without "+" when the number parses for its country ("0121 737 1200" in GB is 441217371200),
 * otherwise just its digits. Null for no number.
 */
export function normalisePhone(text: string | null | undefined, country = 'US'): string | null {
  if (!text?.trim()) return null;
  const parsed = parsePhoneNumberFromString(text, country as CountryCode);
  return parsed?.isPossible() ? digitsOnly(parsed.number) : digitsOnly(text) || null;
}

/** Search terms that look like part of a phone number: digits with the usual separators. */
const PHONE_LIKE = /^\+?[\d\s().-]+$/;
const MIN_DIGITS = 3;

/**
 * The digit strings a phone-like search term may be stored as: its digits; for an international term
 * ("+1 555 0100 231") the number with and without its country code; for a national one ("0121 737
 * 1200") the digits without the trunk 0, which is how it appears inside the international form.
 * Empty for a term that is not phone-like.
 */
export function phoneSearchDigits(term: string): string[] {
  const digits = digitsOnly(term);
  if (!PHONE_LIKE.test(term.trim()) || digits.length < MIN_DIGITS) return [];
  const found = new Set([digits]);
  const international = term.trim().startsWith('+') ? parsePhoneNumberFromString(term) : undefined;
  if (international) {
    found.add(digitsOnly(international.number));
    found.add(String(international.nationalNumber));
  } else if (digits.startsWith('0') && digits.length > MIN_DIGITS) found.add(digits.replace(/^0+/, ''));
  return [...found].filter((d) => d.length >= MIN_DIGITS);
}
