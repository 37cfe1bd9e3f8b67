// The dashboard's live updates. While the tab is visible, poll GET /dashboard/live every 1.5 s, start to start
// (so that a change is on screen within 2 s), with the ETag of what the page shows (If-None-Match): 304 means
// nothing changed; 200 brings {section name: html} for the sections that did, drawn by the same templates as the
// first render, and each is swapped in place (the rest of the page is not touched: no flicker, the scroll
// position stays, focus and open "As a table" boxes are kept).
// Errors back off (3, 6, 12 … 30 s) and say so. A static file: the pages allow no inline script.
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root || !window.fetch) { return; }
  var url = root.getAttribute("data-live");
  var etag = root.getAttribute("data-etag");
  var period = (parseFloat(root.getAttribute("data-poll-seconds")) || 2) * 1000;
  var MAX_DELAY = 30000;
  var state = document.getElementById("live-state");
  var updated = document.getElementById("live-updated");
  var lost = document.getElementById("live-error");
  var updatedLabel = updated.getAttribute("data-updated-label");
  var shown = {};  // section name -> the html last put in, so that an identical one is not put in again
  var failures = 0;
  var timer = null;
  var busy = false;
  var started = Date.now();  // when the last poll went out (ms); the page itself counts as the first

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function succeeded() {
    failures = 0;
    state.setAttribute("data-state", "live");
    lost.hidden = true;
    var now = new Date();
    updated.textContent = updatedLabel + " " + pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" +
      pad(now.getSeconds());
  }

  function failed() {
    failures += 1;
    state.setAttribute("data-state", "lost");
    lost.hidden = false;
  }

  // What a swap must keep: the element that has focus (found again by id, else by link target and text)
  // and which <details> boxes are open (by position in the section).
  function remember(box) {
    var active = document.activeElement;
    var kept = {open: []};
    box.querySelectorAll("details").forEach(function (d, i) { if (d.open) { kept.open.push(i); } });
    if (active && active !== document.body && box.contains(active)) {
      kept.id = active.id;
      kept.href = active.getAttribute("href");
      kept.text = active.textContent;
    }
    return kept;
  }

  function restore(box, kept) {
    var boxes = box.querySelectorAll("details");
    kept.open.forEach(function (i) { if (boxes[i]) { boxes[i].open = true; } });
    var target = null;
    if (kept.id) {
      target = document.getElementById(kept.id);
    } else if (kept.href) {
      box.querySelectorAll("a[href]").forEach(function (a) {
        if (!target && a.getAttribute("href") === kept.href && a.textContent === kept.text) { target = a; }
      });
    }
    if (target && box.contains(target)) { target.focus({preventScroll: true}); }
  }

  function swap(sections) {
    Object.keys(sections).forEach(function (name) {
      var box = root.querySelector('[data-section="' + name.replace(/[^\w-]/g, "") + '"]');
      if (!box || shown[name] === sections[name]) { return; }
      var kept = remember(box);
      box.innerHTML = sections[name];
      shown[name] = sections[name];
      restore(box, kept);
    });
  }

  function schedule() {
    clearTimeout(timer);
    timer = null;
    if (document.hidden) { return; }
    var delay = failures ? Math.min(period * Math.pow(2, failures), MAX_DELAY)
                         : Math.max(period - (Date.now() - started), 0);
    timer = setTimeout(poll, delay);
  }

  function poll() {
    timer = null;
    if (busy || document.hidden) { return; }
    busy = true;
    started = Date.now();
    fetch(url, {credentials: "same-origin", cache: "no-store",
                headers: {"Accept": "application/json", "If-None-Match": etag}})
      .then(function (r) {
        if (r.status === 304) { return; }
        var type = r.headers.get("Content-Type") || "";
        if (!r.ok || r.redirected || type.indexOf("application/json") !== 0) {
          throw new Error("dashboard update: " + r.status);
        }
        var tag = r.headers.get("ETag");
        return r.json().then(function (sections) {
          swap(sections);
          if (tag) { etag = tag; }
        });
      })
      .then(succeeded, failed)
      .then(function () {
        busy = false;
        schedule();
      });
  }

  // A hidden tab asks nothing; coming back, it asks at once.
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      clearTimeout(timer);
      timer = null;
    } else if (!busy) {
      poll();
    }
  });
  schedule();
})();
