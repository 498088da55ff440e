// Small progressive enhancements; every page works without them.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches && el.matches("[data-autosubmit]")) { el.form.submit(); }
});
document.addEventListener("submit", function (event) {
  // A form with data-confirm (an action that cannot be undone) is sent only when the person says yes. Runs in
  // the capture phase: before the double-submit guard below marks the form as being sent.
  var form = event.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
document.addEventListener("submit", function (event) {
  // Prevent a double-clicked submit from sending the form twice.
  var form = event.target;
  if (form.dataset.submitting === "1") { event.preventDefault(); return; }
  form.dataset.submitting = "1";
  setTimeout(function () { form.dataset.submitting = ""; }, 4000);
});
document.addEventListener("click", function (event) {
  // A "print" button (data-print) on print-friendly pages.
  var el = event.target.closest ? event.target.closest("[data-print]") : null;
  if (el) { event.preventDefault(); window.print(); }
});
// Searchable pickers (core.pickers: <select data-picker>): Tom Select, loaded by the pages that use one
// ({{ form.media }}). Options keep their groups and order; data-search (short names, aliases) is searched
// with the name. Without the library (or JavaScript) the select stays an ordinary select.
var pickerLibrary = null;  // the callbacks waiting while app.js loads the library itself
function loadPickerLibrary(el, then) {
  // A page without {{ form.media }} (a form loaded by htmx, a shared action template): load the library
  // named on the select (same origin, allowed by the CSP), once, then initialise.
  if (pickerLibrary) { pickerLibrary.push(then); return; }
  pickerLibrary = [then];
  if (el.dataset.pickerCss) {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = el.dataset.pickerCss;
    document.head.appendChild(link);
  }
  var script = document.createElement("script");
  script.src = el.dataset.pickerJs;
  script.onload = function () { pickerLibrary.forEach(function (f) { f(); }); };
  document.head.appendChild(script);
}
function initPickers(root) {
  var selects = (root || document).querySelectorAll ? (root || document).querySelectorAll("select[data-picker]") : [];
  if (!selects.length) { return; }
  if (!window.TomSelect) {
    if (selects[0].dataset.pickerJs) { loadPickerLibrary(selects[0], function () { initPickers(root); }); }
    return;
  }
  Array.prototype.forEach.call(selects, function (el) {
    if (el.tomselect) { return; }
    var noResults = el.dataset.noResults || "";
    new window.TomSelect(el, {
      searchField: ["text", "search"],
      sortField: [{ field: "$score" }, { field: "$order" }],
      lockOptgroupOrder: true,
      maxOptions: null,
      placeholder: el.dataset.placeholder || "",
      plugins: el.multiple ? ["remove_button"] : ["clear_button"],
      render: {
        no_results: function () {
          var div = document.createElement("div");
          div.className = "no-results";
          div.textContent = noResults;
          return div;
        }
      }
    });
  });
}
initPickers(document);
document.addEventListener("htmx:load", function (event) { initPickers(event.detail.elt); });
// "Select all" of a list (data-select-all="<name>"): shown only with JavaScript; ticks every check box of
// that name in the same form (the rows' boxes may belong to it through their form attribute).
document.querySelectorAll("input[data-select-all]").forEach(function (all) {
  all.hidden = false;
  all.addEventListener("change", function () {
    var selector = "input[type=checkbox][name='" + all.dataset.selectAll + "']";
    var form = all.form;
    document.querySelectorAll(selector).forEach(function (box) {
      if (!form || box.form === form) { box.checked = all.checked; }
    });
  });
});
