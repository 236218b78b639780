import type { Knex } from 'knex';

/**
 * E-mail really sent: the outbox row keeps its HTML part, when it is next due and which sender holds it,
 * and every attempt is kept with its error. See src/features/email/.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('emails', (t) => {
    t.text('html').nullable();
    t.integer('attempts').notNullable().defaultTo(0);
    // Set while the e-mail is queued: the earliest time the sender may try it (again).
    t.string('next_attempt_at', 30).nullable();
    // The sender that is sending it now; a claim older than the sender's lease has lapsed.
    t.string('claimed_by', 200).nullable();
    t.string('claimed_at', 30).nullable();
    t.index(['status', 'next_attempt_at', 'id']);
  });
  await db('emails')
    .where('status', 'queued')
    .update({ next_attempt_at: db.ref('created_at') });

  await db.schema.createTable('email_attempts', (t) => {
    t.increments('id').primary();
    t.integer('email_id').notNullable().references('id').inTable('emails').onDelete('CASCADE');
    t.string('started_at', 30).notNullable();
    t.string('finished_at', 30).notNullable();
    t.text('error').nullable(); // null: the SMTP server accepted the message
    t.index(['email_id', 'id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('email_attempts');
  await db.schema.alterTable('emails', (t) => {
    t.dropIndex(['status', 'next_attempt_at', 'id']);
    t.dropColumn('html');
    t.dropColumn('attempts');
    t.dropColumn('next_attempt_at');
    t.dropColumn('claimed_by');
    t.dropColumn('claimed_at');
  });
}
