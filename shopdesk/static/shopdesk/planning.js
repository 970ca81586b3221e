// Planning pages (new job, job edit, routing editor). Everything here is a convenience:
// without this file the forms post normally and the server redirects back.
(function () {
  "use strict";

  // htmx leaves 4xx answers unswapped by default; ours carry the form with its errors
  // (422) or the reason an action was refused (409), so show them in place.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 409 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // A form marked data-submit-once sends once; the server also refuses a replayed form id.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-submit-once")) return;
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    var buttons = form.querySelectorAll("button[type=submit]");
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
  });

  function renumberRows(body) {
    var rows = body.querySelectorAll("tr");
    for (var i = 0; i < rows.length; i++) {
      var seq = rows[i].querySelector(".pl-seq");
      if (seq) seq.textContent = String(i + 1);
    }
  }

  // The new-job routing rows: "+ Add row" appends a copy of the formset's empty form.
  function setUpRoutingRows() {
    var button = document.getElementById("add-routing-row");
    var template = document.getElementById("routing-row-template");
    var body = document.getElementById("routing-rows");
    var total = document.getElementById("id_ops-TOTAL_FORMS");
    var maxForms = document.getElementById("id_ops-MAX_NUM_FORMS");
    if (!button || !template || !body || !total) return;
    button.hidden = false;
    var hint = document.getElementById("routing-row-hint");
    if (hint) hint.hidden = true;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      if (maxForms && index >= parseInt(maxForms.value, 10)) return;
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      body.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      renumberRows(body);
      var select = body.lastElementChild && body.lastElementChild.querySelector("select");
      if (select) select.focus();
    });
  }

  // Show what a blank operation name will become: the chosen work center's name.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.name || !/(^|-)work_center$/.test(select.name)) return;
    var nameInput = select.form && select.form.elements[select.name.replace(/work_center$/, "name")];
    if (!nameInput) return;
    var option = select.options[select.selectedIndex];
    nameInput.placeholder = option && option.value ? option.text : "Work center's name";
  });

  // Show the revision a new job gets when the revision field is left blank.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.id !== "id_part") return;
    var revision = document.getElementById("id_revision");
    var option = select.options[select.selectedIndex];
    if (revision && option) {
      revision.placeholder = option.dataset.revision ? "Rev " + option.dataset.revision + " (current)" : "";
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpRoutingRows);
  } else {
    setUpRoutingRows();
  }

  // A due date already past is accepted (a job entered after the fact) but said before saving;
  // the server says it again on the job's page.
  function pastDueHint(input) {
    var hint = input.parentNode.querySelector("[data-past-due]");
    if (!hint) {
      hint = document.createElement("p");
      hint.className = "small pl-warn";
      hint.setAttribute("data-past-due", "");
      hint.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", hint);
    }
    var now = new Date();
    var today = now.getFullYear() + "-" + String(now.getMonth() + 1).padStart(2, "0") + "-" +
      String(now.getDate()).padStart(2, "0");
    var past = input.value && input.value < today;
    hint.textContent = past ? "That date has passed: the job will be late from the start." : "";
    hint.hidden = !past;
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[name=due_date]")) pastDueHint(event.target);
  });
  var due = document.querySelector("input[name=due_date]");
  if (due && due.value) pastDueHint(due);
})();
