// Probity console: progressive enhancement only; every page works without this file.
// On narrow screens the main navigation folds behind a Menu button.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var button = document.querySelector("header .menu");
  var nav = document.getElementById("nav");
  if (!button || !nav) return;
  var narrow = window.matchMedia("(max-width: 40rem)");
  function fold() {
    var folded = narrow.matches && button.getAttribute("aria-expanded") !== "true";
    nav.setAttribute("data-collapsed", folded ? "true" : "false");
    button.hidden = !narrow.matches;
  }
  button.addEventListener("click", function () {
    button.setAttribute("aria-expanded", button.getAttribute("aria-expanded") === "true" ? "false" : "true");
    fold();
  });
  narrow.addEventListener("change", fold);
  fold();
})();
