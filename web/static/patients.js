// Patient search as you type: the results below the box follow each
// keystroke (after a short pause), from the same server-rendered page the
// Search button loads; the address keeps the query, so Back and reload work.
(function () {
  "use strict";
  var form = document.getElementById("patient-search");
  var box = document.getElementById("q");
  var results = document.getElementById("patient-results");
  if (!form || !box || !results) return;
  var timer = 0, asked = 0;

  function search() {
    timer = 0;
    var q = box.value.trim();
    var url = "/staff/patients" + (q ? "?q=" + encodeURIComponent(q) : "");
    var n = ++asked;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) {
        if (n !== asked) return; // a later keystroke's answer wins
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("patient-results");
        if (!fresh) return;
        results.innerHTML = fresh.innerHTML;
        history.replaceState(null, "", url);
      })
      .catch(function () { /* the Search button still works */ });
  }

  box.addEventListener("input", function () {
    if (timer) clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  // Down arrow from the box goes to the first match.
  box.addEventListener("keydown", function (e) {
    if (e.key !== "ArrowDown") return;
    var first = results.querySelector("a.patient-link");
    if (first) { e.preventDefault(); first.focus(); }
  });
})();
