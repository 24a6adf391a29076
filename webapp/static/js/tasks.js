/* The task list's manual order by drag and drop (only in sort=position, where the list
   carries data-sortable), made for fingers in Telegram's webview: a long press lifts a row
   (a haptic tap), moving reorders the rows under the finger, letting go saves the move with
   POST /api/tasks/<id>/move {"before_id"|"after_id"} — the page's own route outside
   Telegram, where there is no initData for the API. A failed move puts the row back.
   Pointer events only; the page may be swapped in by htmx, so everything is delegated. */
(function () {
  "use strict";
  if (window.HubTaskOrder) return; // pages swapped in by htmx load this script again
  window.HubTaskOrder = true;
  var HOLD_MS = 350, SLOP_PX = 8;
  var tg = window.Telegram && window.Telegram.WebApp;
  var pending = null, drag = null, swallowClick = false;

  function haptic(kind) {
    var h = tg && tg.initData && tg.HapticFeedback;
    try {
      if (h && kind === "lift") h.impactOccurred("medium");
      else if (h) h.selectionChanged();
    } catch (e) { /* an old client has none */ }
  }
  function rows(list) { return Array.prototype.slice.call(list.querySelectorAll("li.task")); }
  function taskId(row) { return row.id.replace("task-", ""); }

  function lift() {
    var row = pending.row;
    drag = { row: row, list: pending.list, parent: row.parentNode, next: row.nextElementSibling, moved: false };
    pending = null;
    row.classList.add("dragging");
    drag.list.classList.add("sorting");
    haptic("lift");
  }

  document.addEventListener("pointerdown", function (event) {
    if (event.button !== 0 || drag) return;
    var row = event.target.closest && event.target.closest("[data-sortable] li.task");
    if (!row || event.target.closest("input, select, textarea, a, .checklist")) return;
    pending = { row: row, list: row.closest("[data-sortable]"), x: event.clientX, y: event.clientY };
    pending.timer = setTimeout(lift, HOLD_MS);
  });

  document.addEventListener("pointermove", function (event) {
    if (pending && Math.abs(event.clientY - pending.y) + Math.abs(event.clientX - pending.x) > SLOP_PX) {
      clearTimeout(pending.timer); // a scroll or a swipe, not a long press
      pending = null;
    }
    if (!drag) return;
    event.preventDefault();
    var others = rows(drag.list).filter(function (r) { return r !== drag.row; });
    var before = null;
    for (var i = 0; i < others.length; i++) {
      var box = others[i].getBoundingClientRect();
      if (event.clientY < box.top + box.height / 2) { before = others[i]; break; }
    }
    var after = before ? before.previousElementSibling : others[others.length - 1];
    if (before === drag.row.nextElementSibling || after === drag.row) return; // same place
    if (before) drag.parent.insertBefore(drag.row, before);
    else if (after) drag.parent.insertBefore(drag.row, after.nextSibling);
    drag.moved = true;
    haptic("step");
  });

  // Once a row is lifted the finger moves it, not the page.
  document.addEventListener("touchmove", function (event) { if (drag) event.preventDefault(); }, { passive: false });
  document.addEventListener("contextmenu", function (event) { if (drag || pending) event.preventDefault(); });
  document.addEventListener("click", function (event) {
    if (swallowClick) { swallowClick = false; event.preventDefault(); event.stopPropagation(); }
  }, true);

  function drop(event) {
    if (pending) { clearTimeout(pending.timer); pending = null; }
    if (!drag) return;
    var d = drag;
    drag = null;
    d.row.classList.remove("dragging");
    d.list.classList.remove("sorting");
    swallowClick = event.type === "pointerup"; // the lift's own tap opens nothing
    setTimeout(function () { swallowClick = false; }, 0);
    if (!d.moved || event.type === "pointercancel") { putBack(d); return; }
    var prev = d.row.previousElementSibling, next = d.row.nextElementSibling;
    while (prev && !prev.classList.contains("task")) prev = prev.previousElementSibling;
    while (next && !next.classList.contains("task")) next = next.nextElementSibling;
    var body = prev ? { after_id: +taskId(prev) } : { before_id: +taskId(next) };
    save(d, body);
  }
  document.addEventListener("pointerup", drop);
  document.addEventListener("pointercancel", drop);

  function putBack(d) { d.parent.insertBefore(d.row, d.next && d.next.parentNode === d.parent ? d.next : null); }

  function save(d, body) {
    var initData = (tg && tg.initData) || "";
    var template = initData ? d.list.dataset.moveApi : d.list.dataset.sortable;
    var csrf = document.querySelector('meta[name="csrf-token"]');
    var headers = { "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.content : "" };
    if (initData) headers["X-Telegram-Init-Data"] = initData;
    d.row.setAttribute("aria-busy", "true");
    fetch(template.replace("/0/", "/" + taskId(d.row) + "/"), {
      method: "POST", headers: headers, body: JSON.stringify(body), credentials: "same-origin"
    }).then(function (answer) {
      if (!answer.ok) throw new Error(String(answer.status));
      d.list.dispatchEvent(new CustomEvent("hub:moved", { bubbles: true, detail: body }));
    }).catch(function () {
      putBack(d);
      document.body.dispatchEvent(new CustomEvent("hub:toast", { detail: { value: document.body.dataset.failed } }));
    }).then(function () { d.row.removeAttribute("aria-busy"); });
  }
})();
