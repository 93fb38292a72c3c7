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

  // Move focus to a form's error summary so screen readers announce it.
  var problem = document.getElementById("problem");
  if (problem) { problem.focus(); }
})();
