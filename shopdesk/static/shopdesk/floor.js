// The floor page on flaky Wi-Fi: send each form with fetch, retry with the SAME client id
// (the server answers a replay with the first result, so a retry never counts twice), keep
// the button disabled while the request is out, then show the new state.
// Without this file the forms post normally and the server redirects back.
(function () {
  "use strict";

  var RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15000];
  var TRANSIENT_STATUSES = [502, 503, 504];

  function banner(id, text) {
    var element = document.getElementById(id);
    if (!element) return;
    element.textContent = text || "";
    element.hidden = !text;
  }

  function setPending(form, pending) {
    form.dataset.pending = pending ? "1" : "";
    var buttons = form.querySelectorAll("button");
    for (var i = 0; i < buttons.length; i++) {
      var button = buttons[i];
      if (pending) {
        button.dataset.label = button.textContent;
        button.textContent = "Sending…";
      } else if (button.dataset.label) {
        button.textContent = button.dataset.label;
      }
      button.disabled = pending;
    }
  }

  // Swap in the fresh page (new state, new client ids, the server's message).
  function showNewState() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error("reload failed");
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        document.title = fresh.title;
        document.body.innerHTML = fresh.body.innerHTML;
        window.scrollTo(0, 0);
      })
      .catch(function () {
        window.location.reload();
      });
  }

  function send(form, body, attempt) {
    // getAttribute: the forms have an input named "action", which shadows form.action.
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (TRANSIENT_STATUSES.indexOf(response.status) !== -1) throw new Error("transient");
        return response
          .json()
          .catch(function () {
            return { detail: "The server answered " + response.status + "; nothing was changed." };
          })
          .then(function (data) {
            if (response.ok) {
              banner("floor-status", "");
              showNewState();
              return;
            }
            setPending(form, false);
            banner("floor-status", "");
            banner("floor-error", data.detail || "That was refused; nothing was changed.");
            window.scrollTo(0, 0);
          });
      })
      .catch(function () {
        if (attempt < RETRY_DELAYS_MS.length) {
          banner("floor-status", "No connection — retrying… (it will be recorded once)");
          window.setTimeout(function () {
            send(form, body, attempt + 1);
          }, RETRY_DELAYS_MS[attempt]);
          return;
        }
        setPending(form, false);
        banner("floor-status", "");
        banner(
          "floor-error",
          "Not sent: no connection. Tap again when the Wi-Fi is back; it will be recorded once."
        );
        window.scrollTo(0, 0);
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-floor-form")) return;
    if (!window.fetch || !window.FormData) return; // very old browser: post normally
    event.preventDefault();
    if (form.dataset.pending === "1") return;
    // Read the fields before disabling the buttons, with the client id rendered into the page.
    var body = new FormData(form);
    banner("floor-error", "");
    setPending(form, true);
    send(form, body, 0);
  });
})();
