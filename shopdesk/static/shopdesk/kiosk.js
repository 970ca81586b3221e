// The operator kiosk (floor/kiosk*.html): the on-screen number pad of the badge screen, and
// the idle timer that signs the operator out and returns the tablet to the badge screen.
// The server signs the session out after the same idle time whatever this script does.
(function () {
  "use strict";

  // --- Number pad: keys type into the badge field, then the PIN field.
  var pad = document.querySelector("[data-kiosk-pad]");
  if (pad) {
    var fields = Array.prototype.slice.call(pad.querySelectorAll("[data-pad-field]"));
    var active = fields.filter(function (f) { return f.value === ""; })[0] || fields[fields.length - 1];
    fields.forEach(function (field) {
      field.addEventListener("focus", function () { active = field; });
    });
    pad.querySelectorAll("[data-key]").forEach(function (button) {
      button.addEventListener("click", function () {
        var key = button.getAttribute("data-key");
        if (!active) { return; }
        if (key === "clear") {
          active.value = "";
        } else if (key === "back") {
          active.value = active.value.slice(0, -1);
        } else if (active.value.length < (active.maxLength > 0 ? active.maxLength : 20)) {
          active.value += key;
          if (moveOn(active)) return;
        }
        active.focus({ preventScroll: true });
      });
    });
    // Six taps, not ten: a badge of the shop's badge length moves on to the PIN, and a PIN of
    // the shop's PIN length signs in (the lengths are 0 when the shop's differ: then the
    // operator taps the PIN field and "Sign in" as before).
    var badgeLength = parseInt(pad.getAttribute("data-badge-length"), 10) || 0;
    var pinLength = parseInt(pad.getAttribute("data-pin-length"), 10) || 0;
    var form = pad.querySelector("form");
    var sent = false;
    function moveOn(field) {
      if (fields.length !== 2) return false;
      if (field === fields[0] && badgeLength && field.value.length === badgeLength) {
        active = fields[1];
        fields[1].focus({ preventScroll: true });
        return true;
      }
      if (field === fields[1] && pinLength && field.value.length === pinLength &&
          fields[0].value !== "" && !sent) {
        sent = true;
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
        return true;
      }
      return false;
    }
    fields.forEach(function (field) {
      // A hardware keypad or the tablet's own keyboard types into the field directly.
      field.addEventListener("input", function (event) {
        if (event.inputType && event.inputType.indexOf("insert") === 0) moveOn(field);
      });
    });
    // Enter in the badge field moves to the PIN instead of sending half a sign-in.
    if (fields.length === 2) {
      fields[0].addEventListener("keydown", function (event) {
        if (event.key === "Enter" && fields[0].value !== "") {
          event.preventDefault();
          fields[1].focus();
        }
      });
    }
  }

  // --- Idle sign-out: any touch or key restarts the timer.
  var marker = document.querySelector("[data-kiosk-idle]");
  var signout = document.getElementById("kiosk-signout");
  var seconds = marker ? parseInt(marker.getAttribute("data-kiosk-idle"), 10) : 0;
  if (signout && seconds > 0) {
    var timer = null;
    var restart = function () {
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(function () { signout.submit(); }, seconds * 1000);
    };
    ["pointerdown", "keydown", "touchstart", "scroll"].forEach(function (name) {
      document.addEventListener(name, restart, { passive: true });
    });
    restart();
  }

  // A scanner that types the traveler link and Enter lands in the scan field by itself.
  var scan = document.getElementById("ki-scan");
  if (scan) {
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA");
      if (!typing && event.key && event.key.length === 1 && !event.ctrlKey && !event.metaKey) {
        scan.focus();
      }
    });
  }
})();
