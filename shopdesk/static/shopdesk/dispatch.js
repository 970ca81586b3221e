// The dispatch list (dispatch/dispatch.html): a supervisor with a mouse drags a ready row to its
// new place. The drop posts the same move endpoint as the buttons ("to" a position) through
// htmx, which swaps the re-rendered list in. While a row is dragged the 10 s poll is skipped,
// or the swap would pull the list from under the pointer.
(function () {
  "use strict";

  var dragged = null;

  function rowOf(target) {
    return target && target.closest ? target.closest("tr[data-move-url]") : null;
  }

  document.addEventListener("dragstart", function (event) {
    var row = rowOf(event.target);
    if (!row) return;
    dragged = row;
    row.classList.add("dp-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.getAttribute("data-operation"));
  });

  document.addEventListener("dragover", function (event) {
    var row = rowOf(event.target);
    if (!dragged || !row || row === dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    var rows = document.querySelectorAll("tr.dp-drop");
    for (var i = 0; i < rows.length; i++) rows[i].classList.remove("dp-drop");
    row.classList.add("dp-drop");
  });

  document.addEventListener("drop", function (event) {
    var row = rowOf(event.target);
    if (!dragged || !row || row === dragged) return;
    event.preventDefault();
    var source = dragged;
    window.htmx.ajax("POST", source.getAttribute("data-move-url"), {
      source: source,
      target: "#dispatch-list",
      swap: "outerHTML",
      values: { direction: "to", position: row.getAttribute("data-position") }
    });
  });

  document.addEventListener("dragend", function () {
    var rows = document.querySelectorAll("tr.dp-drop, tr.dp-dragging");
    for (var i = 0; i < rows.length; i++) rows[i].classList.remove("dp-drop", "dp-dragging");
    dragged = null;
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail && event.detail.elt;
    if (dragged && source && source.id === "dispatch-list") event.preventDefault();
  });
})();
