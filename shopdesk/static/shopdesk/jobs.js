// The live job page (jobs/detail.html).
// 1. The page polls its live regions every 10 s. A refresh would wipe what someone is typing
//    into a resolve form or close a section they opened, so a poll is skipped while a field in
//    a live region has focus or text, or a section there is open, or the tab is hidden.
// 2. The "Copy" button copies the next customer update.
// 3. The job list (jobs/list.html): ticking jobs for batch release and printing. The selection
//    is kept here, so the table's 15 s poll and paging do not lose it, and sent on submit.
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

// Batch release and printing from the job list.
(function () {
  "use strict";

  var form = document.querySelector("[data-batch-bar]");
  if (!form) return;
  // Job numbers ticked, on this page or on others.
  var selected = [];

  function boxes() {
    return document.querySelectorAll("input[data-batch-job]");
  }

  function isSelected(number) {
    return selected.indexOf(number) !== -1;
  }

  function refresh() {
    var count = selected.length;
    var onPage = boxes();
    var ticked = 0;
    for (var i = 0; i < onPage.length; i++) {
      onPage[i].checked = isSelected(onPage[i].value);
      if (onPage[i].checked) ticked++;
      var row = onPage[i].closest("tr");
      if (row) row.classList.toggle("bt-row-selected", onPage[i].checked);
    }
    var all = document.querySelector("input[data-batch-all]");
    if (all) {
      all.checked = onPage.length > 0 && ticked === onPage.length;
      all.indeterminate = ticked > 0 && ticked < onPage.length;
    }
    form.classList.toggle("bt-active", count > 0);
    // The buttons show once something is ticked (without this script they always show).
    form.classList.toggle("bt-idle", count === 0);
    var summary = form.querySelector("[data-batch-summary]");
    if (summary) {
      summary.textContent = count
        ? count + (count === 1 ? " job selected" : " jobs selected") +
          (count > ticked ? " (" + (count - ticked) + " on other pages)" : "")
        : "Tick jobs to release and print their travelers as one PDF.";
    }
    var counts = form.querySelectorAll("[data-batch-count]");
    for (var j = 0; j < counts.length; j++) counts[j].textContent = count + " selected";
    var buttons = form.querySelectorAll("[data-batch-submit]");
    for (var k = 0; k < buttons.length; k++) buttons[k].disabled = count === 0;
    var clear = form.querySelector("[data-batch-clear]");
    if (clear) clear.hidden = count === 0;
  }

  function choose(number, on) {
    var at = selected.indexOf(number);
    if (on && at === -1) selected.push(number);
    if (!on && at !== -1) selected.splice(at, 1);
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("input[data-batch-job]")) {
      choose(target.value, target.checked);
      refresh();
    } else if (target.matches && target.matches("input[data-batch-all]")) {
      var onPage = boxes();
      for (var i = 0; i < onPage.length; i++) choose(onPage[i].value, target.checked);
      refresh();
    }
  });

  form.addEventListener("click", function (event) {
    if (event.target.closest("[data-batch-clear]")) {
      selected = [];
      refresh();
    }
  });

  // The table is replaced by its poll, the filters and the pager: tick the kept selection again.
  document.body.addEventListener("htmx:afterSwap", refresh);

  form.addEventListener("submit", function (event) {
    if (!selected.length) {
      event.preventDefault();
      return;
    }
    // Ticked jobs on other pages are not in the table: send them as hidden fields.
    var stale = form.querySelectorAll("input[data-batch-hidden]");
    for (var i = 0; i < stale.length; i++) stale[i].remove();
    for (var j = 0; j < selected.length; j++) {
      var box = document.querySelector('input[data-batch-job][value="' + selected[j] + '"]');
      if (box && box.checked) continue;
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "jobs";
      hidden.value = selected[j];
      hidden.setAttribute("data-batch-hidden", "");
      form.appendChild(hidden);
    }
    // Disabled after the browser has read the pressed button, so a double click sends once.
    window.setTimeout(function () {
      var buttons = form.querySelectorAll("[data-batch-submit]");
      for (var k = 0; k < buttons.length; k++) buttons[k].disabled = true;
    }, 0);
  });

  // Boxes the browser restored on Back count as ticked.
  var restored = boxes();
  for (var i = 0; i < restored.length; i++) if (restored[i].checked) choose(restored[i].value, true);
  refresh();
})();
