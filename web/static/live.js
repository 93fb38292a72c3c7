// Live calendar: subscribes to GET /api/v1/events and refreshes the visible
// day when a visit changes on any desk or replica. The browser's EventSource
// reconnects by itself and sends Last-Event-ID, so the server replays what
// was missed (a replica restart included); a stream refused outright is
// reopened here with ?last_event_id=.
(function () {
  "use strict";
  if (!window.EventSource) return;
  var root = document.documentElement;
  var seen = new Set();   // event seqs handled (a resume may repeat a few)
  var lastId = "";        // the stream position, kept across reopenings
  var timer = 0, backoff = 1000, source = null;

  function refresh() {
    timer = 0;
    var fd = window.frontdesk;
    if (fd && typeof fd.refresh === "function") { fd.refresh(); return; }
    // Without a calendar script of its own, swap the page's main region
    // for a fresh copy, unless staff are typing into it.
    var main = document.getElementById("main");
    if (!main) return;
    var active = document.activeElement;
    if (active && main.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) { schedule(); return; }
    fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("main");
        if (!fresh) return;
        var x = window.scrollX, y = window.scrollY;
        main.innerHTML = fresh.innerHTML;
        window.scrollTo(x, y);
        root.dataset.liveRefreshed = String(Date.now());
        document.dispatchEvent(new CustomEvent("frontdesk:refreshed"));
      })
      .catch(function () { /* the next change or reconnect tries again */ });
  }

  // Several changes in a burst (a series of visits) cost one refresh.
  function schedule() { if (!timer) timer = setTimeout(refresh, 150); }

  function onBooking(e) {
    if (e.lastEventId) lastId = e.lastEventId;
    var data;
    try { data = JSON.parse(e.data); } catch (_) { return; }
    if (seen.has(data.seq)) return;
    seen.add(data.seq);
    if (seen.size > 2000) seen = new Set(Array.from(seen).slice(-1000));
    root.dataset.liveEvents = String((+root.dataset.liveEvents || 0) + 1);
    document.dispatchEvent(new CustomEvent("frontdesk:booking", { detail: data }));
    schedule();
  }

  function onResync(e) {
    if (e.lastEventId) lastId = e.lastEventId;
    schedule();
  }

  function open() {
    var url = "/api/v1/events" + (lastId ? "?last_event_id=" + encodeURIComponent(lastId) : "");
    source = new EventSource(url);
    source.addEventListener("open", function () { backoff = 1000; root.dataset.live = "open"; });
    source.addEventListener("booking", onBooking);
    source.addEventListener("resync", onResync);
    source.addEventListener("error", function () {
      root.dataset.live = "reconnecting";
      if (source.readyState === EventSource.CLOSED) {
        // Refused (a replica answering 502/503 while it restarts): reopen.
        source = null;
        setTimeout(open, backoff);
        backoff = Math.min(backoff * 2, 15000);
      }
    });
  }

  window.frontdeskLive = { get lastId() { return lastId; } };
  open();
})();
