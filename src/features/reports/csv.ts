import { centsToDecimal } from '../../lib/money.ts';
import { neutraliseFormula } from '../../lib/spreadsheet.ts';
import { type FieldKey, fieldLabel } from './fields.ts';
import { moneyFields, type ReportCells } from './rows.ts';

const needsQuotes = /[",\r\n]/;

/**
 * A cell as RFC 4180 has it, byte for byte what csv-stringify writes (a test holds the two together):
 * quoted when it holds a comma, a quote or a line break, quotes doubled. Written here because
 * csv-stringify's options and casting per cell were a sixth of a million-row export's CPU.
 */
function csvCell(text: string): string {
  return needsQuotes.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The CSV's first line: the field labels, in the report's column order; lines end with CRLF (RFC 4180). */
export function csvHeader(fields: readonly FieldKey[]): string {
  return `${fields.map((key) => csvCell(fieldLabel(key))).join(',')}\r\n`;
}

/**
 * A batch of rows as CSV lines: money as decimals, other values as text with formulas neutralised,
 * nothing as an empty cell. The rows' values are replaced by their text in place; the batch is not used
 * again.
 */
export function csvLines(fields: readonly FieldKey[], rows: ReportCells[]): string {
  const money = fields.map((key) => moneyFields.has(key));
  const lines: string[] = [];
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      const value = row[i];
      row[i] =
        value === null ? '' : money[i] ? centsToDecimal(Number(value)) : csvCell(neutraliseFormula(String(value)));
    }
    lines.push(`${row.join(',')}\r\n`);
  }
  return lines.join('');
}
