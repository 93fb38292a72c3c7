// The staff calendar's enhancements: click a free time to book it in a
// panel, drag a visit (or press v and the arrow keys) to move it, status
// keys with undo, shortcuts, and frontdesk.refresh() for live updates. The
// server-rendered page works without any of it.
(function () {
  "use strict";
  var root = function () { return document.getElementById("calendar"); };
  if (!root()) { return; }
  var msg = document.getElementById("cal-message");
  var csrf = root().getAttribute("data-csrf") || "";
  var zone = root().getAttribute("data-zone") || undefined;
  var undo = null; // {id, status, version, patient}: the last status change

  // say shows a message above the calendar; action adds a button to it.
  function say(text, bad, action) {
    msg.textContent = text;
    msg.classList.toggle("bad", !!bad);
    if (action) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "secondary"; b.textContent = action.label;
      b.addEventListener("click", action.run);
      msg.append(" ", b);
    }
  }

  function clock(iso) {
    return new Date(iso).toLocaleTimeString("en-US", { hour: "numeric", minute: "2-digit", timeZone: zone });
  }
  function hhmmLabel(hhmm) {
    var h = +hhmm.slice(0, 2), m = hhmm.slice(3, 5);
    return (h % 12 || 12) + ":" + m + (h < 12 ? " AM" : " PM");
  }

  // refresh replaces the calendar with the server's current one, keeping
  // the scroll position and the focused visit. i20b's live stream calls it.
  var refreshing = null, again = null;
  function refresh() {
    // A refresh asked for while one is on its way may need newer data than
    // that one fetched: run one more after it (only one).
    if (refreshing) {
      if (!again) { again = refreshing.then(function () { again = null; return refresh(); }); }
      return again;
    }
    var focused = document.activeElement && document.activeElement.closest && document.activeElement.closest(".visit");
    var focusID = focused ? focused.id : "";
    var sx = window.scrollX, sy = window.scrollY;
    var wrap = document.getElementById("cal-scroll"), wx = wrap ? wrap.scrollLeft : 0;
    refreshing = fetch(window.location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("calendar");
        if (!fresh) { return; }
        root().replaceWith(document.importNode(fresh, true));
        var w = document.getElementById("cal-scroll");
        if (w) { w.scrollLeft = wx; }
        window.scrollTo(sx, sy);
        if (focusID && document.getElementById(focusID)) { document.getElementById(focusID).focus({ preventScroll: true }); }
        document.dispatchEvent(new CustomEvent("frontdesk:refreshed"));
      })
      .catch(function () { say("The calendar could not be refreshed; reload the page.", true); })
      .finally(function () { refreshing = null; });
    return refreshing;
  }
  window.frontdesk = window.frontdesk || {};
  window.frontdesk.refresh = refresh;
  window.frontdesk.calendar = "calendar"; // the element refresh replaces

  // post sends a form to the staff pages, asking for a JSON answer.
  function post(path, fields) {
    var body = new URLSearchParams(fields);
    body.set("csrf_token", csrf);
    return fetch(path, { method: "POST", body: body, credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRF-Token": csrf } })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, status: r.status, body: j }; }); });
  }

  // problem words a refusal: who is in the way of a move, or that the
  // page was stale (then the calendar is refreshed).
  function problem(p) {
    var text = "Not changed: " + (p.detail || "the server refused.");
    if (p.visits && p.visits.length) {
      text += " In the way: " + p.visits.map(function (v) {
        return v.patient + " " + clock(v.start) + "–" + clock(v.end);
      }).join("; ") + ".";
    }
    return text;
  }
  function refused(p) {
    say(problem(p), true);
    if (p.type === "urn:frontdesk:problem:stale") { refresh(); }
  }

  // --- Status with undo -------------------------------------------------
  var statusWords = { confirmed: "Confirmed", arrived: "Arrived", completed: "Completed", no_show: "No-show" };
  function setStatus(card, status) {
    var id = card.getAttribute("data-id"), patient = card.getAttribute("data-patient");
    return post("/staff/bookings/" + id + "/status", { status: status, version: card.getAttribute("data-version") }).then(function (r) {
      if (!r.ok) { refused(r.body); return; }
      var b = r.body.booking;
      if (b.previous_status && b.previous_status !== b.status) {
        undo = { id: id, status: b.previous_status, version: b.version, patient: patient };
      }
      say(patient + ": " + statusWords[b.status] + ".", false, undo && undo.id === id ? { label: "Undo (u)", run: undoLast } : null);
      return refresh();
    });
  }
  function undoLast() {
    if (!undo) { say("Nothing to undo."); return; }
    var u = undo;
    undo = null;
    post("/staff/bookings/" + u.id + "/status", { status: u.status, version: u.version }).then(function (r) {
      if (!r.ok) { refused(r.body); return; }
      say(u.patient + ": back to " + statusWords[u.status] + ".");
      refresh().then(function () { var c = document.getElementById("v-" + u.id); if (c) { c.focus(); } });
    });
  }

  // --- Moving a visit ------------------------------------------------------
  // A move has a card, a column head and a start in minutes after midnight.
  function grid() { return document.getElementById("cal-grid"); }
  function heads() {
    return Array.prototype.filter.call(document.querySelectorAll("#cal-grid .colhead"), function (h) { return h.getAttribute("data-practitioner"); });
  }
  function startMin() { return +grid().getAttribute("data-start-min"); }
  function minutesOf(hhmm) { return +hhmm.slice(0, 2) * 60 + +hhmm.slice(3, 5); }
  function hhmm(m) { return String(Math.floor(m / 60)).padStart(2, "0") + ":" + String(m % 60).padStart(2, "0"); }
  function headOf(card) {
    var col = card.style.gridColumnStart;
    return heads().filter(function (h) { return h.getAttribute("data-col") === String(col); })[0];
  }

  var move = null; // {card, head, min, ghost, keyboard}
  function startMove(card, keyboard) {
    var head = headOf(card);
    if (!head) { return null; }
    var g = document.createElement("div");
    g.className = "ghost";
    g.setAttribute("aria-hidden", "true");
    grid().append(g);
    move = { card: card, head: head, min: minutesOf(card.getAttribute("data-time")), ghost: g, keyboard: keyboard };
    card.classList.add(keyboard ? "moving" : "dragging");
    drawGhost();
    return move;
  }
  function drawGhost() {
    var len = +move.card.getAttribute("data-minutes");
    var row = 2 + Math.floor((move.min - startMin()) / 15);
    var end = Math.max(row + 1, 2 + Math.ceil((move.min + len - startMin()) / 15));
    move.ghost.style.gridRow = row + " / " + end;
    move.ghost.style.gridColumn = move.head.getAttribute("data-col");
    move.ghost.textContent = hhmmLabel(hhmm(move.min)) + " · " + (move.head.getAttribute("data-name") || "");
    if (move.keyboard) { say("Moving " + move.card.getAttribute("data-patient") + " to " + move.ghost.textContent + ". Enter saves, Esc cancels."); }
  }
  function endMove() {
    if (!move) { return; }
    move.ghost.remove();
    move.card.classList.remove("dragging", "moving");
    move = null;
  }
  function commitMove() {
    var m = move, card = m.card;
    var fields = { date: m.head.getAttribute("data-date"), time: hhmm(m.min), practitioner_id: m.head.getAttribute("data-practitioner"),
      version: card.getAttribute("data-version") };
    if (fields.date === card.getAttribute("data-date") && fields.time === card.getAttribute("data-time") &&
        fields.practitioner_id === card.getAttribute("data-practitioner")) {
      endMove();
      return;
    }
    m.ghost.textContent = "Saving…";
    var patient = card.getAttribute("data-patient"), id = card.getAttribute("data-id");
    post("/staff/bookings/" + id + "/move", fields).then(function (r) {
      endMove();
      if (!r.ok) { refused(r.body); card.focus(); return; }
      say(patient + " moved to " + clock(r.body.booking.start) + " with " + (m.head.getAttribute("data-name") || "the practitioner") + ".");
      refresh().then(function () { var c = document.getElementById("v-" + id); if (c) { c.focus(); } });
    }, function () { endMove(); say("The move could not be sent; nothing changed.", true); });
  }

  // Pointer drag: the card's top follows the pointer, snapped to 5 minutes.
  var press = null, swallowClick = false;
  document.addEventListener("pointerdown", function (ev) {
    var card = ev.target.closest && ev.target.closest("#cal-grid .visit");
    if (!card || ev.button !== 0 || move || !headOf(card)) { return; }
    var r = card.getBoundingClientRect();
    press = { card: card, x: ev.clientX, y: ev.clientY, dy: ev.clientY - r.top };
  });
  document.addEventListener("pointermove", function (ev) {
    if (!press) { return; }
    if (!move) {
      if (Math.abs(ev.clientX - press.x) + Math.abs(ev.clientY - press.y) < 6) { return; }
      startMove(press.card, false);
    }
    ev.preventDefault();
    var line = document.querySelector("#cal-grid .line");
    var top = line.getBoundingClientRect().top, rowH = line.getBoundingClientRect().height;
    var m = startMin() + Math.round((ev.clientY - press.dy - top) / rowH * 15 / 5) * 5;
    move.min = Math.max(0, Math.min(24 * 60 - 5, m));
    heads().forEach(function (h) {
      var hr = h.getBoundingClientRect();
      if (ev.clientX >= hr.left && ev.clientX < hr.right) { move.head = h; }
    });
    drawGhost();
  });
  document.addEventListener("pointerup", function () {
    if (press && move && !move.keyboard) { swallowClick = true; commitMove(); }
    press = null;
  });
  document.addEventListener("click", function (ev) {
    if (swallowClick) { swallowClick = false; ev.preventDefault(); ev.stopPropagation(); }
  }, true);
  document.addEventListener("dragstart", function (ev) {
    if (ev.target.closest && ev.target.closest("#cal-grid")) { ev.preventDefault(); }
  });

  // --- The booking panel -------------------------------------------------------
  var panel = document.getElementById("book-panel");
  function openPanel(href) {
    if (!panel || !window.htmx) { window.location.href = href; return; }
    if (!panel.open) { panel.showModal(); }
    document.getElementById("panel-body").textContent = "Loading…";
    window.htmx.ajax("GET", href, { target: "#panel-body", swap: "innerHTML" });
  }
  document.addEventListener("click", function (ev) {
    var free = ev.target.closest && ev.target.closest("#cal-grid a.free");
    if (free) { ev.preventDefault(); openPanel(free.href); }
    if (ev.target.closest && ev.target.closest("#book-panel [data-close]")) { panel.close(); }
  });
  document.addEventListener("htmx:afterSwap", function (ev) {
    if (!panel || !panel.contains(ev.detail.target)) { return; }
    var first = panel.querySelector("#problem") || panel.querySelector("input[name=patient_id]:checked") || panel.querySelector("input, select");
    if (first) { first.focus(); }
  });
  document.body.addEventListener("frontdesk:booked", function () {
    if (panel && panel.open) { panel.close(); }
    say("The visit was booked.");
    refresh();
  });
  if (window.htmx) { configureHtmx(); } else { document.addEventListener("DOMContentLoaded", configureHtmx); }
  function configureHtmx() {
    if (!window.htmx) { return; }
    // The form comes back with its problem on 409 and 422: show it.
    window.htmx.config.responseHandling = [{ code: "204", swap: false }, { code: "[23]..", swap: true },
      { code: "409|422", swap: true, error: false }, { code: "...", swap: false, error: true }];
  }

  // --- Keyboard --------------------------------------------------------------
  function visits() {
    return Array.prototype.slice.call(document.querySelectorAll("#cal-grid .visit")).sort(function (a, b) {
      return (a.getAttribute("data-date") + a.getAttribute("data-time") + String(+a.style.gridColumnStart).padStart(3, "0"))
        .localeCompare(b.getAttribute("data-date") + b.getAttribute("data-time") + String(+b.style.gridColumnStart).padStart(3, "0"));
    });
  }
  function go(key) {
    var a = document.querySelector("[data-key=" + key + "]");
    if (a) { window.location.href = a.href; }
  }
  function focusedCard() {
    return document.activeElement && document.activeElement.closest && document.activeElement.closest("#cal-grid .visit");
  }
  function step(dir) {
    var list = visits(), cur = focusedCard(), i = list.indexOf(cur);
    var next = list[i < 0 ? (dir > 0 ? 0 : list.length - 1) : Math.max(0, Math.min(list.length - 1, i + dir))];
    if (next) { next.focus(); next.scrollIntoView({ block: "nearest", inline: "nearest" }); }
  }
  function moveKey(ev) {
    var hs = heads(), i = hs.indexOf(move.head);
    switch (ev.key) {
    case "ArrowUp": move.min = Math.max(0, move.min - (ev.shiftKey ? 5 : 15)); break;
    case "ArrowDown": move.min = Math.min(24 * 60 - 5, move.min + (ev.shiftKey ? 5 : 15)); break;
    case "ArrowLeft": move.head = hs[Math.max(0, i - 1)]; break;
    case "ArrowRight": move.head = hs[Math.min(hs.length - 1, i + 1)]; break;
    case "Enter": commitMove(); break;
    case "Escape": endMove(); say("Move cancelled."); break;
    default: return;
    }
    ev.preventDefault();
    if (move) { drawGhost(); }
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    if (move && move.keyboard) { moveKey(ev); return; }
    var t = ev.target;
    if (t.closest && (t.closest("input, select, textarea, [contenteditable], dialog") || (panel && panel.open))) { return; }
    var card = focusedCard();
    var canBook = root().hasAttribute("data-can-book");
    var act = {
      n: function () {
        if (!canBook) { return; }
        var q = "date=" + encodeURIComponent(root().getAttribute("data-date"));
        if (card) { q += "&practitioner_id=" + encodeURIComponent(card.getAttribute("data-practitioner")); }
        openPanel("/staff/bookings/new?" + q);
      },
      t: function () { go("today"); }, ArrowLeft: function () { go("prev"); }, ArrowRight: function () { go("next"); },
      d: function () { go("day"); }, w: function () { go("week"); }, m: function () { go("month"); }, p: function () { go("sheet"); },
      r: function () { refresh(); }, j: function () { step(1); }, k: function () { step(-1); },
      a: function () { if (card) { setStatus(card, "arrived"); } },
      c: function () { if (card) { setStatus(card, "completed"); } },
      x: function () { if (card) { setStatus(card, "no_show"); } },
      u: undoLast,
      v: function () { if (card && startMove(card, true)) { drawGhost(); } },
      "?": function () { var s = document.getElementById("shortcuts"); s.open = true; s.querySelector("summary").focus(); }
    }[ev.key];
    if (act) { ev.preventDefault(); act(); }
  });

  // The current time, scrolled into view on today's calendar.
  var now = document.getElementById("cal-now");
  if (now) { now.scrollIntoView({ block: "center", inline: "nearest" }); }
})();
