// Probity console: the report page watches an IN_PROGRESS report and reloads when its
// status changes. Without this file the page has a Refresh link.
(function () {
  "use strict";
  var el = document.getElementById("report-status");
  if (!el || el.getAttribute("data-status") !== "IN_PROGRESS") return;
  var url = el.getAttribute("data-status-url");
  var delay = 1000;
  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (s && s.status && s.status !== "IN_PROGRESS") {
          window.location.reload();
          return;
        }
        delay = Math.min(delay * 1.5, 10000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, delay);
})();
