/* Is the window large enough to show the largest stimulus pixel for pixel, on a computer?
 * The rating and comparison pages check it again on every item (rate.js, compare.js). */
(function () {
  "use strict";
  var box = document.getElementById("viewing-check");
  if (!box) return;
  var needW = parseInt(box.dataset.width, 10) || 0;
  var needH = parseInt(box.dataset.height, 10) || 0;
  var button = document.getElementById("start-button");

  // A phone or tablet: its only pointer is a finger (coarse) and it has no fine one
  // (mouse, trackpad, pen). A laptop with a touch screen keeps its trackpad
  // (any-pointer: fine) and passes. Window size and devicePixelRatio cannot tell: a
  // phone at devicePixelRatio 3 has the device pixels of a laptop on a hand-sized screen.
  function touchOnly() {
    return window.matchMedia("(pointer: coarse)").matches &&
      !window.matchMedia("(any-pointer: fine)").matches;
  }

  function check() {
    if (touchOnly()) {
      box.className = "notice problem";
      box.textContent = "This study needs a computer with a mouse or trackpad: it cannot be " +
        "done on a phone or tablet. Please open your link on a computer.";
      button.disabled = true;
      return;
    }
    var ratio = window.devicePixelRatio || 1;
    // Device pixels available for the image: the window less room for the buttons.
    var haveW = Math.floor((window.innerWidth - 32) * ratio);
    var haveH = Math.floor((window.innerHeight - 160) * ratio);
    if (haveW >= needW && haveH >= needH) {
      box.className = "notice";
      box.textContent = "Your window is large enough to show the images at full size.";
      button.disabled = false;
    } else {
      box.className = "notice problem";
      box.textContent = "Your window is too small to show the images at full size (" +
        needW + " × " + needH + " pixels needed, " + Math.max(0, haveW) + " × " +
        Math.max(0, haveH) + " available). Please maximise the browser window, " +
        "reset the zoom (Ctrl+0 or Cmd+0), or use a larger screen. This check updates as you resize.";
      button.disabled = true;
    }
  }
  window.addEventListener("resize", check);
  check();
})();
