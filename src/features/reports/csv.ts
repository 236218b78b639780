import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { centsToDecimal } from '../../lib/money.ts';
import { type FieldKey, fieldLabel } from './fields.ts';
import { moneyFields, type ReportRow } from './rows.ts';

/**
 * A cell a spreadsheet would take for a formula (it starts with =, +, -, @, or a tab or carriage
 * return that some spreadsheets skip) gets a leading apostrophe, so opening the CSV runs nothing
 * (OWASP "CSV injection"). Commas, quotes and newlines are csv-stringify's quoting.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** One row as CSV cells, in the report's column order. */
export function csvCells(fields: readonly FieldKey[], row: ReportRow): string[] {
  return fields.map((key) => {
    const value = row[key];
    if (value === null || value === undefined) return '';
    if (moneyFields.has(key)) return centsToDecimal(Number(value));
    return neutraliseFormula(String(value));
  });
}

/**
 * The CSV of a report as a stream: a header of the field labels, then each batch of rows as it comes
 * from the database. Backpressure reaches the batches: a slow reader pauses the queries.
 */
export function reportCsv(fields: readonly FieldKey[], batches: AsyncIterable<ReportRow[]>): Readable {
  async function* records() {
    yield fields.map(fieldLabel);
    for await (const batch of batches) for (const row of batch) yield csvCells(fields, row);
  }
  const csv = stringify({ record_delimiter: '\r\n' });
  // pipeline (not pipe) passes a failing query on: the CSV stream errors, so its reader fails too.
  pipeline(Readable.from(records()), csv).catch(() => undefined);
  return csv;
}
