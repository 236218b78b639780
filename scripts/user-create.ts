// npm run user:create -- --email you@company.example --name "Your Name" --role admin [--reseller "Northwind Telecom"]
// The password is read from the LEDGERDESK_PASSWORD environment variable or asked for on the terminal.

import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { roles } from '../src/auth/principal.ts';
import { createUser } from '../src/auth/staff-users.ts';
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';

const { values } = parseArgs({
  options: {
    email: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string', default: 'admin' },
    reseller: { type: 'string' },
  },
});
const args = z
  .object({ email: z.string().email(), name: z.string().min(1), role: z.enum(roles), reseller: z.string().optional() })
  .safeParse(values);
if (!args.success) {
  console.error(
    `Usage: npm run user:create -- --email EMAIL --name NAME --role admin|support|reseller [--reseller NAME]\n${String(args.error.issues[0].path[0])}: ${args.error.issues[0].message}`,
  );
  process.exit(1);
}

async function readPassword(): Promise<string> {
  if (process.env.LEDGERDESK_PASSWORD) return process.env.LEDGERDESK_PASSWORD;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await rl.question('Password (at least 12 characters): ');
  rl.close();
  return answer;
}

const password = await readPassword();
if (password.length < 12) {
  console.error('The password must have at least 12 characters.');
  process.exit(1);
}
const db = createDb(loadConfig().database);
await migrateToLatest(db);
let resellerId: number | null = null;
if (args.data.role === 'reseller') {
  const reseller = await db('resellers')
    .where({ name: args.data.reseller ?? '' })
    .first();
  if (!reseller) {
    console.error('A reseller user needs --reseller with the exact name of an existing reseller.');
    process.exit(1);
  }
  resellerId = reseller.id;
}
const id = await createUser(db, { ...args.data, resellerId, password });
console.log(`Created ${args.data.role} user ${args.data.email} (id ${id}).`);
await db.destroy();
