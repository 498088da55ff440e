/* One-click accept of a text suggestion (xieshang.text): a button with data-text-fill (a CSS selector of the
   field to fill) and data-text-value (the value), or data-text-fills (JSON: [[selector, value], …], a value
   a list for a multiple choice), and optionally data-text-open (the data-testid of the <summary> whose box
   holds the form: opened first; the review queue loads that form when it opens). */
(function () {
  "use strict";
  if (window.xieshangTextAccept) { return; }
  window.xieshangTextAccept = true;

  function setValue(field, value) {
    if (field.tomselect) {
      field.tomselect.setValue(value);
    } else if (field.multiple) {
      var chosen = [].concat(value);
      Array.prototype.forEach.call(field.options, function (o) { o.selected = chosen.indexOf(o.value) >= 0; });
    } else {
      field.value = value;
    }
    field.dispatchEvent(new Event("change", { bubbles: true }));
    field.classList.add("text-accepted");
  }

  function pairs(button) {
    var many = button.getAttribute("data-text-fills");
    if (many) {
      try { return JSON.parse(many); } catch (e) { return []; }
    }
    return [[button.getAttribute("data-text-fill"), button.getAttribute("data-text-value")]];
  }

  function fillAll(scope, list) {
    var first = null;
    list.forEach(function (pair) {
      var field = scope.querySelector(pair[0]);
      if (field) { setValue(field, pair[1]); first = first || field; }
    });
    if (first) { first.focus(); }
  }

  function fill(button) {
    var scope = button.closest(".review-item") || document;
    var list = pairs(button);
    if (!list.length) { return; }
    if (scope.querySelector(list[0][0])) { fillAll(scope, list); return; }
    var opener = button.getAttribute("data-text-open");
    var summary = opener && scope.querySelector("[data-testid='" + opener + "']");
    var box = summary && summary.closest("details");
    if (!box) { return; }
    var tries = 0;
    var wait = function () {  // the box's form arrives through htmx when it is opened
      if (scope.querySelector(list[0][0])) { fillAll(scope, list); } else if (tries++ < 40) { window.setTimeout(wait, 100); }
    };
    if (!box.open) { box.open = true; }
    wait();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-text-fill], [data-text-fills]");
    if (button) { event.preventDefault(); fill(button); }
  });
}());
