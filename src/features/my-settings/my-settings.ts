import { actorOf, type LandingTab, type StaffPrincipal } from '../../auth/principal.ts';
import type { Queryable } from '../../db/index.ts';
import { inTransaction } from '../../db/index.ts';
import { updateAudited } from '../audit/audit.ts';

/** Saves the tab a customer opens on for this user (D3), audited on the user. */
export async function saveLandingTab(db: Queryable, user: StaffPrincipal, landingTab: LandingTab): Promise<void> {
  await inTransaction(db, (trx) =>
    updateAudited(trx, { table: 'users', id: user.id, actor: actorOf(user) }, { landing_tab: landingTab }),
  );
}
