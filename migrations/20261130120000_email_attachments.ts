import type { Knex } from 'knex';

/** Files sent with an e-mail (a statement's PDF, a report's CSV), kept with the outbox row until it is deleted. */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('email_attachments', (t) => {
    t.increments('id').primary();
    t.integer('email_id').notNullable().references('id').inTable('emails').onDelete('CASCADE');
    t.string('filename', 255).notNullable();
    t.string('content_type', 100).notNullable();
    t.binary('content').notNullable();
    t.integer('size_bytes').notNullable();
    t.index(['email_id', 'id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('email_attachments');
}
