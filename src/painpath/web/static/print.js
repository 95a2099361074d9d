// Progressive enhancement: a Print button (without JavaScript, the browser's own Print works).
(function () {
  var button = document.getElementById("print-button");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();
