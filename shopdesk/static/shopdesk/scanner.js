// Scanning travelers without leaving ShopDesk.
// 1. The scan page (floor/scan.html): the camera reads a traveler's QR code with the browser's
//    BarcodeDetector, for devices whose camera app does not open links. Only a traveler link
//    on this site or a bare token is followed; anything else is named "Not a ShopDesk traveler".
// 2. Every page that loads this file: a USB or Bluetooth barcode scanner "types" the traveler
//    link fast and ends with Enter. Typing that fast, with no field focused, opens the link
//    through the scan page, which checks it on the server.
(function () {
  "use strict";

  var TOKEN_PATTERN = /^[A-Za-z0-9_-]{8,40}$/;
  var TRAVELER_PATH = /^\/t\/[A-Za-z0-9_-]{8,40}\/?$/;
  var NOT_A_TRAVELER = "Not a ShopDesk traveler. Scan the QR code on a traveler printed by this shop.";
  // A scanner sends a key every few milliseconds; people rarely type faster than 80 ms a key.
  var WEDGE_GAP_MS = 80;
  var WEDGE_MIN_LENGTH = 8;
  var DETECT_EVERY_MS = 250;

  function scanUrl() {
    var camera = document.getElementById("scan-camera");
    if (camera && camera.dataset.scanUrl) return camera.dataset.scanUrl;
    var link = document.querySelector("[data-scan-link]");
    return link ? link.getAttribute("href") : "/jobs/scan/";
  }

  // Where a decoded or typed code leads, or null when it is not a ShopDesk traveler.
  function travelerTarget(code) {
    code = (code || "").trim();
    if (!code || code.length > 2048) return null;
    if (TOKEN_PATTERN.test(code)) return scanUrl() + "?code=" + encodeURIComponent(code);
    var url;
    try {
      url = new URL(code, window.location.href);
    } catch (error) {
      return null;
    }
    if (url.origin !== window.location.origin) return null;
    if (!/^\/|^https?:/i.test(code)) return null; // a relative word is not a link
    if (!TRAVELER_PATH.test(url.pathname)) return null;
    return url.pathname;
  }

  // --- keyboard-wedge scanners ----------------------------------------------------------------

  function typingInAField() {
    var active = document.activeElement;
    if (!active || active === document.body) return false;
    var tag = active.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || active.isContentEditable;
  }

  var typed = "";
  var lastKeyAt = 0;
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || typingInAField()) {
      typed = "";
      return;
    }
    var now = Date.now();
    if (now - lastKeyAt > WEDGE_GAP_MS) typed = "";
    lastKeyAt = now;
    if (event.key === "Enter") {
      var code = typed;
      typed = "";
      if (code.length < WEDGE_MIN_LENGTH) return;
      var target = travelerTarget(code);
      event.preventDefault();
      if (target) {
        window.location.assign(target);
      } else {
        // Let the server say plainly what was wrong with the code.
        window.location.assign(scanUrl() + "?code=" + encodeURIComponent(code));
      }
      return;
    }
    if (event.key && event.key.length === 1) typed += event.key;
  });

  // --- the camera, on the scan page ---------------------------------------------------------

  var camera = document.getElementById("scan-camera");
  if (!camera) return;
  var statusLine = document.getElementById("scan-camera-status");
  var startButton = document.getElementById("scan-camera-start");
  var stopButton = document.getElementById("scan-camera-stop");
  var viewer = document.getElementById("scan-viewer");
  var video = document.getElementById("scan-video");
  var errorBanner = document.getElementById("scan-error");
  var stream = null;
  var timer = null;

  function say(text) {
    statusLine.textContent = text;
  }

  function showError(text) {
    errorBanner.textContent = text || "";
    errorBanner.hidden = !text;
  }

  function stopCamera() {
    if (timer) window.clearTimeout(timer);
    timer = null;
    if (stream) {
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
    }
    stream = null;
    video.srcObject = null;
    viewer.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
  }

  var cameraPossible =
    "BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
  if (!cameraPossible) {
    say(
      "This browser cannot read QR codes inside the page. Use the phone's camera app, " +
        "or type or scan the code below."
    );
    return;
  }

  function detectLoop(detector) {
    if (!stream) return;
    detector
      .detect(video)
      .then(function (codes) {
        if (!stream) return;
        for (var i = 0; i < codes.length; i++) {
          var target = travelerTarget(codes[i].rawValue);
          if (target) {
            say("Traveler found — opening it…");
            stopCamera();
            window.location.assign(target);
            return;
          }
        }
        if (codes.length) showError(NOT_A_TRAVELER);
        timer = window.setTimeout(function () {
          detectLoop(detector);
        }, DETECT_EVERY_MS);
      })
      .catch(function () {
        timer = window.setTimeout(function () {
          detectLoop(detector);
        }, DETECT_EVERY_MS);
      });
  }

  function startCamera() {
    var detector;
    try {
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    } catch (error) {
      say("This browser cannot read QR codes inside the page. Type or scan the code below.");
      startButton.hidden = true;
      return;
    }
    showError("");
    say("Starting the camera…");
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        viewer.hidden = false;
        startButton.hidden = true;
        stopButton.hidden = false;
        return video.play();
      })
      .then(function () {
        say("Point the camera at the QR code on the traveler.");
        detectLoop(detector);
      })
      .catch(function (error) {
        stopCamera();
        say(
          error && error.name === "NotAllowedError"
            ? "The camera is blocked for this site. Allow it in the browser settings, or type or scan the code below."
            : "No camera could be opened. Type or scan the code below."
        );
      });
  }

  window.BarcodeDetector.getSupportedFormats()
    .then(function (formats) {
      if (formats.indexOf("qr_code") === -1) {
        say("This device cannot read QR codes inside the page. Type or scan the code below.");
        return;
      }
      say("Tap the button and point the camera at the traveler's QR code.");
      startButton.hidden = false;
    })
    .catch(function () {
      say("This browser cannot read QR codes inside the page. Type or scan the code below.");
    });
  startButton.addEventListener("click", startCamera);
  stopButton.addEventListener("click", stopCamera);
  window.addEventListener("pagehide", stopCamera);
})();
