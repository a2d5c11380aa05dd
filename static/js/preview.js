/* Live brand swatches and live campaign previews. No inline script: CSP is script-src 'self'. */
(function () {
  "use strict";

  // ---- Brand page: swatches and the contrast warning follow the colour inputs. ----
  var HEX = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i;
  function normalHex(value) {
    var digits = value.trim().replace(/^#/, "").toLowerCase();
    if (digits.length === 3) digits = digits.replace(/./g, "$&$&");
    return "#" + digits;
  }
  function luminance(hex) {
    var rgb = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
  }
  function showColour(input, onLoad) {
    var which = input.getAttribute("data-swatch");
    var note = document.querySelector('[data-contrast-for="' + which + '"]');
    // On load the page's own warning stays; typing replaces it with the live one.
    if (onLoad && note && note.textContent.trim()) note = null;
    if (!HEX.test(input.value)) {
      if (note) { note.textContent = input.value.trim() ? "Write the colour as #rrggbb." : ""; }
      return;
    }
    var hex = normalHex(input.value);
    var ratio = 1.05 / (luminance(hex) + 0.05);
    document.querySelectorAll('[data-swatch-for="' + which + '"]').forEach(function (el) {
      el.style.background = hex;
    });
    var sample = document.querySelector("[data-brand-sample]");
    if (sample && which === "primary") {
      sample.querySelector('[data-sample="primary"]').style.background = hex;
      sample.querySelector('[data-sample="primary-text"]').style.color = hex;
    } else if (sample) {
      sample.querySelector('[data-sample="secondary"]').style.background = hex;
    }
    if (note) {
      var low = ratio < 4.5;
      note.classList.toggle("warn", low);
      note.textContent = "Contrast against white: " + ratio.toFixed(1) + ":1" +
        (low ? " — too low for text; pick a darker shade." : " — fine for text.");
    }
  }
  document.querySelectorAll("input[data-swatch]").forEach(function (input) {
    input.addEventListener("input", function () { showColour(input, false); });
    showColour(input, true);
  });

  // ---- Campaign form: re-render the shown asset from the unsaved values as people type. ----
  var form = document.querySelector("form[data-preview-form]");
  if (!form) return;
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-preview-item]"));
  var picker = document.querySelector("[data-preview-picker]");
  var timer = null;
  var controller = null;
  var stale = {};

  function shown() {
    return items.filter(function (item) { return !item.hidden; });
  }
  function say(item, text) {
    item.querySelector(".preview-status").textContent = text;
  }
  function fetchPreview(url, body, signal) {
    return fetch(url, { method: "POST", body: body, signal: signal, credentials: "same-origin" })
      .then(function (response) {
        if (response.ok) return response;
        // 429/503 with Retry-After: the server is drawing other previews; ask again later.
        var wait = parseInt(response.headers.get("Retry-After") || "", 10);
        return response.text().then(function (text) {
          var error = new Error(text);
          if (wait > 0) error.retryAfter = wait;
          throw error;
        });
      });
  }
  function load(item, body, signal) {
    var kind = item.getAttribute("data-preview-kind");
    var url = item.getAttribute("data-preview-url");
    item.setAttribute("aria-busy", "true");
    say(item, "Updating…");
    var jobs = [fetchPreview(url, body, signal).then(function (response) {
      if (kind === "png") {
        return response.blob().then(function (blob) {
          var img = item.querySelector("img");
          var previous = img.getAttribute("data-object-url");
          var next = URL.createObjectURL(blob);
          img.src = next;
          img.setAttribute("data-object-url", next);
          if (previous) URL.revokeObjectURL(previous);
        });
      }
      // srcdoc inside sandbox="": the kit's HTML shows, but runs no script and sends nothing.
      return response.text().then(function (html) { item.querySelector("iframe").srcdoc = html; });
    })];
    var text = item.querySelector("[data-preview-text-url]");
    if (text) {
      jobs.push(fetchPreview(text.getAttribute("data-preview-text-url"), body, signal)
        .then(function (response) { return response.text(); })
        .then(function (posts) { text.textContent = posts; }));
    }
    Promise.all(jobs).then(function () {
      delete stale[item.getAttribute("data-preview-item")];
      say(item, "Up to date");
    }).catch(function (error) {
      if (error.name === "AbortError") return;
      say(item, error.message || "The preview could not be updated.");
      if (error.retryAfter) {
        setTimeout(function () { if (!signal.aborted) load(item, body, signal); }, error.retryAfter * 1000);
      }
    }).then(function () { item.removeAttribute("aria-busy"); });
  }
  function refresh() {
    if (controller) controller.abort();
    controller = new AbortController();
    var body = new FormData(form);
    items.forEach(function (item) { stale[item.getAttribute("data-preview-item")] = true; });
    shown().forEach(function (item) { load(item, body, controller.signal); });
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 450);
  }
  function loadIfStale() {
    shown().forEach(function (item) {
      if (stale[item.getAttribute("data-preview-item")]) {
        load(item, new FormData(form), (controller || new AbortController()).signal);
      }
    });
  }
  function pick() {
    items.forEach(function (item) { item.hidden = item.getAttribute("data-preview-item") !== picker.value; });
  }

  // Post texts have no server-drawn preview: they load when their asset is first shown.
  items.forEach(function (item) {
    if (item.querySelector("[data-preview-text-url]")) stale[item.getAttribute("data-preview-item")] = true;
  });
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  if (picker) {
    picker.addEventListener("change", function () { pick(); loadIfStale(); });
    pick();
  }
  if (form.hasAttribute("data-refresh-on-load")) refresh(); else loadIfStale();
})();
