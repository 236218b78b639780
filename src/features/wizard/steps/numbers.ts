import { staffOf } from '../../../auth/guards.ts';
import { type FieldErrors, parseForm } from '../../../lib/forms.ts';
import { typedValue } from '../../../lib/step-form.ts';
import { defaultSettings } from '../../catalogue/service-types.ts';
import { filtersToSearch } from '../../numbers/filters.ts';
import { gradeLabels, grades } from '../../numbers/grades.ts';
import {
  knownPrefixes,
  type PhoneNumber,
  searchNumbers,
  selectionMethodLabels,
  selectionMethods,
} from '../../numbers/numbers.ts';
import { removeNumbersFromDraft, saveWizardDraft, type WizardDraft } from '../drafts.ts';
import { poolCustomersVisibleTo } from '../queries.ts';
import { defaultFilters, filterKeys, idList, numberFilterForm } from '../schemas.ts';
import { addOfferedNumbers, loadWizardState, validateNumbersStep, type WizardState } from '../wizard.ts';
import { moveOn, renderStep, type StepHandlers, type StepRequest, stepUrl } from './page.ts';

/** The pools the user may take numbers from: the public pool, and pools of customers the user may see. */
async function poolOptions({ db, request }: StepRequest) {
  const customers = await poolCustomersVisibleTo(db, staffOf(request));
  return [
    { value: 'public', label: 'Public pool' },
    ...customers.map((c) => ({ value: String(c.id), label: `${c.name} (${c.account_number})` })),
  ];
}

/** The filters to show: from the query string when searching, else the ones saved with the draft. */
function filtersOf(draft: WizardDraft, source: Record<string, unknown> | null): Record<string, string> {
  return Object.fromEntries(
    filterKeys.map((k) => [
      k,
      source
        ? typedValue(source, k) || (k === 'digits' || k === 'prefix' || k === 'grade' ? '' : defaultFilters[k])
        : (draft.values[`n_${k}`] ?? defaultFilters[k]),
    ]),
  );
}

/** The search form, its results (when `searched`) and the chosen numbers with their pricing. */
async function numbersData(at: StepRequest, filters: Record<string, string>, searched: boolean, state: WizardState) {
  const pools = await poolOptions(at);
  const parsed = parseForm(numberFilterForm, filters);
  const errors: FieldErrors = parsed.ok ? {} : parsed.errors;
  if (parsed.ok && !pools.some((p) => p.value === parsed.data.pool)) errors.pool = 'Choose a pool from the list.';
  // Results only for a valid search: a bad filter shows its field error, not also "No free numbers match".
  const valid = parsed.ok && !errors.pool;
  const results: PhoneNumber[] = searched && valid ? await searchNumbers(at.db, filtersToSearch(parsed.data)) : [];
  return {
    filters,
    filterErrors: errors,
    results,
    searched: searched && valid,
    pools,
    prefixes: await knownPrefixes(at.db),
    grades,
    gradeLabels,
    methods: selectionMethods,
    methodLabels: selectionMethodLabels,
    state,
  };
}

/** The results and the chosen numbers alone, for htmx (`alone`: the filter form and its errors are not in it). */
const numbersWork = (at: StepRequest, draft: WizardDraft, data: Record<string, unknown>) =>
  at.reply.page('wizard/_numbers-work', {
    draft,
    action: stepUrl(draft.id, 'numbers'),
    errors: {},
    alone: true,
    ...data,
  });

/** C3 *Numbers*: search the inventory and add numbers to the draft (each reserved for it), or remove them. */
export const show: StepHandlers['show'] = async (at, data = {}) => {
  const query = at.request.query as Record<string, unknown>;
  const searching = typeof query.method === 'string';
  const filters = filtersOf(at.draft, searching ? query : null);
  const state = await loadWizardState(at.db, at.draft);
  const numbers = await numbersData(at, filters, searching || Boolean(at.draft.values.n_method), state);
  if (Object.keys(numbers.filterErrors).length) at.reply.code(422);
  if (at.request.isHtmx) return numbersWork(at, at.draft, { ...numbers, ...data });
  return renderStep(at, { ...numbers, ...data });
};

export const submit: StepHandlers['submit'] = async (at, body, action) => {
  const { db, draft, request, reply } = at;
  const filters = filtersOf(draft, body);
  const saved = await saveWizardDraft(db, draft, Object.fromEntries(filterKeys.map((k) => [`n_${k}`, filters[k]])));
  const state = await loadWizardState(db, saved);
  if (!state.serviceType) return reply.seeOther(stepUrl(draft.id, 'service'));
  const again = `${stepUrl(draft.id, 'numbers')}?${new URLSearchParams(filters)}`;

  const add =
    body.add !== undefined
      ? idList.safeParse(body.add)
      : action === 'add-ticked'
        ? idList.safeParse(body.ticked)
        : null;
  const remove = body.remove !== undefined ? idList.safeParse(body.remove) : null;
  if (add || remove) {
    let message: string | undefined;
    if (add?.success && add.data.length) {
      // Only numbers the user could have been shown: in the public pool or a pool the user may use.
      const pools = (await poolCustomersVisibleTo(db, staffOf(request))).map((c) => c.id);
      const { allAdded, lost } = await addOfferedNumbers(
        db,
        saved,
        add.data,
        pools,
        defaultSettings(state.serviceType.settings),
      );
      if (!allAdded)
        message = `${lost.join(', ')} ${lost.length === 1 ? 'was' : 'were'} just taken by someone else. Choose another.`;
    } else if (add) {
      message = 'Tick the numbers to add first.';
    }
    if (remove?.success) await removeNumbersFromDraft(db, saved, remove.data);
    if (request.isHtmx) {
      if (message) reply.code(409);
      const fresh = await loadWizardState(db, saved);
      return numbersWork(at, saved, { message, ...(await numbersData(at, filters, true, fresh)) });
    }
    if (message) request.flash('error', message);
    return reply.seeOther(again);
  }
  if (action === 'back') return moveOn(at, saved, -1);
  if (action !== 'next') return reply.seeOther(again);
  const errors = validateNumbersStep(state);
  if (errors) return renderStep({ ...at, draft: saved }, { errors, ...(await numbersData(at, filters, true, state)) });
  return moveOn(at, saved, 1);
};
