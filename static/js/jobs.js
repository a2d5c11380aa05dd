// Keeps every job status on the page current: polls its JSON status until the job is ready
// or failed, then shows the download link or the reason. Without JS the page shows the state
// it was rendered with and a "Check again" link.
(function () {
  "use strict";
  var ACTIVE = { queued: true, running: true };

  function render(box, job) {
    box.setAttribute("data-job-state", job.status);
    var label = box.querySelector(".job-label");
    var text = job.label;
    if (job.status === "running" && job.total) {
      text += " — " + job.done + " of " + job.total;
    }
    if (label && label.textContent !== text) { label.textContent = text; }
    var bar = box.querySelector(".job-progress");
    if (bar) {
      bar.value = job.percent;
      bar.textContent = job.percent + " %";
      bar.hidden = !ACTIVE[job.status];
    }
    var refresh = box.querySelector(".job-refresh");
    if (refresh) { refresh.hidden = !ACTIVE[job.status]; }
    var done = box.querySelector(".job-done");
    if (done && job.status === "done") {
      var link = done.querySelector(".job-download");
      if (link && job.download_url) {
        link.href = job.download_url;
        link.textContent = "Download " + (job.file_name || "the file");
      }
      done.hidden = false;
    }
    var error = box.querySelector(".job-error");
    if (error && job.status === "failed") {
      error.textContent = job.error || "The job failed.";
      error.hidden = false;
    }
  }

  function poll(box, delay) {
    var url = box.getAttribute("data-job-status-url");
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (job) {
        render(box, job);
        if (ACTIVE[job.status]) { window.setTimeout(function () { poll(box, 1000); }, delay); }
      })
      .catch(function () {
        // A dropped connection: try again more slowly.
        window.setTimeout(function () { poll(box, Math.min(delay * 2, 15000)); }, delay);
      });
  }

  document.querySelectorAll("[data-job-status-url]").forEach(function (box) {
    if (ACTIVE[box.getAttribute("data-job-state")]) { poll(box, 1000); }
  });
})();
