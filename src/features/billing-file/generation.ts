import { createHash } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import type { Actor, Principal } from '../../auth/principal.ts';
import { isUniqueViolation } from '../../db/dialect.ts';
import type { Db } from '../../db/index.ts';
import { nowIso } from '../../lib/dates.ts';
import { HttpError } from '../../lib/http-error.ts';
import { centsToDecimal } from '../../lib/money.ts';
import { neutraliseFormula } from '../../lib/spreadsheet.ts';
import { auditAction } from '../audit/audit.ts';
import { kindInfo } from '../institutions/kinds.ts';
import type { Period } from './periods.ts';
import { type ChargeLine, chargeLines, type ExternalCustomer, finalFiles, lastLineId } from './queries.ts';
import {
  type CustomerChunk,
  errorsOf,
  externalCustomerChunks,
  linesOfPeriod,
  type Validation,
  validatePeriod,
} from './validation.ts';

/** The file's columns, in order, with what each holds: the page documents them from this list. */
export const fileColumns = [
  ['External Customer Number', 'The effective number: the group’s if it has one, else the institution’s.'],
  ['Number Source', '“Group” or “Institution”: whose number it is.'],
  ['Number Source Name', 'The name of that group or institution.'],
  ['Account Number', 'The customer’s account number here.'],
  ['Custom Account ID', 'The customer’s Custom Account ID, if set.'],
  ['Customer Name', 'The customer’s name.'],
  ['Invoice Number', 'The invoice the charge is on.'],
  ['Invoice Date', 'The invoice’s issue date, YYYY-MM-DD.'],
  ['Description', 'The charge, as on the invoice.'],
  ['Quantity', 'A whole number.'],
  ['Unit Price', 'Dollars and cents, a point before the cents, no currency sign.'],
  ['Amount', 'Quantity × unit price, as on the invoice.'],
  ['Tax', 'Tax on the charge. Invoices carry no tax yet, so this is 0.00.'],
] as const;

const FILE_TABLE = 'billing_files';

function lineFields(chunk: CustomerChunk, customers: Map<number, ExternalCustomer>, line: ChargeLine): string[] {
  const customer = customers.get(line.customer_id)!;
  // Generation runs only after a validation without errors, so every customer has a number.
  const effective = chunk.effective.get(line.customer_id)!;
  // Names, IDs and descriptions are typed by users, and finance opens the file in a spreadsheet.
  return [
    effective.number,
    kindInfo[effective.source].title,
    neutraliseFormula(effective.sourceName),
    customer.account_number,
    neutraliseFormula(customer.custom_account_id ?? ''),
    neutraliseFormula(customer.name),
    line.invoice_number,
    line.issued_on,
    neutraliseFormula(line.description),
    String(line.quantity),
    centsToDecimal(line.unit_cents),
    centsToDecimal(line.amount_cents),
    centsToDecimal(0),
  ];
}

export type GenerateOutcome = { ok: true; fileId: number } | { ok: false; validation: Validation };

function periodIsFinal(period: Period): HttpError {
  return new HttpError(409, `The billing file for ${period} is final: it cannot be generated again.`);
}

/** Bytes per stored part: a million lines make ~120 writes (each an fsync), none of them large. */
const PART_BYTES = 1_000_000;
/** Room for one more chunk's records past PART_BYTES; a larger chunk is written as a part of its own. */
const MAX_RECORD_BYTES = 1_000_000;
/** Lines per csv-stringify call: few enough that the records and their text stay small and short-lived. */
const LINES_PER_STRINGIFY = 100;

/** Thrown inside generation at the first billing error: the file is dropped and the full list made. */
class BillingErrorFound extends Error {}

/**
 * Validates the period and, with no billing errors, writes a draft file (A7). One pass does both: each
 * chunk of customers is checked before its lines are written, and the first billing error drops the file
 * and answers with the full validation. The file takes the lines that exist when it starts; its parts are
 * written as they are made, each its own short write, so a million lines never hold the database's write
 * lock (SQLite) or the whole file in memory. Until the last write the file is "generating", which no list
 * or download shows.
 */
