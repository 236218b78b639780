// Autopay (E12): drag to reorder (SortableJS; the up and down buttons do the same without it), focus kept
// on the moved configuration, and the configuration form's Save disabled with the reason until it is valid
// (the server checks again).
(() => {
  function sortable(within) {
    for (const list of within('[data-sortable]')) {
      if (!window.Sortable || list.dataset.sortableReady) continue;
      list.dataset.sortableReady = 'true';
      window.Sortable.create(list, {
        handle: '.drag-handle',
        animation: 150,
        onEnd: (event) => {
          if (event.oldIndex === event.newIndex) return;
          focusAfterSwap = `up-${event.item.dataset.id}`;
          list.closest('form').requestSubmit();
        },
      });
    }
  }

  // The list is replaced after each change: put the focus back on the same control, or its row's first one.
  let focusAfterSwap = null;
  document.addEventListener('htmx:beforeRequest', (event) => {
    const active = document.activeElement;
    if (active?.id && event.target.closest?.('#autopay')) focusAfterSwap = active.id;
  });
  document.addEventListener('htmx:afterSettle', () => {
    if (!focusAfterSwap) return;
    let target = document.getElementById(focusAfterSwap);
    focusAfterSwap = null;
    if (!target) return;
    if (target.disabled) target = target.closest('li')?.querySelector('button:not([disabled])') ?? target;
    target.focus();
  });

  function reasonInvalid(form) {
    const operators = JSON.parse(form.dataset.operators);
    const known = [...form.querySelectorAll('#line-item-names option')].map((o) => o.value.toLowerCase());
    if (!form.querySelector('[name=payment_method_id]').value) return 'Choose a payment method.';
    const rows = [...form.querySelectorAll('[data-row]')];
    for (let i = 0; i < rows.length; i++) {
      const trigger = rows[i].querySelector('[data-trigger]').value;
      const operator = rows[i].querySelector('[data-operator]').value;
      let values = rows[i].querySelector('[data-value]').value.split(operator === 'one_of' ? ',' : '\n');
      values = values.map((v) => v.trim()).filter(Boolean);
      const row = rows.length > 1 ? `Row ${i + 1}: ` : '';
      if (!trigger) return `${row}choose a trigger.`;
      if (!operators[trigger].includes(operator)) return `${row}choose an operator.`;
      if (values.length === 0) return `${row}enter a value.`;
      for (const value of values) {
        if (trigger === 'amount' && !/^\d{1,12}(\.\d{0,2})?$/.test(value.replace(/^\$/, '').replace(/,/g, '')))
          return `${row}“${value}” is not a dollar amount.`;
        if (trigger === 'age' && !/^\d{1,4}$/.test(value)) return `${row}“${value}” is not a number of days.`;
        if (trigger === 'line_item' && !known.includes(value.toLowerCase()))
          return `${row}“${value}” is not a line item on this customer’s invoices.`;
      }
    }
    return null;
  }

  function checkForm(form) {
    const operators = JSON.parse(form.dataset.operators);
    for (const row of form.querySelectorAll('[data-row]')) {
      const allowed = operators[row.querySelector('[data-trigger]').value] ?? [];
      for (const option of row.querySelector('[data-operator]').options)
        option.disabled = option.value !== '' && !allowed.includes(option.value);
    }
    const reason = reasonInvalid(form);
    const save = form.querySelector('[data-save]');
    const warning = form.querySelector('[data-save-warning]');
    save.disabled = reason !== null;
    warning.hidden = reason === null;
    warning.querySelector('[data-save-reason]').textContent = reason ?? '';
  }

  // `root` is the document, or what htmx just swapped in (which may be the form or list itself).
  function setUp(root) {
    const within = (selector) => [...(root.matches?.(selector) ? [root] : []), ...root.querySelectorAll(selector)];
    sortable(within);
    for (const form of within('[data-autopay-form]')) checkForm(form);
  }

  document.addEventListener('input', (event) => {
    const form = event.target.closest?.('[data-autopay-form]');
    if (form) checkForm(form);
  });
  document.addEventListener('change', (event) => {
    const form = event.target.closest?.('[data-autopay-form]');
    if (form) checkForm(form);
  });
  document.addEventListener('htmx:load', (event) => setUp(event.target));
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => setUp(document));
  else setUp(document);
})();
