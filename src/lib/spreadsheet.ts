/**
 * A text cell a spreadsheet would take for a formula (it starts with =, +, -, @, or a tab or carriage
 * return that some spreadsheets skip) gets a leading apostrophe, so opening a CSV we wrote runs nothing
 * (OWASP "CSV injection"). For text only: amounts are written as decimals, and "-12.50" must stay a number.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