export async function generateFile(
  db: Db,
  principal: Principal,
  period: Period,
  actor: Actor,
): Promise<GenerateOutcome> {
  const finals = await finalFiles(db);
  if (finals.has(period)) throw periodIsFinal(period);
  const lines = linesOfPeriod(period, finals, await lastLineId(db));
  const [file] = await db(FILE_TABLE)
    .insert({
      period,
      status: 'generating',
      through_line_id: lines.throughLineId,
      created_by: actor.userId,
      created_at: nowIso(),
    })
    .returning('id');
  const fileId: number = file.id;
  try {
    const hash = createHash('sha256');
    let seq = 0;
    let rowCount = 0;
    let totalCents = 0;
    let byteSize = 0;
    // Records are written into one reused buffer: short-lived strings stay in V8's young generation
    // instead of a rope of thousands of pieces that outlives collections, which doubled the thread's memory.
    const buffer = Buffer.allocUnsafe(PART_BYTES + MAX_RECORD_BYTES);
    let used = 0;
    const writePart = async (bytes: Buffer) => {
      hash.update(bytes);
      byteSize += bytes.length;
      await db('billing_file_parts').insert({ file_id: fileId, seq: seq++, content: bytes.toString('utf8') });
    };
    // Room is judged by UTF-16 length × 3 (at least the UTF-8 size), so a record needs no measuring; only a
    // full buffer makes a write wait. A record too long for the buffer becomes a part of its own.
    const write = (record: string) => {
      used += buffer.write(record, used);
    };
    const roomFor = (record: string) => used < PART_BYTES && used + record.length * 3 <= buffer.length;
    const flushFor = async (record: string) => {
      if (used > 0) await writePart(buffer.subarray(0, used));
      used = 0;
      if (roomFor(record)) write(record);
      else await writePart(Buffer.from(record));
    };
    // csv-stringify a few hundred lines at a time, not once per line: its set-up per call is what costs.
    write(stringify([fileColumns.map(([name]) => name)]));
    for await (const chunk of externalCustomerChunks(db, principal, lines)) {
      if (chunk.customers.some((customer) => errorsOf(chunk, customer).length > 0)) throw new BillingErrorFound();
      const customers = new Map(chunk.customers.map((c) => [c.id, c]));
      const charges = await chargeLines(db, [...customers.keys()], lines);
      rowCount += charges.length;
      for (const line of charges) totalCents += line.amount_cents;
      for (let at = 0; at < charges.length; at += LINES_PER_STRINGIFY) {
        const slice = charges.slice(at, at + LINES_PER_STRINGIFY);
        const records = stringify(slice.map((line) => lineFields(chunk, customers, line)));
        if (roomFor(records)) write(records);
        else await flushFor(records);
      }
    }
    if (used > 0) await writePart(buffer.subarray(0, used));
    const checksum = hash.digest('hex');
    await db.transaction(async (trx) => {
      await trx(FILE_TABLE)
        .where('id', fileId)
        .update({ status: 'draft', row_count: rowCount, total_cents: totalCents, byte_size: byteSize, checksum });
      await auditAction(trx, { table: FILE_TABLE, id: fileId, actor }, 'generated', `${period} sha256 ${checksum}`);
    });
    return { ok: true, fileId };
  } catch (error) {
    await db(FILE_TABLE).where('id', fileId).delete();
    if (!(error instanceof BillingErrorFound)) throw error;
    return { ok: false, validation: await validatePeriod(db, principal, period, lines) };
  }
}

export type FinalOutcome = { ok: true } | { ok: false; validation: Validation };

/**
 * *Mark final* (A7): the draft becomes the period's file for good, exactly as generated (its checksum
 * stays). Refused while the period has billing errors, and when the period already has a final file.
 */
export async function markFinal(db: Db, principal: Principal, fileId: number, actor: Actor): Promise<FinalOutcome> {
  const file = await db(FILE_TABLE).where('id', fileId).whereNot('status', 'generating').first();
  if (!file) throw new HttpError(404, 'This billing file does not exist.');
  if (file.status === 'final') return { ok: true };
  const finals = await finalFiles(db);
  if (finals.has(file.period)) throw periodIsFinal(file.period);
  const validation = await validatePeriod(db, principal, file.period, linesOfPeriod(file.period, finals));
  if (validation.errorCount > 0) return { ok: false, validation };
  try {
    await db.transaction(async (trx) => {
      // The update comes first, so SQLite takes the write lock before anything is read in this transaction.
      const changed = await trx(FILE_TABLE)
        .where({ id: fileId, status: 'draft' })
        .update({ status: 'final', finalized_by: actor.userId, finalized_at: nowIso() });
      if (changed !== 1) throw periodIsFinal(file.period);
      await auditAction(
        trx,
        { table: FILE_TABLE, id: fileId, actor },
        'finalized',
        `${file.period} sha256 ${file.checksum}`,
      );
    });
  } catch (error) {
    // Two drafts of one period marked final at once: the partial unique index lets only one through.
    if (isUniqueViolation(error)) throw periodIsFinal(file.period);
    throw error;
  }
  return { ok: true };
}
