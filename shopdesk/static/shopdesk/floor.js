// The floor page on flaky Wi-Fi. Every floor form (start, pause, finish, note, blocker) goes
// into a queue kept in localStorage, then the queue is sent oldest first, one at a time, each
// action with the client id it was given when it was queued. The server answers a replay of a
// client id with the first result, so sending an action twice never records it twice.
//
// When the network is down (or the server answers 5xx, or takes too long) the actions stay
// queued, are listed as "Pending — will send when back online", and the page shows the state
// they will make, marked pending. The queue is sent again when the browser says it is online,
// when the page loads and every 10 seconds; it stops at the first failure so order holds.
// A refusal (409, 422, 404, 403 with the server's reason) drops that action and shows why.
// Without this file the forms post normally and the server redirects back.
(function () {
  "use strict";

  var SEND_TIMEOUT_MS = 15000;
  var REPLAY_EVERY_MS = 10000;
  var REFRESH_TRIES = 6;
  var REFRESH_WAIT_MS = 1000;
  var STORAGE_PREFIX = "shopdesk.floorQueue.";
  var STATUS_LABELS = { pending: "Not started", running: "Running", paused: "Paused", done: "Done" };

  // The buttons each status offers, for a viewer on the operation ("mine") or not ("others"),
  // as the server decides them (floor.services.actions.floor_button_table): the page renders the
  // table, so a redraw while offline offers exactly what the server would.
  var buttonTable = null;
  function buttonsFor(state) {
    if (buttonTable === null) {
      var source = document.getElementById("floor-buttons");
      try {
        buttonTable = JSON.parse((source && source.textContent) || "{}") || {};
      } catch (error) {
        buttonTable = {};
      }
    }
    var byViewer = buttonTable[state.status] || {};
    return byViewer[state.mine ? "mine" : "others"] || [];
  }

  var draining = false;
  var stopReason = "";

  // --- storage ------------------------------------------------------------------------------

  function queueElement() {
    return document.getElementById("floor-queue");
  }

  // One queue per shop and signed-in person: on a shared tablet, actions are sent only in the
  // session of the person who made them, and in the order they were made across operations.
  function storageKey() {
    var element = queueElement();
    if (!element || !element.dataset.queueShop || !element.dataset.queueUser) return null;
    return STORAGE_PREFIX + element.dataset.queueShop + "." + element.dataset.queueUser;
  }

  function storageWorks() {
    try {
      var probe = STORAGE_PREFIX + "probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return true;
    } catch (error) {
      return false;
    }
  }

  function loadQueue() {
    var key = storageKey();
    if (!key) return [];
    try {
      var items = JSON.parse(window.localStorage.getItem(key) || "[]");
      return Array.isArray(items) ? items : [];
    } catch (error) {
      return [];
    }
  }

  function saveQueue(items) {
    var key = storageKey();
    if (!key) return false;
    try {
      if (items.length) window.localStorage.setItem(key, JSON.stringify(items));
      else window.localStorage.removeItem(key);
      return true;
    } catch (error) {
      return false;
    }
  }

  function removeFromQueue(clientId) {
    saveQueue(
      loadQueue().filter(function (item) {
        return item.id !== clientId;
      })
    );
  }

  function newClientId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    var hex = "";
    for (var i = 0; i < bytes.length; i++) hex += (bytes[i] + 256).toString(16).slice(1);
    return "fl-" + hex;
  }

  // --- page bits ----------------------------------------------------------------------------

  function banner(id, text) {
    var element = document.getElementById(id);
    if (!element) return;
    element.textContent = text || "";
    element.hidden = !text;
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function pageJob() {
    var element = queueElement();
    return element ? element.dataset.job : "";
  }

  function viewer() {
    var element = queueElement();
    return {
      id: element ? String(element.dataset.queueUser || "") : "",
      name: element ? element.dataset.viewerName || "" : "",
    };
  }

  function setSending(form, sending) {
    form.dataset.pending = sending ? "1" : "";
    var buttons = form.querySelectorAll("button");
    for (var i = 0; i < buttons.length; i++) {
      var button = buttons[i];
      if (sending) {
        button.dataset.label = button.textContent;
        button.textContent = "Sending…";
      } else if (button.dataset.label) {
        button.textContent = button.dataset.label;
      }
      button.disabled = sending;
    }
  }

  function describe(form, fields) {
    var get = function (name) {
      for (var i = 0; i < fields.length; i++) if (fields[i][0] === name) return fields[i][1];
      return "";
    };
    var action = get("action");
    var opBox = document.querySelector('[data-floor-op="' + get("operation") + '"]');
    var opLabel = opBox ? "op " + opBox.dataset.opSeq + " " + opBox.dataset.opName : "the job";
    if (form.getAttribute("action").indexOf("/floor/blocker/") !== -1) {
      var kind = form.querySelector("input[name=kind]:checked");
      var kindLabel = kind && kind.nextElementSibling ? kind.nextElementSibling.textContent : "";
      return { action: "blocker", label: "Blocker: " + (kindLabel || get("kind")) };
    }
    // The state the operation will be in when this is sent (pending actions included).
    var running = opBox && opBox.dataset.opStatus === "running";
    var mine = opBox && opBox.dataset.opMine === "1";
    if (action === "start") {
      return { action: action, label: (running && !mine ? "Join " : "Start ") + opLabel };
    }
    if (action === "pause") {
      return {
        action: action,
        label: "Pause " + opLabel + (running && !mine ? " for everyone" : ""),
      };
    }
    if (action === "finish") {
      return {
        action: action,
        label:
          "Finish " + opLabel + ": " + (get("qty_good") || "0") + " good, " +
          (get("qty_scrap") || "0") + " scrap",
      };
    }
    var note = get("note");
    return {
      action: action,
      label: "Note on " + opLabel + ": " + (note.length > 60 ? note.slice(0, 59) + "…" : note),
    };
  }

  // --- the pending state, drawn over the page the server rendered ----------------------------

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text) node.textContent = text;
    return node;
  }

  function hidden(name, value) {
    return element("input", { type: "hidden", name: name, value: value });
  }

  function actionForm(box, action) {
    var form = element("form", {
      method: "post",
      action: box.dataset.actionUrl,
      "data-floor-form": "",
    });
    form.appendChild(hidden("csrfmiddlewaretoken", csrfToken()));
    form.appendChild(hidden("client_id", newClientId()));
    form.appendChild(hidden("operation", box.dataset.floorOp));
    form.appendChild(hidden("action", action));
    form.appendChild(hidden("next", box.dataset.backUrl || ""));
    return form;
  }

  function quantityField(box, name, label, value) {
    var id = name.replace("qty_", "") + "-" + box.dataset.floorOp;
    var wrap = element("div");
    wrap.appendChild(element("label", { for: id }, label));
    var attributes = {
      class: "fl-qty",
      id: id,
      name: name,
      type: "number",
      inputmode: "numeric",
      pattern: "[0-9]*",
      min: "0",
      max: box.dataset.opAvailable,
      step: "1",
    };
    if (value === null) {
      attributes.required = "";
      attributes.placeholder = "0";
    } else {
      attributes.value = value;
    }
    wrap.appendChild(element("input", attributes));
    return wrap;
  }

  // The buttons an operation offers in the state its pending actions will give it.
  function drawButtons(box, state) {
    var seq = box.dataset.opSeq;
    var allowed = buttonsFor(state);
    while (box.firstChild) box.removeChild(box.firstChild);
    allowed.forEach(function (kind) {
      if (kind !== "finish") {
        var send = kind === "start" || kind === "join" ? "start" : "pause";
        var form = actionForm(box, send);
        var button;
        if (kind === "start") {
          button = element(
            "button",
            { type: "submit", class: "primary fl-start" },
            (state.status === "paused" ? "Resume" : "Start") + " op " + seq
          );
        } else if (kind === "join") {
          button = element(
            "button",
            { type: "submit", class: "primary fl-start fl-join" },
            "Join op " + seq
          );
        } else if (kind === "pause_all") {
          button = element(
            "button",
            { type: "submit", class: "secondary fl-pause fl-pauseall" },
            "Pause for everyone"
          );
        } else {
          button = element("button", { type: "submit", class: "secondary fl-pause" }, "Pause");
        }
        form.appendChild(button);
        box.appendChild(form);
        return;
      }
      var details = element("details", { class: "fl-finish" });
      details.appendChild(
        element("summary", { class: "fl-summarybutton fl-finishbutton" }, "Finish op " + seq)
      );
      var finish = actionForm(box, "finish");
      finish.classList.add("fl-finishform");
      var quantities = element("div", { class: "qty" });
      quantities.appendChild(quantityField(box, "qty_good", "Good", null));
      quantities.appendChild(quantityField(box, "qty_scrap", "Scrap", "0"));
      finish.appendChild(quantities);
      finish.appendChild(
        element("p", { class: "fl-hint" }, box.dataset.opAvailable + " parts reached this operation.")
      );
      var noteId = "finish-note-" + box.dataset.floorOp;
      var noteLabel = element("label", { for: noteId }, "Note ");
      noteLabel.appendChild(element("span", { class: "fl-optional" }, "(optional)"));
      finish.appendChild(noteLabel);
      finish.appendChild(
        element("textarea", { id: noteId, name: "note", rows: "2", maxlength: "2000" })
      );
      finish.appendChild(
        element("button", { type: "submit", class: "primary fl-confirm" }, "Finish with these counts")
      );
      details.appendChild(finish);
      box.appendChild(details);
    });
  }

  // Who is on the operation, as the server rendered it (before any pending action).
  function serverState(box) {
    if (box.dataset.serverStatus === undefined) {
      box.dataset.serverStatus = box.dataset.opStatus;
      box.dataset.serverMine = box.dataset.opMine || "0";
    }
    var people = [];
    var onIt = document.querySelector('[data-onit="' + box.dataset.floorOp + '"]');
    try {
      people = JSON.parse((onIt && onIt.dataset.opPeople) || "[]");
    } catch (error) {
      people = [];
    }
    return {
      status: box.dataset.serverStatus,
      mine: box.dataset.serverMine === "1",
      people: Array.isArray(people) ? people : [],
    };
  }

  // The state an action will leave the operation in, as the service does it: a start puts the
  // viewer on it; a pause takes the viewer off (the operation runs on while others are on it),
  // or everyone when the viewer was not on it; a finish takes everyone off. Null: no change.
  function stateAfter(state, action) {
    var me = viewer();
    var notMe = function (person) {
      return String(person.id) !== me.id;
    };
    if (action === "start") {
      var people = state.people.filter(notMe);
      people.push({ id: me.id, name: me.name });
      return { status: "running", mine: true, people: state.mine ? state.people : people };
    }
    if (action === "pause") {
      var left = state.mine ? state.people.filter(notMe) : [];
      return { status: left.length ? "running" : "paused", mine: false, people: left };
    }
    if (action === "finish") return { status: "done", mine: false, people: [] };
    return null;
  }

  function names(people) {
    return people
      .map(function (person) {
        return person.name;
      })
      .join(", ");
  }

  function drawOnIt(box, state) {
    var onIt = document.querySelector('[data-onit="' + box.dataset.floorOp + '"]');
    if (!onIt) return;
    while (onIt.firstChild) onIt.removeChild(onIt.firstChild);
    onIt.hidden = state.status !== "running" && !state.people.length;
    onIt.appendChild(
      element(
        "p",
        { class: "fl-onitnames" },
        state.people.length ? "On it: " + names(state.people) : "Nobody is on it now."
      )
    );
    var me = viewer();
    var others = state.people.filter(function (person) {
      return String(person.id) !== me.id;
    });
    if (state.mine && others.length) {
      onIt.appendChild(
        element(
          "p",
          { class: "fl-hint" },
          "Pause stops only your time: op " + box.dataset.opSeq + " keeps running with " +
            names(others) + "."
        )
      );
    }
  }

  function markOperation(box, state, item) {
    box.dataset.opStatus = state.status;
    box.dataset.opMine = state.mine ? "1" : "0";
    var card = document.getElementById("op-" + box.dataset.floorOp);
    if (!card) return;
    card.classList.add("fl-haspending");
    var badge = card.querySelector(".fl-badge");
    if (badge) {
      badge.textContent = (STATUS_LABELS[state.status] || state.status) + " · pending";
      badge.className = "badge fl-badge fl-pendingbadge";
    }
    showCounts(item);
  }

  // A finish shows its good and scrap counts on the card.
  function showCounts(item) {
    var card = document.getElementById("op-" + item.operation);
    if (!card || item.action !== "finish") return;
    var fields = {};
    item.fields.forEach(function (pair) {
      fields[pair[0]] = pair[1];
    });
    var good = card.querySelector('[data-count="good"]');
    var scrap = card.querySelector('[data-count="scrap"]');
    if (good) good.textContent = fields.qty_good || "0";
    if (scrap) scrap.textContent = fields.qty_scrap || "0";
  }

  // Walk this job's actions in order over the server's state: each(box, state after, item)
  // for every action that changes its operation; answers {operation: {box, state}} with each
  // operation's last state.
  function walkActions(items, each) {
    var job = pageJob();
    var touched = {};
    items.forEach(function (item) {
      if (item.job !== job) return;
      var box = document.querySelector('[data-floor-op="' + item.operation + '"]');
      if (!box) return;
      var before = touched[item.operation] ? touched[item.operation].state : serverState(box);
      var after = stateAfter(before, item.action);
      if (!after) return;
      touched[item.operation] = { box: box, state: after };
      each(box, after, item);
    });
    return touched;
  }

  // Apply this job's queued actions, in order, over the server's state. Safe to repeat: each
  // time it starts again from the state the server rendered.
  function drawPendingState(items) {
    var touched = walkActions(items, markOperation);
    Object.keys(touched).forEach(function (operation) {
      drawButtons(touched[operation].box, touched[operation].state);
      drawOnIt(touched[operation].box, touched[operation].state);
    });
  }

  function timeOf(created) {
    var date = new Date(created);
    if (isNaN(date.getTime())) return "";
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
  }

  function drawQueue() {
    var items = loadQueue();
    var section = queueElement();
    var count = document.getElementById("floor-queue-count");
    if (count) {
      count.textContent = items.length + " pending";
      count.hidden = !items.length;
    }
    if (!section) return items;
    section.hidden = !items.length;
    var title = document.getElementById("floor-queue-title");
    if (title) {
      title.textContent =
        stopReason === "signin"
          ? "Pending — sign in again to send"
          : draining && navigator.onLine
            ? "Pending — sending now…"
            : "Pending — will send when back online";
    }
    var list = document.getElementById("floor-queue-list");
    if (!list) return items;
    while (list.firstChild) list.removeChild(list.firstChild);
    var job = pageJob();
    items.forEach(function (item) {
      var row = element("li", { class: "fl-queueitem", "data-client-id": item.id });
      var what = element("span", { class: "fl-queuewhat" });
      what.textContent = (item.job !== job ? item.job + " · " : "") + item.label;
      row.appendChild(what);
      row.appendChild(element("span", { class: "fl-queuewhen" }, "Pending · " + timeOf(item.created)));
      list.appendChild(row);
    });
    return items;
  }

  // Actions the server has applied while the fresh page could not be fetched: their cards
  // show the state those actions made, without the pending mark, and that state becomes the
  // one later pending actions are drawn over. Refused actions are left out: the fresh page,
  // when it comes, shows what the server has.
  function markSent(applied) {
    var touched = walkActions(applied, function (box, state, item) {
      showCounts(item);
    });
    Object.keys(touched).forEach(function (operation) {
      var box = touched[operation].box;
      var state = touched[operation].state;
      box.dataset.serverStatus = box.dataset.opStatus = state.status;
      box.dataset.serverMine = box.dataset.opMine = state.mine ? "1" : "0";
      var onIt = document.querySelector('[data-onit="' + operation + '"]');
      if (onIt) onIt.dataset.opPeople = JSON.stringify(state.people);
      var card = document.getElementById("op-" + operation);
      var badge = card && card.querySelector(".fl-badge");
      if (card) card.classList.remove("fl-haspending");
      if (badge) {
        badge.textContent = STATUS_LABELS[state.status] || state.status;
        badge.className = "badge fl-badge";
      }
      drawButtons(box, state);
      drawOnIt(box, state);
    });
    resetSendingForms();
  }

  // Swap in the fresh page (new state, new client ids), then draw what is still pending. The
  // network can fail again just after a send: the fetch is tried again a few times, and until
  // it works the page shows what was sent without the pending mark.
  function showNewState(refusals, applied) {
    var tries = 0;
    var finish = function () {
      var items = drawQueue();
      drawPendingState(items);
      // Shown again over the fresh page when it replaces the drawn one.
      if (refusals.length) {
        banner("floor-error", refusals.join(" "));
        window.scrollTo(0, 0);
      }
    };
    var attempt = function () {
      tries += 1;
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
          finish();
        })
        .catch(function () {
          if (tries === 1) {
            markSent(applied);
            finish();
          }
          if (tries < REFRESH_TRIES && !loadQueue().length) {
            window.setTimeout(attempt, REFRESH_WAIT_MS * tries);
          }
        });
    };
    attempt();
  }

  // --- sending ------------------------------------------------------------------------------

  // Resolves to {outcome: "applied" | "refused" | "offline" | "signin", detail}.
  function sendOne(item) {
    var body = new FormData();
    item.fields.forEach(function (pair) {
      body.append(pair[0], pair[1]);
    });
    body.set("client_id", item.id);
    // The token of this page: the session may have been renewed since the action was queued.
    body.set("csrfmiddlewaretoken", csrfToken());
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller
      ? window.setTimeout(function () {
          controller.abort();
        }, SEND_TIMEOUT_MS)
      : null;
    return fetch(item.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual", // a redirect here is the sign-in page, not an answer
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      signal: controller ? controller.signal : undefined,
    }).then(
      function (response) {
        window.clearTimeout(timer);
        if (response.type === "opaqueredirect" || response.status === 0) {
          return { outcome: "signin" };
        }
        if (response.status >= 500 || response.status === 408 || response.status === 429) {
          return { outcome: "offline" };
        }
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          // A CSRF failure page (the session changed) or a proxy's page: keep the action.
          return { outcome: response.status === 403 ? "signin" : "offline" };
        }
        return response.json().then(
          function (data) {
            if (response.ok) return { outcome: "applied", detail: data.detail || "" };
            return {
              outcome: "refused",
              detail: data.detail || "That was refused; nothing was changed.",
            };
          },
          function () {
            return { outcome: "offline" };
          }
        );
      },
      function () {
        window.clearTimeout(timer);
        return { outcome: "offline" };
      }
    );
  }

  // Send the queue oldest first, one at a time; stop at the first failure, keeping the rest.
  function drain() {
    if (draining || !storageKey()) return;
    if (!loadQueue().length) {
      stopReason = "";
      drawQueue();
      return;
    }
    draining = true;
    drawQueue();
    var changed = false;
    var refusals = [];
    var applied = [];
    var step = function () {
      var items = loadQueue();
      if (!items.length) return Promise.resolve("");
      var item = items[0];
      return sendOne(item).then(function (result) {
        if (result.outcome === "applied" || result.outcome === "refused") {
          removeFromQueue(item.id);
          changed = true;
          if (result.outcome === "refused") {
            refusals.push("Not recorded: " + item.label + " — " + result.detail);
          } else {
            applied.push(item);
          }
          return step();
        }
        return result.outcome;
      });
    };
    step().then(function (reason) {
      draining = false;
      stopReason = reason;
      banner(
        "floor-status",
        reason === "signin"
          ? "You were signed out: sign in again on this device to send the pending actions."
          : ""
      );
      if (changed) {
        showNewState(refusals, applied);
        return;
      }
      var items = drawQueue();
      // The first try of a fresh action failed: show it pending, with the state it will make.
      resetSendingForms();
      drawPendingState(items);
    });
  }

  function resetSendingForms() {
    var forms = document.querySelectorAll("form[data-floor-form]");
    for (var i = 0; i < forms.length; i++) {
      if (forms[i].dataset.pending !== "1") continue;
      setSending(forms[i], false);
      clearForm(forms[i]);
    }
  }

  function clearForm(form) {
    var texts = form.querySelectorAll("textarea");
    for (var i = 0; i < texts.length; i++) texts[i].value = "";
    var kinds = form.querySelectorAll("input[type=radio]");
    for (var j = 0; j < kinds.length; j++) kinds[j].checked = false;
    var details = form.closest("details");
    if (details) details.open = false;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-floor-form")) return;
    if (!window.fetch || !window.FormData || !window.crypto || !storageKey() || !storageWorks()) {
      return; // post normally
    }
    event.preventDefault();
    if (form.dataset.pending === "1") return;
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") fields.push([name, value]);
    });
    var about = describe(form, fields);
    var item = {
      id: newClientId(), // made now, kept for every retry of this action
      url: form.getAttribute("action"), // the forms have an input named "action"
      fields: fields,
      job: pageJob(),
      operation: (fields.filter(function (pair) { return pair[0] === "operation"; })[0] || [])[1] || "",
      action: about.action,
      label: about.label,
      created: new Date().toISOString(),
    };
    var items = loadQueue();
    var waiting = items.length > 0 || navigator.onLine === false;
    items.push(item);
    if (!saveQueue(items)) {
      banner("floor-error", "This device cannot store the action; it was not sent. Try again.");
      return;
    }
    banner("floor-error", "");
    if (waiting) {
      // Older actions are still waiting: this one waits behind them, shown pending at once.
      clearForm(form);
      var queued = drawQueue();
      drawPendingState(queued);
    } else {
      setSending(form, true);
    }
    drain();
  });

  // The service worker keeps this page openable on a reload without network (a plus: the
  // queue works without it).
  function registerWorker() {
    var section = queueElement();
    if (!section || !section.dataset.swUrl || !("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register(section.dataset.swUrl, { scope: "/" }).catch(function () {});
  }

  function start() {
    var items = drawQueue();
    drawPendingState(items);
    registerWorker();
    drain();
  }

  window.addEventListener("online", drain);
  window.addEventListener("offline", drawQueue);
  window.setInterval(drain, REPLAY_EVERY_MS);
  // Another tab of this device sent or queued actions: show the same queue here.
  window.addEventListener("storage", function (event) {
    if (event.key === storageKey()) drawQueue();
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
