/* The study page's live parts: poll live.json and update progress, MOS and Figure 5.
   Text is set with textContent only: names come from the database, not from us. */
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root) { return; }
  var url = root.dataset.liveUrl;
  var seconds = Math.max(1, parseInt(root.dataset.pollSeconds, 10) || 5);
  // The number of ratings the server rendered the page with: MOS and figure are redrawn
  // when it changes.
  var lastRatings = parseInt(root.dataset.ratings, 10);

  function setText(id, text) {
    var node = document.getElementById(id);
    if (node && node.textContent !== text) { node.textContent = text; }
  }

  function fixed(value) { return value === null ? "–" : value.toFixed(2); }

  function renderMos(rows) {
    var body = document.getElementById("mos-body");
    if (!body) { return; }
    var fresh = document.createDocumentFragment();
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      var ci = row.ci95_low === null ? "–" : fixed(row.ci95_low) + " – " + fixed(row.ci95_high);
      [row.dataset, row.label, String(row.n), fixed(row.mos), ci].forEach(function (text) {
        var td = document.createElement("td");
        td.textContent = text;
        tr.appendChild(td);
      });
      fresh.appendChild(tr);
    });
    if (rows.length) { body.replaceChildren(fresh); }
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
      setText("screening-" + r.number, r.screening);
    });
    if (data.ratings !== lastRatings) {
      renderMos(data.mos);
      var figure = document.getElementById("figure5");
      if (figure) { figure.src = root.dataset.figureUrl + "?v=" + data.ratings; }
    }
    lastRatings = data.ratings;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        update(data);
        setText("live-status", "(updated " + new Date().toLocaleTimeString() + ")");
      })
      .catch(function () { setText("live-status", "(live update failed; retrying)"); })
      .finally(function () { window.setTimeout(poll, seconds * 1000); });
  }

  window.setTimeout(poll, seconds * 1000);
})();
