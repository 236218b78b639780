// The few lines htmx does not cover: error toasts, confirm dialogs, and Escape/Enter for inline edits.
(function () {
  'use strict';

  function showToast(text) {
    var toast = document.getElementById('toast');
    if (!toast) return;
    toast.textContent = text;
    toast.hidden = false;
    clearTimeout(showToast.timer);
    showToast.timer = setTimeout(function () { toast.hidden = true; }, 6000);
  }

  document.addEventListener('htmx:responseError', function (event) {
    var xhr = event.detail.xhr;
    var doc = new DOMParser().parseFromString(xhr.responseText || '', 'text/html');
    var text = (doc.body && doc.body.textContent || '').trim();
    showToast(text || 'Something went wrong (' + xhr.status + '). Please try again.');
  });
  document.addEventListener('htmx:sendError', function () {
    showToast('The server could not be reached. Check your connection and try again.');
  });

  // Inline edit rows: Escape clicks the row's Discard button.
  document.addEventListener('keydown', function (event) {
    if (event.key !== 'Escape') return;
    var row = event.target.closest && event.target.closest('[data-inline-edit]');
    if (!row) return;
    var discard = row.querySelector('[data-discard]');
    if (discard) { event.preventDefault(); discard.click(); }
  });

  // Confirmation in our own <dialog> instead of window.confirm: for hx-confirm and for <form data-confirm>.
  function confirmWithDialog(question, onConfirm) {
    var dialog = document.getElementById('confirm-dialog');
    if (!dialog || !dialog.showModal) { if (window.confirm(question)) onConfirm(); return; }
    document.getElementById('confirm-dialog-message').textContent = question;
    dialog.returnValue = '';
    dialog.addEventListener('close', function handler() {
      dialog.removeEventListener('close', handler);
      if (dialog.returnValue === 'confirm') onConfirm();
    });
    dialog.showModal();
    document.getElementById('confirm-dialog-ok').focus();
  }
  document.addEventListener('htmx:confirm', function (event) {
    if (!event.detail.question) return;
    event.preventDefault();
    confirmWithDialog(event.detail.question, function () { event.detail.issueRequest(true); });
  });
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute('data-confirm') || form.hasAttribute('hx-post') || form.hasAttribute('hx-delete')) return;
    event.preventDefault();
    confirmWithDialog(form.getAttribute('data-confirm'), function () { form.removeAttribute('data-confirm'); form.submit(); });
  });

  // The printable invoice's Print button.
  document.addEventListener('click', function (event) {
    if (event.target.closest && event.target.closest('[data-print]')) window.print();
  });

  // <dialog> openers: <button data-open-dialog="id">. Closers: <button data-close-dialog>.
  document.addEventListener('click', function (event) {
    var opener = event.target.closest && event.target.closest('[data-open-dialog]');
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute('data-open-dialog'));
      if (dialog && dialog.showModal) { event.preventDefault(); dialog.showModal(); }
      return;
    }
    var closer = event.target.closest && event.target.closest('[data-close-dialog]');
    if (closer) {
      var parent = closer.closest('dialog');
      if (parent) { event.preventDefault(); parent.close(); }
    }
  });
})();

// Select-all boxes: <input type="checkbox" data-select-all> ticks or clears the boxes marked
// data-select-all-member in the same form.
document.addEventListener('change', function (event) {
  var box = event.target;
  if (!box.matches || !box.matches('[data-select-all]')) return;
  var form = box.closest('form');
  if (!form) return;
  form.querySelectorAll('[data-select-all-member]').forEach(function (member) { member.checked = box.checked; });
});
