// The public pages: copy the tracking code (works without it: the code can be selected and copied by hand).
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-copy]") : null;
  if (!button) { return; }
  var source = document.querySelector(button.dataset.copy);
  if (!source || !navigator.clipboard) { return; }
  navigator.clipboard.writeText(source.textContent.trim()).then(function () {
    button.textContent = button.dataset.copied || button.textContent;
  }, function () {});
});
