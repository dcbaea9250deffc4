/* The done page's way back to the crowdsourcing site: follow the link marked
   data-redirect-after="N" after N seconds. A script, not a timed <meta> refresh,
   which WCAG 2.2.1 (and axe-core's meta-refresh rule) forbids; the link stays for
   anyone whose browser does not run it. */
(function () {
  "use strict";
  var link = document.querySelector("a[data-redirect-after]");
  if (!link) { return; }
  var seconds = parseFloat(link.getAttribute("data-redirect-after")) || 0;
  window.setTimeout(function () { window.location.assign(link.href); }, seconds * 1000);
})();
