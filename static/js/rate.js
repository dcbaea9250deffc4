/* The rating page: keyboard and buttons, preloading, and submissions that survive
 * double clicks, reloads and lost connections. Without JavaScript the form still
 * posts and the server redirects back, so this file only makes it faster and safer.
 * The viewing conditions are checked on every item, not only once before the start:
 * rating pauses (image hidden, buttons off, clock stopped) with a message while the
 * whole stimulus cannot be shown at its true size, or on a touch-only device. */
(function () {
  "use strict";

  var form = document.getElementById("rate-form");
  var img = document.getElementById("stimulus");
  var stateNode = document.getElementById("rating-state");
  if (!form || !img || !stateNode) return;

  var state = JSON.parse(stateNode.textContent);
  var current = state.item;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var itemField = form.querySelector("input[name=item]");
  var scoreControls = document.getElementById("score-controls");
  var nextControls = document.getElementById("next-controls");
  var anchor = document.getElementById("anchor");
  var statusLine = document.getElementById("status");
  var progress = document.querySelector(".progress");
  var progressBar = document.querySelector(".progress-bar");
  var progressText = document.getElementById("progress-text");
  // One pending submission per rater link, kept until the server confirms it.
  var storeKey = "srmos-pending:" + location.pathname;
  var ready = false;    // the current item's image has loaded
  var visibleMs = 0;    // time the image was on screen before the current stretch
  var shownAt = null;   // start of the current stretch of the image on screen
  var busy = false;
  var preloaded = null;
  // Told to the rater while the image cannot be shown whole at its true size.
  var fitNotice = document.createElement("div");
  fitNotice.id = "fit-notice";
  fitNotice.className = "notice problem";
  fitNotice.setAttribute("role", "alert");
  fitNotice.hidden = true;
  img.parentNode.parentNode.insertBefore(fitNotice, img.parentNode);

  function store(pending) {
    try { localStorage.setItem(storeKey, JSON.stringify(pending)); } catch (e) { /* private mode */ }
  }
  function forget() {
    try { localStorage.removeItem(storeKey); } catch (e) { /* private mode */ }
  }
  function stored() {
    try { return JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (e) { return null; }
  }

  function setButtonsEnabled(enabled) {
    form.querySelectorAll("button").forEach(function (b) { b.disabled = !enabled; });
  }

  // One image pixel on one device pixel: on a screen with devicePixelRatio 2 the
  // element gets half the CSS size, so the browser does not upscale the stimulus.
  function sizeFor(item) {
    var ratio = window.devicePixelRatio || 1;
    img.width = Math.round(item.width / ratio);
    img.height = Math.round(item.height / ratio);
  }

  function anchorText(score) {
    if (score === 1) return "Example of score 1 (Bad)";
    if (score === 5) return "Example of score 5 (Excellent)";
    return score ? "Example of score " + score : "";
  }

  // A phone or tablet: its only pointer is a finger (coarse) and it has no fine one
  // (mouse, trackpad, pen). A laptop with a touch screen keeps its trackpad
  // (any-pointer: fine) and passes. Window size and devicePixelRatio cannot tell: a
  // phone at devicePixelRatio 3 has the device pixels of a laptop on a hand-sized screen.
  function touchOnly() {
    return window.matchMedia("(pointer: coarse)").matches &&
      !window.matchMedia("(any-pointer: fine)").matches;
  }

  // The instructions page's rule (viewing-check.js), for this item: device pixels
  // available beside the page's padding, and above/below the controls.
  function fits() {
    if (touchOnly()) {
      fitNotice.textContent = "This study needs a computer with a mouse or trackpad: it " +
        "cannot be done on a phone or tablet. Please open your link on a computer; your " +
        "ratings so far are kept.";
      return false;
    }
    var ratio = window.devicePixelRatio || 1;
    var haveW = Math.floor((window.innerWidth - 32) * ratio);
    var haveH = Math.floor((window.innerHeight - 160) * ratio);
    fitNotice.textContent = "Your window is too small to show this image at full size (" +
      current.width + " × " + current.height + " pixels needed, " + Math.max(0, haveW) +
      " × " + Math.max(0, haveH) + " available). Please maximise the browser window or " +
      "reset the zoom (Ctrl+0 or Cmd+0); the study continues as soon as the image fits.";
    return haveW >= current.width && haveH >= current.height;
  }

  // Show the image (and run the clock) only while it is loaded and fits; response_ms
  // counts only the time it was on screen (not the pauses).
  function update() {
    var fit = fits();
    fitNotice.hidden = fit;
    if (ready && fit && !busy) {
      img.classList.remove("loading");
      if (shownAt === null) {
        shownAt = performance.now();
        setButtonsEnabled(true);
      }
      return;
    }
    if (shownAt !== null) visibleMs += performance.now() - shownAt;
    shownAt = null;
    setButtonsEnabled(false);
    img.classList.toggle("loading", !(ready && fit));
  }

  function onShown() {
    ready = true;
    update();
  }

  function show(item, next) {
    current = item;
    itemField.value = item.token;
    var calibration = item.phase === "calibration";
    scoreControls.hidden = calibration;
    nextControls.hidden = !calibration;
    anchor.hidden = !calibration;
    anchor.textContent = anchorText(item.anchor);
    ready = false;
    visibleMs = 0;
    shownAt = null;
    setButtonsEnabled(false);
    img.classList.add("loading");
    sizeFor(item);
    update();
    if (img.getAttribute("src") === item.image && img.complete && img.naturalWidth) {
      onShown();
    } else {
      img.onload = onShown;
      img.onerror = function () { say("The image did not load. Retrying…"); setTimeout(function () { img.src = item.image + "?retry=" + Date.now(); }, 2000); };
      img.src = item.image;
    }
    if (next) { preloaded = new Image(); preloaded.src = next.image; }
  }

  function updateProgress(done, total) {
    progress.setAttribute("aria-valuenow", String(done));
    progressBar.style.width = (total ? Math.floor(100 * done / total) : 100) + "%";
    progressText.textContent = done + " of " + total;
  }

  function say(text) { statusLine.textContent = text; }

  function apply(payload) {
    busy = false;
    if (payload.stage !== "rating" && payload.stage !== "calibration") {
      location.reload();  // break, done or closed: the server renders those pages
      return;
    }
    say("");
    updateProgress(payload.done, payload.total);
    show(payload.item, payload.next);
  }

  function send(pending, attempt) {
    var body = new URLSearchParams();
    body.set("item", pending.item);
    if (pending.score) body.set("score", pending.score);
    if (pending.response_ms !== null) body.set("response_ms", String(pending.response_ms));
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf },
      body: body
    }).then(function (response) {
      if (response.status >= 500) throw new Error("server " + response.status);
      return response.json().then(function (data) { return { ok: response.ok, data: data, status: response.status }; });
    }).then(function (result) {
      forget();
      if (result.ok) { apply(result.data); return; }
      // Refused (stale tab, closed study, ...): the page from the server is the truth.
      say(result.data.message || "That did not work.");
      setTimeout(function () { location.reload(); }, 1500);
    }).catch(function () {
      // Lost connection or server trouble: keep the rating and try again.
      var delay = Math.min(10000, 500 * Math.pow(2, attempt));
      say("Connection problem: your rating is kept and will be sent again in " + Math.round(delay / 1000) + " s.");
      setTimeout(function () { send(pending, attempt + 1); }, delay);
    });
  }

  function submit(score) {
    if (busy || shownAt === null) return;
    var calibration = current.phase === "calibration";
    if (!calibration && !score) return;
    var elapsed = visibleMs + performance.now() - shownAt;
    busy = true;
    update();  // stops the clock, disables the buttons
    var pending = {
      item: current.token,
      score: calibration ? null : String(score),
      response_ms: Math.max(0, Math.round(elapsed))
    };
    store(pending);
    send(pending, 0);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = event.submitter;
    submit(button && button.name === "score" ? button.value : null);
  });

  document.addEventListener("keydown", function (event) {
    if (event.repeat || event.altKey || event.ctrlKey || event.metaKey) return;
    if (/^[1-5]$/.test(event.key) && current.phase === "rating") {
      event.preventDefault();
      submit(event.key);
    } else if ((event.key === "Enter" || event.key === "ArrowRight" || event.key === " ") &&
               current.phase === "calibration") {
      var onButton = document.activeElement && document.activeElement.tagName === "BUTTON";
      if (onButton && event.key !== "ArrowRight") return;  // the button's own click submits
      event.preventDefault();
      submit(null);
    }
  });

  // Zooming changes devicePixelRatio: size the image again, then check it fits.
  window.addEventListener("resize", function () {
    sizeFor(current);
    update();
  });

  // A rating sent just before a reload or a lost connection is sent again now; the
  // server stores it once whatever happened to the first attempt.
  var pending = stored();
  show(current, state.next);
  if (pending && pending.item === current.token) {
    busy = true;
    update();
    say("Sending your last rating again…");
    send(pending, 0);
  } else if (pending) {
    forget();
  }
  // The keys and buttons are live from here on (browser tests wait for this mark).
  document.body.dataset.ready = "1";
})();
