// Positions and widths computed on the server (timeline spans, agreement bars) arrive as
// data-left / data-width percentages: the Content-Security-Policy forbids style attributes,
// but lets our own script set element.style.
(function () {
  "use strict";
  function percent(value) {
    var number = parseFloat(value);
    return isFinite(number) ? Math.max(0, Math.min(100, number)) + "%" : null;
  }
  function place(root) {
    root.querySelectorAll("[data-left], [data-width]").forEach(function (element) {
      var left = percent(element.dataset.left), width = percent(element.dataset.width);
      if (left !== null) { element.style.left = left; }
      if (width !== null) { element.style.width = width; }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { place(document); });
  } else {
    place(document);
  }
}());
