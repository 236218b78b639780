import { stringify } from 'csv-stringify/sync';
import { centsToDecimal } from '../../lib/money.ts';
import { neutraliseFormula } from '../../lib/spreadsheet.ts';
import { moneyFields, type ReportCells } from './field-sql.ts';
import { type FieldKey, fieldLabel } from './fields.ts';

/**
 * Lines end with CRLF (RFC 4180). A cell holding a lone CR or LF is quoted too: csv-stringify otherwise
 * quotes only a whole CRLF, and a spreadsheet would end the row at the lone one.
 */
const csvOptions = { record_delimiter: '\r\n', quote_record_delimiter: true };

/** The CSV's first line: the field labels, in the report's column order. */
export function csvHeader(fields: readonly FieldKey[]): string {
  return stringify([fields.map(fieldLabel)], csvOptions);
}

/**
 * A batch of rows as CSV lines, in one csv-stringify call (its set-up per call is what a call per row
 * costs): money as decimals, other values as text with formulas neutralised (commas, quotes and line
 * breaks are csv-stringify's quoting), nothing as an empty cell. The rows' values are replaced by their
 * text in place; the batch is not used again.
 */
export function csvLines(fields: readonly FieldKey[], rows: ReportCells[]): string {
  const money = fields.map((key) => moneyFields.has(key));
  for (const row of rows)
    for (let i = 0; i < row.length; i++) {
      const value = row[i];
      if (value === null) row[i] = '';
      else row[i] = money[i] ? centsToDecimal(Number(value)) : neutraliseFormula(String(value));
    }
  return stringify(rows, csvOptions);
}
