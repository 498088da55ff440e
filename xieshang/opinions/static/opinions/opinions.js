// The opinion report screens' small enhancements; every page works without them.
(function () {
  // Live character counter: the fields marked data-count="<group>" add up; the element
  // [data-counter="<group>"] (with data-limit and data-template, "{n}" and "{limit}" in it)
  // shows the total and turns red over the limit.
  function refresh(group) {
    var out = document.querySelector('[data-counter="' + group + '"]');
    if (!out) { return; }
    var total = 0;
    document.querySelectorAll('[data-count="' + group + '"]').forEach(function (el) {
      // as the server counts: each part without its surrounding blanks, by characters
      total += Array.from((el.value || "").trim()).length;
    });
    var limit = parseInt(out.dataset.limit || "0", 10);
    var template = out.dataset.template || "{n} / {limit}";
    out.textContent = template.replace("{n}", total).replace("{limit}", limit);
    out.dataset.count = String(total);
    out.classList.toggle("over", limit > 0 && total > limit);
  }
  function init() {
    document.querySelectorAll("[data-counter]").forEach(function (el) { refresh(el.dataset.counter); });
  }
  document.addEventListener("input", function (event) {
    var el = event.target;
    if (el.dataset && el.dataset.count) { refresh(el.dataset.count); }
  });
  // Tick every row of a list: <input type=checkbox data-check-all="name">.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.dataset && el.dataset.checkAll) {
      document.querySelectorAll('input[type=checkbox][name="' + el.dataset.checkAll + '"]').forEach(function (box) {
        box.checked = el.checked;
      });
    }
  });
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
