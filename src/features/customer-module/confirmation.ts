/**
 * The no-JavaScript confirmation of removing one row of a Customer Module tab (D4): the same question
 * the dialog asks, with buttons named by their effect.
 */
export function customerConfirmation(
  customerId: number,
  tab: string,
  rowId: number,
  words: { verb: string; noun: string; action: string },
) {
  const base = `/customers/${customerId}/${tab}`;
  return {
    question: `${words.verb} this ${words.noun}?`,
    detail: 'This is recorded in the customer’s history.',
    action: `${base}/${rowId}/${words.action}`,
    yes: `${words.verb} ${words.noun}`,
    no: `Keep ${words.noun}`,
    back: base,
  };
}
