/* The comparison page of two-image studies (pairwise, 2afc-real): buttons and keys,
 * both images pixel for pixel, and choices that survive double presses, reloads and
 * lost connections. Without JavaScript the form still posts (side=left|right) and the
 * server redirects back, so this file only makes the page faster and safer. */
(function () {
  "use strict";

  var form = document.getElementById("choose-form");
  var stateNode = document.getElementById("compare-state");
  var images = {
    left: document.getElementById("left-image"),
    right: document.getElementById("right-image")
  };
  if (!form || !stateNode || !images.left || !images.right) return;

  var state = JSON.parse(stateNode.textContent);
  if (!state.trial) return;
  var current = state.trial;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var itemField = form.querySelector("input[name=item]");
  var statusLine = document.getElementById("status");
  var progress = document.querySelector(".progress");
  var progressBar = document.querySelector(".progress-bar");
  var progressText = document.getElementById("progress-text");
  // Told to the rater while the window cannot show both images at full size.
  var fitNotice = document.createElement("div");
  fitNotice.id = "fit-notice";
  fitNotice.className = "notice problem";
  fitNotice.setAttribute("role", "alert");
  fitNotice.hidden = true;
  form.parentNode.insertBefore(fitNotice, form);
  // One pending choice per rater link, kept until the server confirms it.
  var storeKey = "srmos-pending:" + location.pathname;
  var generation = 0;   // which trial's image loads count (late loads of an old pair do not)
  var ready = { left: false, right: false };  // the current trial's images loaded
  var visibleMs = 0;    // time both images were on screen before the current stretch
  var shownAt = null;   // start of the current stretch of both images on screen
  var busy = false;

  function store(pending) {
    try { localStorage.setItem(storeKey, JSON.stringify(pending)); } catch (e) { /* private mode */ }
  }
  function forget() {
    try { localStorage.removeItem(storeKey); } catch (e) { /* private mode */ }
  }
  function stored() {
    try { return JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (e) { return null; }
  }

  function say(text) { statusLine.textContent = text; }

  function setButtonsEnabled(enabled) {
    form.querySelectorAll("button").forEach(function (b) { b.disabled = !enabled; });
  }

  // One image pixel on one device pixel: on a screen with devicePixelRatio 2 each
  // element gets half the CSS size, so the browser scales neither image.
  function sizeFor(img, picture) {
    var ratio = window.devicePixelRatio || 1;
    img.width = Math.round(picture.width / ratio);
    img.height = Math.round(picture.height / ratio);
  }

  // A phone or tablet (as viewing-check.js): only a coarse pointer, no fine one.
  function touchOnly() {
    return window.matchMedia("(pointer: coarse)").matches &&
      !window.matchMedia("(any-pointer: fine)").matches;
  }

  // The instructions page's rule (viewing-check.js), for this pair: device pixels
  // available beside the page's padding and the gap, and above/below the controls.
  function fits() {
    if (touchOnly()) {
      fitNotice.textContent = "This study needs a computer with a mouse or trackpad: it " +
        "cannot be done on a phone or tablet. Please open your link on a computer; your " +
        "answers so far are kept.";
      return false;
    }
    var ratio = window.devicePixelRatio || 1;
    var needW = current.left.width + current.right.width;
    var needH = Math.max(current.left.height, current.right.height);
    var haveW = Math.floor((window.innerWidth - 32) * ratio);
    var haveH = Math.floor((window.innerHeight - 160) * ratio);
    fitNotice.textContent = "Your window is too small to show both images at full size (" +
      needW + " × " + needH + " pixels needed, " + Math.max(0, haveW) + " × " +
      Math.max(0, haveH) + " available). Please maximise the browser window or reset the " +
      "zoom (Ctrl+0 or Cmd+0); the study continues as soon as both images fit.";
    return haveW >= needW && haveH >= needH;
  }

  function setVisible(visible) {
    ["left", "right"].forEach(function (side) {
      images[side].classList.toggle("loading", !visible);
    });
  }

  // Show the pair (and start the clock) only while both images are loaded and fit;
  // response_ms counts only the time both were on screen (not the pauses).
  function update() {
    var both = ready.left && ready.right;
    var fit = fits();
    fitNotice.hidden = fit;
    if (both && fit && !busy) {
      setVisible(true);
      if (shownAt === null) {
        shownAt = performance.now();
        setButtonsEnabled(true);
      }
      return;
    }
    if (shownAt !== null) visibleMs += performance.now() - shownAt;
    shownAt = null;
    setButtonsEnabled(false);
    setVisible(both && fit);
  }

  function load(side, picture, mine) {
    var img = images[side];
    img.onload = function () {
      if (mine !== generation) return;
      ready[side] = true;
      update();
    };
    img.onerror = function () {
      if (mine !== generation) return;
      say("An image did not load. Retrying…");
      setTimeout(function () {
        if (mine === generation) img.src = picture.src + "?retry=" + Date.now();
      }, 2000);
    };
    if (img.getAttribute("src") !== picture.src) {
      img.src = picture.src;
    } else if (img.complete) {
      // Loaded (or failed) before this script ran: no load event will come.
      if (img.naturalWidth) ready[side] = true; else img.onerror();
    }
  }

  function show(trial) {
    current = trial;
    generation += 1;
    ready = { left: false, right: false };
    visibleMs = 0;
    shownAt = null;
    itemField.value = trial.token;
    setButtonsEnabled(false);
    setVisible(false);
    ["left", "right"].forEach(function (side) {
      sizeFor(images[side], trial[side]);
      load(side, trial[side], generation);
    });
    update();
  }

  function updateProgress(done, total) {
    progress.setAttribute("aria-valuenow", String(done));
    progressBar.style.width = (total ? Math.floor(100 * done / total) : 100) + "%";
    progressText.textContent = done + " of " + total;
  }

  function apply(payload) {
    busy = false;
    if (payload.stage !== "compare" || !payload.trial) {
      location.reload();  // break, done or closed: the server renders those pages
      return;
    }
    say("");
    updateProgress(payload.done, payload.total);
    show(payload.trial);
  }

  function send(pending, attempt) {
    var body = new URLSearchParams();
    body.set("item", pending.item);
    body.set("side", pending.side);
    if (pending.response_ms !== null) body.set("response_ms", String(pending.response_ms));
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf },
      body: body
    }).then(function (response) {
      if (response.status >= 500) throw new Error("server " + response.status);
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      forget();
      if (result.ok) { apply(result.data); return; }
      // Refused (stale tab, closed study, ...): the page from the server is the truth.
      say(result.data.message || "That did not work.");
      setTimeout(function () { location.reload(); }, 1500);
    }).catch(function () {
      // Lost connection or server trouble: keep the choice and try again.
      var delay = Math.min(10000, 500 * Math.pow(2, attempt));
      say("Connection problem: your choice is kept and will be sent again in " +
          Math.round(delay / 1000) + " s.");
      setTimeout(function () { send(pending, attempt + 1); }, delay);
    });
  }

  function choose(side) {
    if (busy || shownAt === null) return;
    var elapsed = visibleMs + performance.now() - shownAt;
    busy = true;
    update();  // stops the clock, disables the buttons
    var pending = { item: current.token, side: side, response_ms: Math.max(0, Math.round(elapsed)) };
    store(pending);
    send(pending, 0);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = event.submitter;
    if (button && button.name === "side") choose(button.value);
  });

  var KEYS = { ArrowLeft: "left", "1": "left", ArrowRight: "right", "2": "right" };
  document.addEventListener("keydown", function (event) {
    if (event.repeat || event.altKey || event.ctrlKey || event.metaKey) return;
    var side = KEYS[event.key];
    if (!side) return;
    event.preventDefault();
    choose(side);
  });

  // Zooming changes devicePixelRatio: size both images again, then check they fit.
  window.addEventListener("resize", function () {
    sizeFor(images.left, current.left);
    sizeFor(images.right, current.right);
    update();
  });

  // A choice sent just before a reload or a lost connection is sent again now; the
  // server stores it once whatever happened to the first attempt (stored=false then).
  var pending = stored();
  show(current);
  if (pending && pending.item === current.token && pending.side) {
    busy = true;
    update();
    say("Sending your last choice again…");
    send(pending, 0);
  } else if (pending) {
    forget();
  }
  // The keys and buttons are live from here on (browser tests wait for this mark).
  document.body.dataset.ready = "1";
})();
