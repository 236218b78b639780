import t from 'tap';
import { renderMessage } from '../../../src/features/email/messages.ts';

t.test('a message typed in the wizard: the text as typed, the HTML escaped and in paragraphs', async (t) => {
  const data = {
    subject: 'Your <new> numbers\r\n  & more',
    body: 'Hello,\nyour numbers are <b>live</b>.\n\nThanks & regards',
  };
  const message = await renderMessage('wizard-customer', data);
  t.equal(message.subject, 'Your <new> numbers & more', 'one line');
  t.equal(message.text, 'Hello,\nyour numbers are <b>live</b>.\n\nThanks & regards\n');
  t.match(message.html, /<title>Your &lt;new&gt; numbers &amp; more<\/title>/);
  t.match(message.html, /<p>Hello,<br>your numbers are &lt;b&gt;live&lt;\/b&gt;.<\/p>\n<p>Thanks &amp; regards<\/p>/);
  t.notMatch(message.html, /<b>/);
  t.same(await renderMessage('wizard-reseller', data), message, 'the reseller gets what was typed for them alike');
});

t.test('the invoice message formats money and dates as the pages do', async (t) => {
  const invoice = {
    number: 'INV-0042',
    issued_on: '2026-11-01',
    due_on: '2026-12-01',
    total_cents: 12_345,
    open_cents: 345,
  };
  const message = await renderMessage('invoice', { name: 'Priya', invoice });
  t.equal(message.subject, 'Invoice INV-0042');
  t.equal(
    message.text,
    'Hello Priya,\n\nInvoice INV-0042 of Nov 1, 2026 totals $123.45; $3.45 is open and due on Dec 1, 2026.\n',
  );
});
