import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('external_customer_numbers', (t) => {
    t.increments('id').primary();
    // Exactly one of the two is set (the CHECK below). A plain unique index allows many NULLs on both
    // SQLite and PostgreSQL, so it gives "at most one number per institution / per group".
    t.integer('institution_id').nullable().unique().references('id').inTable('institutions');
    t.integer('group_id').nullable().unique().references('id').inTable('groups');
    t.string('number', 64).notNullable();
    t.integer('version').notNullable().defaultTo(1);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.check('(institution_id IS NULL) <> (group_id IS NULL)', [], 'external_customer_numbers_one_owner');
  });
  // Duplicate groups are same-named groups of one institution: this index lets that count read the index alone.
  await db.schema.alterTable('groups', (t) => {
    t.index(['name_key', 'institution_id'], 'groups_name_key_institution_index');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('groups', (t) => {
    t.dropIndex(['name_key', 'institution_id'], 'groups_name_key_institution_index');
  });
  await db.schema.dropTableIfExists('external_customer_numbers');
}
