// The live job page (jobs/detail.html).
// 1. The page polls its live regions every 10 s. A refresh would wipe what someone is typing
//    into a resolve form or close a section they opened, so a poll is skipped while a field in
//    a live region has focus or text, or a section there is open, or the tab is hidden.
// 2. The "Copy" button copies the next customer update.
(function () {
  "use strict";

  function busy() {
    if (document.hidden) return true;
    var active = document.activeElement;
    if (active && active.closest && active.closest("[data-live]") &&
        active.matches("input, textarea, select")) return true;
    if (document.querySelector("[data-live] details[open]")) return true;
    var fields = document.querySelectorAll("[data-live] textarea, [data-live] input[type=text]");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value.trim() !== "") return true;
    }
    return false;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail && event.detail.elt;
    if (source && source.hasAttribute && source.hasAttribute("data-live-poll") && busy()) {
      event.preventDefault();
    }
  });

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) return;
    var label = button.textContent;
    var copied = function (text) {
      button.textContent = text;
      window.setTimeout(function () { button.textContent = label; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.textContent.trim()).then(
        function () { copied("Copied"); },
        function () { selectText(source); copied("Press Ctrl+C"); }
      );
    } else {
      // Plain http on a shop's LAN has no clipboard API: select the text for Ctrl+C instead.
      selectText(source);
      copied("Press Ctrl+C");
    }
  });
})();
