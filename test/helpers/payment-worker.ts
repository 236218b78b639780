/**
 * Another "app process" for the billing tests (started with child_process.fork): its own database
 * connection that, at an agreed moment, runs the scheduled-payments job, the Autopay cycle or submits a payment.
 */
import { createDb } from '../../src/db/index.ts';
import { runAutopayCycle } from '../../src/features/ledger/autopay/cycle.ts';
import { runDueScheduledPayments } from '../../src/features/ledger/charging.ts';
import type { PaymentGateway } from '../../src/features/ledger/gateway.ts';
import { type NewPayment, recordPayment } from '../../src/features/ledger/payments.ts';

type Database = Parameters<typeof createDb>[0];
type Job =
  | { database: Database; startAt: number; now: string; task: 'job' }
  | { database: Database; startAt: number; date: string; task: 'autopay' }
  | { database: Database; startAt: number; task: 'pay'; payment: NewPayment; times: number };

const job = await new Promise<Job>((resolve) => process.once('message', (message) => resolve(message as Job)));
const db = createDb(job.database);
const charged: string[] = [];
const gateway: PaymentGateway = {
  tokenize: () => Promise.reject(new Error('not used')),
  charge: async (request) => {
    charged.push(request.idempotencyKey);
    return { status: 'approved', ref: `w_${request.idempotencyKey}` };
  },
  retrieve: async (ref) => ({ status: 'approved', ref }),
};

await new Promise((resolve) => setTimeout(resolve, Math.max(0, job.startAt - Date.now())));
if (job.task === 'job') {
  const claimed = await runDueScheduledPayments(db, gateway, new Date(job.now));
  process.send!({ claimed, charged });
} else if (job.task === 'autopay') {
  const summary = await runAutopayCycle(db, gateway, { date: job.date });
  process.send!({ summary, charged });
} else {
  const results = await Promise.all(
    Array.from({ length: job.times }, () => recordPayment(db, job.payment, { userId: null })),
  );
  process.send!({
    created: results.filter((r) => r.created).length,
    ids: [...new Set(results.map((r) => r.payment.id))],
  });
}
await db.destroy();
process.disconnect();
