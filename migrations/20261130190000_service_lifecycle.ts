import type { Knex } from 'knex';

/**
 * After creation (C8): whether a service type needs numbers (a service of it is refused without), a
 * service's end date, and the quarantine an ended or removed number sits in before it is free again.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('service_types', (t) => {
    t.boolean('needs_numbers').notNullable().defaultTo(true);
  });
  await db.schema.alterTable('services', (t) => {
    // The last day the service runs; the `services-end` job ends it (status 'ended') the day after.
    t.string('ends_on', 10).nullable();
    t.index(['status', 'ends_on']);
  });
  await db.schema.alterTable('phone_numbers', (t) => {
    // status 'quarantined' until this time, then free again (see whereFree): nobody gets a number the
    // moment its last holder lets it go.
    t.string('quarantined_until', 30).nullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('phone_numbers', (t) => {
    t.dropColumn('quarantined_until');
  });
  await db.schema.alterTable('services', (t) => {
    t.dropIndex(['status', 'ends_on']);
    t.dropColumn('ends_on');
  });
  await db.schema.alterTable('service_types', (t) => {
    t.dropColumn('needs_numbers');
  });
}
