import t from 'tap';
import { queueEmail } from '../../../src/features/email/outbox.ts';
import { sendDueEmails } from '../../../src/features/email/sender.ts';
import { smtpMailer } from '../../../src/features/email/smtp.ts';
import { buildTestApp } from '../../helpers/app.ts';
import { startSmtpServer } from '../../helpers/smtp-server.ts';

t.test('an attachment queued with an e-mail arrives with it, byte for byte', async (t) => {
  const smtp = await startSmtpServer(t);
  const { db, config } = await buildTestApp(t, { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
  const invoice = await db('invoices').orderBy('id').first();
  const pdf = Buffer.from('%PDF-1.4\n% not really a statement, but binary: \u00ff\u0000\u0001\n', 'latin1');
  const id = await queueEmail(db, {
    to: 'payables@acme.example',
    template: 'invoice',
    data: { invoice },
    invoiceId: invoice.id,
    attachments: [{ filename: 'statement.pdf', contentType: 'application/pdf', content: pdf }],
  });
  t.match(await db('email_attachments').where('email_id', id), [{ filename: 'statement.pdf', size_bytes: pdf.length }]);

  const summary = await sendDueEmails(db, smtpMailer({ url: config.smtpUrl!, from: config.mailFrom }));
  t.same(summary, { sent: 1, retrying: 0, failed: 0 });
  t.equal(smtp.received.length, 1);
  const [attachment] = smtp.received[0].mail.attachments;
  t.equal(attachment.filename, 'statement.pdf');
  t.equal(attachment.contentType, 'application/pdf');
  t.ok(attachment.content.equals(pdf), 'the bytes arrived unchanged');
});

t.test('an e-mail without attachments is sent without any', async (t) => {
  const smtp = await startSmtpServer(t);
  const { db, config } = await buildTestApp(t, { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
  const invoice = await db('invoices').orderBy('id').first();
  await queueEmail(db, { to: 'payables@acme.example', template: 'invoice', data: { invoice }, invoiceId: invoice.id });
  await sendDueEmails(db, smtpMailer({ url: config.smtpUrl!, from: config.mailFrom }));
  t.equal(smtp.received[0].mail.attachments.length, 0);
});
