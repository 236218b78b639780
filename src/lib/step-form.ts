/**
 * The step-form engine: what every form filled in over several pages (New Customer Account, the Add
 * Services Wizard) decides the same way, whatever its steps. Pure: the forms keep their own drafts and
 * pages, and describe how far a draft has come as a Progress.
 */

/** One step of a form: its place (from 1), its URL segment and its title. */
export type FormStep = { readonly number: number; readonly slug: string; readonly title: string };

/**
 * How far a draft has come. Steps up to `reached` open: every step before it has passed. Steps before
 * `firstOpen` are history that no longer opens (the work they prepared is done), and a skipped step
 * never opens.
 */
export type Progress<S extends FormStep> = {
  reached: number;
  firstOpen?: number;
  isSkipped?: (step: S) => boolean;
};

export type StepState = 'current' | 'done' | 'skipped' | 'todo';

/** A step as the page lists it: its state, and a link when it opens and is not the page itself. */
export type StepTab<S extends FormStep> = S & { state: StepState; href: string | null };

/** Values as the user typed them (strings), so *Back*, a reload or another tab shows them again, valid or not. */
export type TypedValues = Partial<Record<string, string>>;

const isSkipped = <S extends FormStep>(progress: Progress<S>, step: S) => progress.isSkipped?.(step) ?? false;

export function stepBySlug<S extends FormStep>(steps: readonly S[], slug: string): S | undefined {
  return steps.find((s) => s.slug === slug);
}

export function isOpen<S extends FormStep>(step: S, progress: Progress<S>): boolean {
  return !isSkipped(progress, step) && step.number >= (progress.firstOpen ?? 1) && step.number <= progress.reached;
}

/** The furthest step the draft has come to: where it resumes. */
export function furthestStep<S extends FormStep>(steps: readonly S[], progress: Progress<S>): S {
  return steps[progress.reached - 1];
}

/** The step after (1) or before (-1) this one, passing over skipped steps; undefined past either end. */
export function neighbour<S extends FormStep>(
  steps: readonly S[],
  step: S,
  direction: 1 | -1,
  progress: Pick<Progress<S>, 'isSkipped'> = {},
): S | undefined {
  for (let n = step.number + direction; n >= 1 && n <= steps.length; n += direction) {
    if (!progress.isSkipped?.(steps[n - 1])) return steps[n - 1];
  }
  return undefined;
}

/** Where a request for a step goes instead when the draft does not open it now; null when it does. */
export function stepInstead<S extends FormStep>(steps: readonly S[], step: S, progress: Progress<S>): S | null {
  const firstOpen = progress.firstOpen ?? 1;
  if (step.number < firstOpen) return steps[firstOpen - 1];
  if (isSkipped(progress, step)) return neighbour(steps, step, 1, progress) ?? furthestStep(steps, progress);
  if (step.number > progress.reached) return furthestStep(steps, progress);
  return null;
}

/** Every step as the page of `current` lists them. */
export function stepTabs<S extends FormStep>(
  steps: readonly S[],
  current: S,
  progress: Progress<S>,
  hrefOf: (step: S) => string | null,
): StepTab<S>[] {
  return steps.map((step) => {
    const state: StepState =
      step.number === current.number
        ? 'current'
        : isSkipped(progress, step)
          ? 'skipped'
          : step.number < progress.reached
            ? 'done'
            : 'todo';
    return { ...step, state, href: state !== 'current' && isOpen(step, progress) ? hrefOf(step) : null };
  });
}

/** How far a draft may go once it moves on to `step`: moving back never closes a step. */
export function reachedAfter(reached: number, step: FormStep): number {
  return Math.max(reached, step.number);
}

/** One submitted field as typed: a string, or empty when it is missing or not text. */
export function typedValue(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  return typeof value === 'string' ? value : '';
}

/** A step's fields as typed, and only those: the rest of the body is not the step's to change. */
export function typedValues(fields: readonly string[], body: Record<string, unknown>): TypedValues {
  return Object.fromEntries(fields.map((field) => [field, typedValue(body, field)]));
}

/** A draft's values with newly typed ones over them. */
export function mergeValues(values: TypedValues, typed: TypedValues): TypedValues {
  return { ...values, ...typed };
}
