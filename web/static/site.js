// Frontdesk's progressive enhancement: the pages work without it.
(function () {
  "use strict";
  var tz = "";
  try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { tz = ""; }
  var here = new URL(window.location.href);

  // The times page without ?tz= shows the clinic's zone: switch to the
  // visitor's own zone once, keeping the rest of the query.
  var page = document.querySelector("[data-tz-page]");
  if (page && tz && !here.searchParams.has("tz") && page.getAttribute("data-tz-page") !== tz) {
    here.searchParams.set("tz", tz);
    window.location.replace(here.toString());
    return;
  }

  // Links into the booking flow carry the visitor's zone unless one was chosen.
  if (tz) {
    document.querySelectorAll("a[data-tz]").forEach(function (a) {
      var u = new URL(a.href, window.location.href);
      if (!u.searchParams.get("tz")) {
        u.searchParams.set("tz", here.searchParams.get("tz") || tz);
        a.href = u.pathname + u.search;
      }
    });
  }

  // The time zone select applies on change; the button stays for keyboards.
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });

  // A form is sent once: later clicks are ignored until the page changes.
  document.querySelectorAll("form[data-once]").forEach(function (f) {
    f.addEventListener("submit", function (ev) {
      if (f.getAttribute("data-sent")) { ev.preventDefault(); return; }
      f.setAttribute("data-sent", "1");
      window.setTimeout(function () {
        f.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });

  // A likely typo in an email address (gmial.com, .con) gets a suggestion
  // below the field, as the server gives one when the form comes back: it
  // suggests, it never blocks the booking.
  var hint = document.querySelector("[data-typos]");
  var email = hint && document.getElementById("f-patient-email");
  if (email) {
    var typos = JSON.parse(hint.getAttribute("data-typos"));
    var suggest = function (addr) {
      var at = addr.lastIndexOf("@");
      if (at <= 0 || /\s/.test(addr)) { return ""; }
      var local = addr.slice(0, at), dom = addr.slice(at + 1).toLowerCase();
      if (typos.domains[dom]) { return local + "@" + typos.domains[dom]; }
      for (var end in typos.endings) {
        if (dom.length > end.length && dom.slice(-end.length) === end) {
          var fixed = dom.slice(0, -end.length) + typos.endings[end];
          return local + "@" + (typos.domains[fixed] || fixed);
        }
      }
      return "";
    };
    var show = function () {
      var s = suggest(email.value.trim());
      hint.textContent = "";
      if (!s) { return; }
      var b = document.createElement("button");
      b.type = "button"; b.className = "link"; b.setAttribute("data-use-email", s); b.textContent = s;
      hint.append("Did you mean ", b, "?");
    };
    email.addEventListener("change", show);
    email.addEventListener("blur", show);
    hint.addEventListener("click", function (ev) {
      var s = ev.target.getAttribute && ev.target.getAttribute("data-use-email");
      if (!s) { return; }
      email.value = s;
      hint.textContent = "";
      email.focus();
    });
  }

  // A free time on the new-booking form fills the time field (the link
  // reloads the form with it, without the script). Delegated: the
  // calendar's panel swaps the form in later.
  document.addEventListener("click", function (ev) {
    var slot = ev.target.closest && ev.target.closest("#free-times a.slot");
    if (!slot) { return; }
    var f = document.getElementById("f-time");
    if (!f) { return; }
    ev.preventDefault();
    f.value = slot.getAttribute("data-time");
    slot.closest("#free-times").querySelectorAll("a.slot").forEach(function (a) { a.removeAttribute("aria-pressed"); });
    slot.setAttribute("aria-pressed", "true");
  });
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });

  // A held time counts down to its expiry (the page without the script
  // says the expiry time). At zero the page says the hold has ended; the
  // form still books a time that is free.
  var hold = document.querySelector("[data-hold-left-seconds]");
  if (hold) {
    var expires = Date.now() + 1000 * parseInt(hold.getAttribute("data-hold-left-seconds"), 10);
    var left = hold.querySelector("[data-hold-left]");
    var clock = hold.querySelector("[data-hold-clock]");
    var ended = hold.querySelector("[data-hold-ended]");
    var tick = function () {
      var s = Math.max(0, Math.round((expires - Date.now()) / 1000));
      clock.textContent = Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
      left.hidden = s === 0;
      if (s === 0) {
        ended.hidden = false;
        hold.classList.add("ended");
        window.clearInterval(timer);
      }
    };
    var timer = window.setInterval(tick, 1000);
    tick();
  }

  // Move focus to a form's error summary (or a step asking to confirm) so
  // screen readers announce it.
  var problem = document.getElementById("problem") || document.getElementById("confirm");
  if (problem) {
    if (!problem.hasAttribute("tabindex")) { problem.setAttribute("tabindex", "-1"); }
    problem.focus();
  }
})();
