/* Loaded on every page. No inline script: CSP is script-src 'self'. */
(function () {
  "use strict";

  // A table wider than its box scrolls sideways: keyboard users reach the scroll region
  // (tabindex=0) and screen readers hear what it is (a named region).
  function labelScrollRegions() {
    document.querySelectorAll(".table-wrap, .table-scroll").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1 || wrap.scrollHeight > wrap.clientHeight + 1;
      if (!scrolls) {
        if (wrap.dataset.scrollRegion) {
          wrap.removeAttribute("tabindex");
          wrap.removeAttribute("role");
          wrap.removeAttribute("aria-label");
          delete wrap.dataset.scrollRegion;
        }
        return;
      }
      if (wrap.hasAttribute("tabindex")) return;
      var table = wrap.querySelector("table");
      var caption = table && table.querySelector("caption");
      var label = (table && table.getAttribute("aria-label")) || (caption && caption.textContent.trim());
      if (!label) {
        var heading = wrap.previousElementSibling;
        while (heading && !/^H[1-6]$/.test(heading.tagName)) heading = heading.previousElementSibling;
        label = heading ? heading.textContent.trim() : "Table";
      }
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", label + " (scrolls)");
      wrap.dataset.scrollRegion = "1";
    });
  }
  labelScrollRegions();
  window.addEventListener("resize", labelScrollRegions);

  // Confirmations (details.confirm): Escape closes the question and returns to its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = event.target.closest && event.target.closest("details.confirm[open]");
    if (open) {
      open.open = false;
      open.querySelector("summary").focus();
    }
  });
})();

/* On a phone the dashboard shows its numbers first: its filters start folded. */
(function () {
  "use strict";
  if (!window.matchMedia("(max-width: 760px)").matches) return;
  document.querySelectorAll("details[data-closed-on-phone]").forEach(function (panel) {
    panel.open = false;
  });
})();
