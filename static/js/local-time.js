/* Times the server writes in UTC (<time data-local-time datetime="ISO">), shown in the
   reader's own clock: "14:05" in the browser's time zone and locale. A time marked
   data-reload-at (the end of a break) reloads the page when it comes, instead of a
   timed <meta> refresh (WCAG 2.2.1). Without script the UTC text and the link stay. */
(function () {
  "use strict";
  document.querySelectorAll("time[data-local-time]").forEach(function (node) {
    var when = new Date(node.getAttribute("datetime"));
    if (isNaN(when.getTime())) { return; }
    node.textContent = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    node.title = when.toString();
    if (node.hasAttribute("data-reload-at")) {
      // At most a day ahead (setTimeout's range); a second late, so the break is over.
      var wait = Math.min(Math.max(0, when.getTime() - Date.now()) + 1000, 86400000);
      window.setTimeout(function () { window.location.reload(); }, wait);
    }
  });
})();
