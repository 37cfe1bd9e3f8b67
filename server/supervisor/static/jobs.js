// The import page's progress bar: poll the job's progress JSON and reload the page when the job ends
// (the page then shows the result table or the error). A static file: the pages allow no inline script.
(function () {
  "use strict";
  var box = document.getElementById("import-job");
  if (!box) { return; }
  var url = box.getAttribute("data-job-progress");
  var bar = document.getElementById("job-progress");
  var status = document.getElementById("job-status");
  var done = document.getElementById("job-done");
  var total = document.getElementById("job-total");

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job) { setTimeout(poll, 3000); return; }
        bar.value = job.percent;
        bar.textContent = job.percent + "%";
        status.textContent = job.label;
        done.textContent = job.done;
        total.textContent = job.total || 0;
        if (job.status === "done" || job.status === "failed") {
          window.location.reload();
        } else {
          setTimeout(poll, 1000);
        }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
