import { formatDate } from '../../lib/dates.ts';
import { formatCents } from '../../lib/money.ts';
import type { Statement } from './statement.ts';

type Account = { name: string; account_number: string };

const MARGIN = 50;
const COLUMNS = [
  { label: 'Date', x: 50, width: 70, align: 'left' },
  { label: 'Reference', x: 120, width: 90, align: 'left' },
  { label: 'Description', x: 210, width: 170, align: 'left' },
  { label: 'Amount', x: 380, width: 80, align: 'right' },
  { label: 'Balance', x: 465, width: 80, align: 'right' },
] as const;

function row(doc: PDFKit.PDFDocument, cells: readonly string[], bold = false) {
  const y = doc.y;
  doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
  cells.forEach((text, i) => {
    const column = COLUMNS[i];
    doc.text(text, column.x, y, { width: column.width, align: column.align, lineBreak: false });
  });
  doc.moveDown(0.6);
  doc.x = MARGIN;
}

/**
 * The account statement as a PDF (E3), streamed: pdfkit writes page by page, so a long statement does
 * not hold the event loop. The caller pipes it (a download) or collects it (an e-mail attachment).
 */
export async function statementPdf(account: Account, statement: Statement): Promise<PDFKit.PDFDocument> {
  // Loaded on the first statement: pdfkit and its font libraries take 0.2 s of CPU to load, which every
  // process start (and every pool thread) would pay for a document most of them never make.
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: { Title: `Account statement ${account.account_number}` },
  });
  doc.font('Helvetica-Bold').fontSize(18).text('Account statement');
  doc.font('Helvetica').fontSize(11).text(`${account.name} · account ${account.account_number}`);
  doc.text(`${formatDate(statement.from)} to ${formatDate(statement.to)}`);
  // The period's totals, as the page's summary shows them.
  doc
    .fontSize(10)
    .text(
      `Invoices ${formatCents(statement.invoiced_cents)} · Payments ${formatCents(statement.paid_cents)} · ` +
        `Credits ${formatCents(statement.credited_cents)} · Refunds ${formatCents(statement.refunded_cents)}`,
    );
  doc.moveDown();
  row(
    doc,
    COLUMNS.map((c) => c.label),
    true,
  );
  row(doc, [formatDate(statement.from), '', 'Opening balance', '', formatCents(statement.opening_cents)], true);
  for (const line of statement.lines) {
    if (doc.y > doc.page.height - MARGIN * 2) doc.addPage();
    row(doc, [
      formatDate(line.date),
      line.reference,
      line.description,
      formatCents(line.amount_cents),
      formatCents(line.balance_cents),
    ]);
  }
  row(doc, [formatDate(statement.to), '', 'Closing balance', '', formatCents(statement.closing_cents)], true);
  doc.moveDown();
  doc.font('Helvetica-Bold').fontSize(11).text('Ageing of open invoices', MARGIN);
  doc.moveDown(0.3);
  const a = statement.ageing;
  const buckets: [string, number][] = [
    ['Current', a.current],
    ['1–30 days', a.days1to30],
    ['31–60 days', a.days31to60],
    ['61–90 days', a.days61to90],
    ['Over 90 days', a.over90],
    ['Total open', statement.ageing_total_cents],
  ];
  for (const [label, cents] of buckets) {
    doc
      .font('Helvetica')
      .fontSize(10)
      .text(`${label}: ${formatCents(cents)}`, MARGIN);
  }
  doc.end();
  return doc;
}

/** The whole PDF in memory, for an e-mail attachment. */
export function pdfBuffer(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}
