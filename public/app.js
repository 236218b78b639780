// The few lines htmx does not cover: error toasts, confirm dialogs, and Escape/Enter for inline edits.
(() => {
  function showToast(text) {
    var toast = document.getElementById('toast');
    if (!toast) return;
    toast.textContent = text;
    toast.hidden = false;
    clearTimeout(showToast.timer);
    showToast.timer = setTimeout(() => {
      toast.hidden = true;
    }, 6000);
  }

  document.addEventListener('htmx:responseError', (event) => {
    var xhr = event.detail.xhr;
    var doc = new DOMParser().parseFromString(xhr.responseText || '', 'text/html');
    var text = (doc.body?.textContent || '').trim();
    showToast(text || `Something went wrong (${xhr.status}). Please try again.`);
  });
  document.addEventListener('htmx:sendError', () => {
    showToast('The server could not be reached. Check your connection and try again.');
  });

  // Inline edit rows: Escape clicks the row's Discard button.
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    var row = event.target.closest?.('[data-inline-edit]');
    if (!row) return;
    var discard = row.querySelector('[data-discard]');
    if (discard) {
      event.preventDefault();
      discard.click();
    }
  });

  // A type-ahead field inside a larger form has already searched as the user typed: Enter there must not
  // submit the whole form (Save, Next).
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && event.target.matches?.('[data-type-ahead]')) event.preventDefault();
  });

  // Confirmation in our own <dialog> instead of window.confirm: for hx-confirm and for <form data-confirm>.
  // The buttons say what they do (data-confirm-yes / data-confirm-no on the element); the safe one has focus.
  function confirmWithDialog(question, onConfirm, source) {
    var dialog = document.getElementById('confirm-dialog');
    if (!dialog?.showModal) {
      if (window.confirm(question)) onConfirm();
      return;
    }
    document.getElementById('confirm-dialog-message').textContent = question;
    var yes = document.getElementById('confirm-dialog-ok');
    var no = document.getElementById('confirm-dialog-no');
    yes.textContent = source?.getAttribute('data-confirm-yes') || 'Confirm';
    no.textContent = source?.getAttribute('data-confirm-no') || 'Go back';
    dialog.returnValue = '';
    dialog.addEventListener('close', function handler() {
      dialog.removeEventListener('close', handler);
      if (dialog.returnValue === 'confirm') onConfirm();
    });
    dialog.showModal();
    no.focus();
  }
  document.addEventListener('htmx:confirm', (event) => {
    if (!event.detail.question) return;
    event.preventDefault();
    confirmWithDialog(
      event.detail.question,
      () => {
        event.detail.issueRequest(true);
      },
      event.detail.elt,
    );
  });
  document.addEventListener('submit', (event) => {
    var form = event.target;
    if (!form.hasAttribute?.('data-confirm') || form.hasAttribute('hx-post') || form.hasAttribute('hx-delete')) return;
    event.preventDefault();
    confirmWithDialog(
      form.getAttribute('data-confirm'),
      () => {
        form.removeAttribute('data-confirm');
        form.submit();
      },
      form,
    );
  });

  // The printable invoice's Print button.
  document.addEventListener('click', (event) => {
    if (event.target.closest?.('[data-print]')) window.print();
  });

  // A dialog the server opened (a link to "add a number for this institution"): modal once scripts run.
  document.querySelectorAll('dialog[open][data-modal-on-load]').forEach((dialog) => {
    if (!dialog.showModal) return;
    dialog.close();
    dialog.showModal();
  });

  // <dialog> openers: <button data-open-dialog="id">. Closers: <button data-close-dialog>.
  document.addEventListener('click', (event) => {
    var opener = event.target.closest?.('[data-open-dialog]');
    if (opener) {
      const dialog = document.getElementById(opener.getAttribute('data-open-dialog'));
      if (dialog?.showModal) {
        event.preventDefault();
        dialog.showModal();
      }
      return;
    }
    var closer = event.target.closest?.('[data-close-dialog]');
    if (closer) {
      const parent = closer.closest('dialog');
      if (parent) {
        event.preventDefault();
        parent.close();
      }
    }
  });
})();

// Select-all boxes: <input type="checkbox" data-select-all> ticks or clears the boxes marked
// data-select-all-member in the same form.
document.addEventListener('change', (event) => {
  var box = event.target;
  if (!box.matches?.('[data-select-all]')) return;
  var form = box.closest('form');
  if (!form) return;
  form.querySelectorAll('[data-select-all-member]').forEach((member) => {
    member.checked = box.checked;
  });
});
