// B5: drag the report's fields into a new column order. The hidden `order` inputs travel with their
// rows, so the submitted order is the order on screen; the up/down buttons do the same without JavaScript.
(() => {
  var list = document.querySelector('[data-sortable]');
  if (!list || !window.Sortable) return;
  window.Sortable.create(list, {
    handle: '.drag-handle',
    animation: 150,
    // Pointer events rather than native drag and drop: the same on every browser and with touch.
    forceFallback: true,
    onSort: () => {
      var items = list.querySelectorAll('.field-order-item');
      items.forEach((item, index) => {
        item.querySelector('button[value^="up:"]').disabled = index === 0;
        item.querySelector('button[value^="down:"]').disabled = index === items.length - 1;
      });
    },
  });
})();
