// Progressive enhancement: the recovery timer counts on without a reload (the page works
// without it). Counts from the minutes the server computed, so the two clocks need not agree.
(function () {
  var el = document.getElementById("recovery-timer");
  if (!el || el.dataset.ended) return;
  var out = el.querySelector(".minutes");
  var shown = parseInt(out.textContent, 10);
  var loaded = Date.now();
  setInterval(function () {
    out.textContent = String(shown + Math.floor((Date.now() - loaded) / 60000));
  }, 15000);
})();
