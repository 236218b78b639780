import type { Knex } from 'knex';

/** The permissions a contact profile grants, one boolean column each (src/auth/principal.ts `permissions`). */
const PERMISSION_COLUMNS = [
  'view_invoices',
  'pay',
  'manage_payment_methods',
  'manage_autopay',
  'see_credits',
  'receive_statements',
] as const;

/**
 * Contact profiles (E3): named, reusable access levels per reseller, one of them the reseller's default;
 * each contact has one. One-time links (welcome, password reset) are kept only as a hash of the token.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('contact_profiles', (t) => {
    t.increments('id').primary();
    t.integer('reseller_id').notNullable().references('id').inTable('resellers').onDelete('CASCADE');
    t.string('name', 100).notNullable();
    for (const column of PERMISSION_COLUMNS) t.boolean(column).notNullable().defaultTo(false);
    t.boolean('is_default').notNullable().defaultTo(false);
    t.integer('version').notNullable().defaultTo(1);
    t.string('created_at', 30).notNullable();
    t.unique(['reseller_id', 'name']);
  });

  await db.schema.alterTable('contacts', (t) => {
    t.integer('profile_id').nullable().references('id').inTable('contact_profiles').onDelete('SET NULL');
    t.index(['profile_id']);
    // Customer Details sorts and searches a customer's contacts by name and e-mail.
    t.index(['customer_id', 'name']);
    t.index(['customer_id', 'email']);
  });

  await db.schema.createTable('contact_links', (t) => {
    t.increments('id').primary();
    t.integer('contact_id').notNullable().references('id').inTable('contacts').onDelete('CASCADE');
    t.string('purpose', 20).notNullable(); // welcome | reset
    t.string('token_hash', 64).notNullable().unique();
    t.string('expires_at', 30).notNullable();
    t.string('used_at', 30).nullable();
    t.string('created_at', 30).notNullable();
    t.index(['contact_id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('contact_links');
  await db.schema.alterTable('contacts', (t) => {
    t.dropIndex(['customer_id', 'email']);
    t.dropIndex(['customer_id', 'name']);
    t.dropIndex(['profile_id']);
    t.dropForeign(['profile_id']);
    t.dropColumn('profile_id');
  });
  await db.schema.dropTable('contact_profiles');
}
