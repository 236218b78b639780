import t from 'tap';
import { nextAttemptAt, RETRY_DELAYS_MS } from '../../../src/features/email/sender.ts';
import { sendFailure } from '../../../src/features/email/smtp.ts';

const failedAt = new Date('2026-11-30T12:00:00.000Z');
const after = (attempts: number) => nextAttemptAt(attempts, failedAt)?.toISOString() ?? null;

t.test('a failed e-mail is tried again after 1 minute, 5 minutes, 30 minutes and 2 hours, then given up', async (t) => {
  t.same([1, 2, 3, 4, 5].map(after), [
    '2026-11-30T12:01:00.000Z',
    '2026-11-30T12:05:00.000Z',
    '2026-11-30T12:30:00.000Z',
    '2026-11-30T14:00:00.000Z',
    null,
  ]);
  t.equal(RETRY_DELAYS_MS.length, 4, 'five attempts in all');
  t.equal(after(9), null);
});

t.test('what a failed send means: this message refused for good or for now, or the server unavailable', async (t) => {
  const error = (fields: object) => Object.assign(new Error('failed'), fields);
  t.same(sendFailure(error({ code: 'EENVELOPE', responseCode: 550, permanent: true })), {
    message: 'failed',
    permanent: true,
    serverWide: false,
  });
  t.same(sendFailure(error({ code: 'EENVELOPE', responseCode: 452, permanent: false })), {
    message: 'failed',
    permanent: false,
    serverWide: false,
  });
  t.same(sendFailure(error({ code: 'EMESSAGE', responseCode: 451, permanent: false })), {
    message: 'failed',
    permanent: false,
    serverWide: false,
  });
  for (const code of ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS']) {
    t.same(sendFailure(error({ code })), { message: 'failed', permanent: false, serverWide: true }, code);
  }
  t.same(
    sendFailure(error({ code: 'EAUTH', responseCode: 535, permanent: true })),
    { message: 'failed', permanent: false, serverWide: true },
    'wrong credentials are for the administrator to fix, not the end of the e-mail',
  );
});
