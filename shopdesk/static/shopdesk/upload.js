// Part documents: drag-and-drop several files onto a revision, choose each one's kind, and
// upload them one by one with a progress bar each. Without JavaScript the same form posts
// every chosen file at once (kind "By file type"), so nothing here is required.
(function () {
  "use strict";

  function formatSize(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + " KB";
    return (bytes / (1024 * 1024)).toFixed(1) + " MB";
  }

  function extensionOf(name) {
    var dot = name.lastIndexOf(".");
    return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
  }

  function enhance(form) {
    var input = form.querySelector('input[type="file"]');
    var drop = form.querySelector(".pr-drop");
    var queueList = form.querySelector(".pr-queue");
    var kindAll = form.querySelector(".pr-kindall");
    var submit = form.querySelector('button[type="submit"]');
    var csrf = form.querySelector('input[name="csrfmiddlewaretoken"]').value;
    var limit = parseInt(form.dataset.uploadLimit, 10) || 0;
    var limitMb = form.dataset.uploadLimitMb;
    var kindMap = JSON.parse(form.dataset.kindMap || "{}");
    var queue = [];
    var busy = false;

    form.classList.add("pr-enhanced");
    input.removeAttribute("name"); // the script sends the files; the form never posts them

    function guessKind(name) {
      if (kindAll.value !== "auto") return kindAll.value;
      return kindMap[extensionOf(name)] || "other";
    }

    function refreshButton() {
      var waiting = queue.filter(function (item) { return item.state === "waiting"; }).length;
      submit.disabled = busy || waiting === 0;
      submit.textContent = waiting > 1 ? "Upload " + waiting + " files" : "Upload";
    }

    function setState(item, state, message) {
      item.state = state;
      item.row.className = "pr-item pr-item-" + state;
      item.status.textContent = message;
      refreshButton();
    }

    function add(file) {
      var row = document.createElement("li");
      var name = document.createElement("span");
      name.className = "pr-itemname";
      name.textContent = file.name;
      var size = document.createElement("span");
      size.className = "pr-itemsize muted small";
      size.textContent = formatSize(file.size);
      var select = kindAll.cloneNode(true);
      select.removeAttribute("id");
      select.className = "pr-itemkind";
      select.setAttribute("aria-label", "Kind of " + file.name);
      select.removeChild(select.querySelector('option[value="auto"]'));
      select.value = guessKind(file.name);
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.className = "pr-bar";
      bar.setAttribute("aria-label", "Upload of " + file.name);
      var status = document.createElement("span");
      status.className = "pr-itemstatus small";
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "linkbutton pr-itemremove";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", "Remove " + file.name);
      row.append(name, size, select, bar, status, remove);
      queueList.appendChild(row);
      var item = { file: file, row: row, select: select, bar: bar, status: status, state: "waiting" };
      remove.addEventListener("click", function () {
        if (item.state === "uploading") return;
        queue.splice(queue.indexOf(item), 1);
        row.remove();
        refreshButton();
      });
      queue.push(item);
      if (file.size === 0) {
        setState(item, "refused", "The file is empty (0 bytes).");
      } else if (limit && file.size > limit) {
        setState(item, "refused", "Larger than this shop's limit of " + limitMb + " MB.");
      } else {
        setState(item, "waiting", "Ready");
      }
    }

    function addAll(files) {
      for (var i = 0; i < files.length; i++) add(files[i]);
    }

    function send(item) {
      return new Promise(function (resolve) {
        var data = new FormData();
        data.append("file", item.file, item.file.name);
        data.append("kind", item.select.value);
        var xhr = new XMLHttpRequest();
        xhr.open("POST", form.action);
        xhr.setRequestHeader("X-CSRFToken", csrf);
        xhr.setRequestHeader("Accept", "application/json");
        xhr.upload.addEventListener("progress", function (event) {
          if (event.lengthComputable) {
            item.bar.value = Math.round((event.loaded / event.total) * 100);
            item.status.textContent = item.bar.value + "%";
          }
        });
        xhr.addEventListener("load", function () {
          var body = {};
          try { body = JSON.parse(xhr.responseText); } catch (ignored) { body = {}; }
          if (xhr.status === 201) {
            item.bar.value = 100;
            var stored = (body.documents || [])[0];
            setState(item, "done", stored ? "Stored as " + stored.name : "Stored");
            resolve(true);
          } else {
            setState(item, "refused", body.detail || "Not stored (error " + xhr.status + ").");
            resolve(false);
          }
        });
        xhr.addEventListener("error", function () {
          setState(item, "refused", "Connection lost; nothing was stored. Try again.");
          item.state = "waiting";
          refreshButton();
          resolve(false);
        });
        item.select.disabled = true;
        setState(item, "uploading", "0%");
        xhr.send(data);
      });
    }

    async function uploadAll() {
      busy = true;
      refreshButton();
      var stored = 0;
      var failed = 0;
      var waiting = queue.filter(function (item) { return item.state === "waiting"; });
      for (var i = 0; i < waiting.length; i++) {
        if (await send(waiting[i])) stored++; else failed++;
      }
      busy = false;
      refreshButton();
      if (stored && !failed) {
        window.location.reload();
      } else if (stored) {
        var note = document.createElement("li");
        note.className = "pr-item pr-reload";
        var link = document.createElement("a");
        link.href = window.location.pathname;
        link.textContent = "Show the " + stored + " stored file" + (stored > 1 ? "s" : "");
        note.appendChild(link);
        queueList.appendChild(note);
      }
    }

    input.addEventListener("change", function () {
      addAll(input.files);
      input.value = "";
    });
    ["dragenter", "dragover"].forEach(function (type) {
      drop.addEventListener(type, function (event) {
        event.preventDefault();
        drop.classList.add("pr-dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      drop.addEventListener(type, function (event) {
        event.preventDefault();
        drop.classList.remove("pr-dragging");
      });
    });
    drop.addEventListener("drop", function (event) {
      if (event.dataTransfer && event.dataTransfer.files) addAll(event.dataTransfer.files);
    });
    kindAll.addEventListener("change", function () {
      queue.forEach(function (item) {
        if (item.state === "waiting") item.select.value = guessKind(item.file.name);
      });
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!busy) uploadAll();
    });
    refreshButton();
  }

  document.querySelectorAll("form.pr-upload").forEach(enhance);
})();
