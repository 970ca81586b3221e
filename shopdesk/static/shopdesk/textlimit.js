// Text limits said, not applied silently. A browser given maxlength cuts a long paste without a
// word; instead each limited textarea counts as it fills and says when it is over, the form
// refuses to send it, and the server refuses over-long text with the same reason.
(function () {
  "use strict";

  function describe(area) {
    var limit = parseInt(area.getAttribute("data-limit"), 10);
    var length = area.value.length;
    var counter = area.nextElementSibling;
    if (!counter || !counter.hasAttribute("data-limit-counter")) return;
    var over = length - limit;
    var message = "";
    if (over > 0) {
      message = over.toLocaleString() + (over === 1 ? " character" : " characters") +
        " over the " + limit.toLocaleString() + "-character limit: shorten it to save.";
    } else if (length >= limit * 0.8) {
      message = length.toLocaleString() + " of " + limit.toLocaleString() + " characters";
    }
    counter.textContent = message;
    counter.hidden = !message;
    counter.classList.toggle("tl-over", over > 0);
    area.setCustomValidity(over > 0 ? message : "");
    area.setAttribute("aria-invalid", over > 0 ? "true" : "false");
  }

  function prepare(area) {
    if (!area.hasAttribute("maxlength")) return;
    area.setAttribute("data-limit", area.getAttribute("maxlength"));
    area.removeAttribute("maxlength");
    var counter = document.createElement("span");
    counter.className = "tl-counter small";
    counter.setAttribute("data-limit-counter", "");
    counter.setAttribute("aria-live", "polite");
    counter.hidden = true;
    if (!counter.id && area.id) {
      counter.id = area.id + "-limit";
      var described = area.getAttribute("aria-describedby");
      area.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
    }
    area.insertAdjacentElement("afterend", counter);
    describe(area);
  }

  function prepareAll(root) {
    var areas = (root || document).querySelectorAll("textarea[maxlength]");
    for (var i = 0; i < areas.length; i++) prepare(areas[i]);
  }

  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("textarea[maxlength]")) prepare(event.target);
  });
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-limit]")) describe(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () { prepareAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { prepareAll(event.target); });
  if (document.readyState !== "loading") prepareAll(document);
})();
