import t from 'tap';
import {
  furthestStep,
  isOpen,
  mergeValues,
  neighbour,
  type Progress,
  reachedAfter,
  stepBySlug,
  stepInstead,
  stepTabs,
  typedValue,
  typedValues,
} from '../../src/lib/step-form.ts';

const steps = [
  { number: 1, slug: 'who', title: 'Who' },
  { number: 2, slug: 'what', title: 'What' },
  { number: 3, slug: 'extras', title: 'Extras' },
  { number: 4, slug: 'check', title: 'Check' },
  { number: 5, slug: 'done', title: 'Done' },
];
type Step = (typeof steps)[number];
const [who, what, extras, check, done] = steps;
const href = (step: Step) => `/form/${step.slug}`;
const skipsExtras = (step: Step) => step.slug === 'extras';

t.test('steps open in order, up to the furthest one reached', async (t) => {
  const progress: Progress<Step> = { reached: 2 };
  t.same(
    steps.map((s) => isOpen(s, progress)),
    [true, true, false, false, false],
  );
  t.equal(furthestStep(steps, progress), what, 'the draft resumes at the furthest step');
  t.equal(stepInstead(steps, who, progress), null, 'an open step is shown');
  t.equal(stepInstead(steps, check, progress), what, 'a later step sends the user to the furthest one');
  t.equal(stepBySlug(steps, 'check'), check);
  t.equal(stepBySlug(steps, 'nowhere'), undefined);
});

t.test('skipped steps never open, and moving passes over them', async (t) => {
  const progress: Progress<Step> = { reached: 4, isSkipped: skipsExtras };
  t.notOk(isOpen(extras, progress));
  t.equal(neighbour(steps, what, 1, progress), check, 'Next from the step before goes past it');
  t.equal(neighbour(steps, check, -1, progress), what, 'and so does Back');
  t.equal(stepInstead(steps, extras, progress), check, 'asking for it leads to the step after it');
  t.equal(neighbour(steps, what, 1), extras, 'without skips every step is a neighbour');
  t.equal(neighbour(steps, who, -1), undefined, 'nothing comes before the first step');
  t.equal(neighbour(steps, done, 1), undefined, 'or after the last');
});

t.test('steps before firstOpen are history: they are done, and do not open', async (t) => {
  const progress: Progress<Step> = { reached: 5, firstOpen: 4 };
  t.same(
    steps.map((s) => isOpen(s, progress)),
    [false, false, false, true, true],
  );
  t.equal(stepInstead(steps, who, progress), check, 'an earlier step leads to the first open one');
  t.equal(stepInstead(steps, done, progress), null);
});

t.test('the step list shows each step’s state and links the open ones but the current', async (t) => {
  const tabs = stepTabs(steps, what, { reached: 4, isSkipped: skipsExtras }, href);
  t.same(
    tabs.map((s) => [s.slug, s.state, s.href]),
    [
      ['who', 'done', '/form/who'],
      ['what', 'current', null],
      ['extras', 'skipped', null],
      ['check', 'todo', '/form/check'],
      ['done', 'todo', null],
    ],
  );
  t.equal(tabs[0].title, 'Who', 'each keeps its own fields');
  t.same(
    stepTabs(steps, who, { reached: 1 }, () => null).map((s) => s.href),
    [null, null, null, null, null],
    'a form without a draft links nowhere',
  );
});

t.test('moving on never closes a step reached before', async (t) => {
  t.equal(reachedAfter(2, check), 4);
  t.equal(reachedAfter(4, what), 4);
});

t.test('typed values are strings, only the step’s own, merged over the draft’s', async (t) => {
  const body = { name: 'Ada', count: 3, tags: ['a', 'b'], other: 'not ours' };
  t.equal(typedValue(body, 'name'), 'Ada');
  t.equal(typedValue(body, 'count'), '', 'what is not text counts as empty');
  t.same(typedValues(['name', 'tags', 'missing'], body), { name: 'Ada', tags: '', missing: '' });
  t.same(mergeValues({ name: 'Bea', city: 'Leeds' }, { name: 'Ada' }), { name: 'Ada', city: 'Leeds' });
});
