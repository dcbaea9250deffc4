/* The study page's live parts: poll live.json and update progress and the analysis.
   Text is set with textContent only: names come from the database, not from us. The
   analysis panels come as HTML the server rendered with the page's own (escaping)
   template; they are parsed inertly (DOMParser runs no script) and swapped in.
   A closed study does not change: its page does not poll. */
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root) { return; }
  var url = root.dataset.liveUrl;
  var seconds = Math.max(1, parseInt(root.dataset.pollSeconds, 10) || 5);
  var withPanels = root.dataset.panels === "1";
  // The number of ratings the server rendered the page with: the panels and the figure
  // are redrawn when it changes.
  var lastRatings = parseInt(root.dataset.ratings, 10);

  function setText(id, text) {
    var node = document.getElementById(id);
    if (node && text !== undefined && node.textContent !== text) { node.textContent = text; }
  }

  function swapPanels(html) {
    var target = document.getElementById("panels");
    if (!target || typeof html !== "string") { return; }
    var parsed = new DOMParser().parseFromString(html, "text/html");
    // Keep the per-image sections the researcher opened.
    var open = {};
    target.querySelectorAll("details[open] table").forEach(function (t) { open[t.id] = true; });
    parsed.querySelectorAll("details table").forEach(function (t) {
      if (open[t.id]) { t.closest("details").open = true; }
    });
    target.replaceChildren.apply(target, Array.prototype.slice.call(parsed.body.childNodes));
  }

  function update(data) {
    setText("ratings-done", String(data.done));
    setText("ratings-total", String(data.total));
    setText("study-state", data.state);
    data.raters.forEach(function (r) {
      setText("progress-" + r.number, r.done + " / " + r.total);
      if (r.last_activity) {
        setText("activity-" + r.number, r.last_activity.replace("T", " ").slice(0, 19));
      }
      setText("screening-" + r.number, r.screening_words);
      setText("external-" + r.number, r.external_id);
      setText("code-" + r.number, r.completion_code);
      setText("acceptance-" + r.number, r.acceptance);
    });
    if (data.ratings !== lastRatings && data.panels !== undefined) { swapPanels(data.panels); }
    lastRatings = data.ratings;
  }

  function schedule() { window.setTimeout(poll, seconds * 1000); }

  function poll() {
    var query = withPanels ? "?since=" + encodeURIComponent(String(lastRatings)) : "";
    fetch(url + query, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        update(data);
        if (data.state === "closed") {
          root.dataset.state = "closed";
          setText("live-status", "(the study is closed: not refreshing)");
          return;
        }
        setText("live-status", "(updated " + new Date().toLocaleTimeString() + ")");
        schedule();
      })
      .catch(function () {
        setText("live-status", "(live update failed; retrying)");
        schedule();
      });
  }

  if (root.dataset.state !== "closed") { schedule(); }
})();
