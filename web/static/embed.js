/* Frontdesk booking widget. Put on any page of the clinic's site:
 *   <script src="https://frontdesk.example/embed.js" data-service="case_review" async></script>
 * data-service: a service id or kind (case_review, massage); omit for every service.
 * data-mode="inline": the booking pages in the page itself, instead of a button
 * that opens them in an overlay. data-label: the button's text.
 * The booking pages are framed from Frontdesk's own origin; they report their
 * height by postMessage, and only messages from that origin and frame count.
 * The frame is told the page (without its query) and its utm_* parameters. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src || !window.URL || !window.postMessage) { return; }
  var origin = new URL(script.src).origin;
  var service = script.getAttribute("data-service") || "";
  var inline = script.getAttribute("data-mode") === "inline";
  var label = script.getAttribute("data-label") || "Book your free case review";
  var frames = [];
  var seq = 0;

  function frameURL() {
    var u = new URL("/", origin);
    var here = new URLSearchParams(window.location.search);
    u.searchParams.set("embed", "1");
    u.searchParams.set("origin", window.location.origin);
    if (service) { u.searchParams.set("service", service); }
    // The page without its query: the campaign comes as utm_*, and a
    // query may hold what is none of the clinic's business.
    u.searchParams.set("ref", (window.location.origin + window.location.pathname).slice(0, 2048));
    ["utm_source", "utm_medium", "utm_campaign", "utm_content"].forEach(function (k) {
      var v = here.get(k);
      if (v) { u.searchParams.set(k, v.slice(0, 200)); }
    });
    return u.toString();
  }

  function el(tag, cls, attrs) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }

  function newFrame(onClose) {
    var f = el("iframe", "fdx-frame", { title: label + " (booking form)", src: frameURL() });
    f.style.height = "420px";
    frames.push({ frame: f, close: onClose });
    return f;
  }

  window.addEventListener("message", function (ev) {
    if (ev.origin !== origin || !ev.data || ev.data.frontdesk !== 1) { return; }
    frames.forEach(function (x) {
      if (ev.source !== x.frame.contentWindow) { return; }
      if (ev.data.type === "height" && typeof ev.data.height === "number") {
        x.frame.style.height = Math.max(120, Math.min(Math.ceil(ev.data.height), 20000)) + "px";
      } else if (ev.data.type === "close" && x.close) {
        x.close();
      }
    });
  });

  var css = ".fdx-button{font:inherit;font-weight:600;padding:.7rem 1.2rem;border-radius:.5rem;border:2px solid #1d5c4a;background:#1d5c4a;color:#fff;cursor:pointer;min-height:2.75rem}" +
    ".fdx-button:focus-visible,.fdx-close:focus-visible{outline:3px solid #f3b93c;outline-offset:2px}" +
    ".fdx-frame{display:block;width:100%;border:0;background:#fff}" +
    ".fdx-backdrop{position:fixed;inset:0;z-index:2147483000;background:rgba(0,0,0,.55);display:flex;align-items:flex-start;justify-content:center;overflow:auto;padding:2vh 1rem}" +
    ".fdx-dialog{background:#fff;color:#1b1b1b;width:100%;max-width:46rem;border-radius:.6rem;box-shadow:0 1rem 3rem rgba(0,0,0,.35);overflow:hidden}" +
    ".fdx-head{display:flex;align-items:center;justify-content:space-between;gap:1rem;padding:.5rem .75rem .5rem 1rem;border-bottom:1px solid #ddd}" +
    ".fdx-head h2{font:600 1.05rem/1.3 system-ui,sans-serif;margin:0}" +
    ".fdx-close{font:600 1rem system-ui,sans-serif;background:#fff;border:2px solid #1d5c4a;color:#1d5c4a;border-radius:.4rem;padding:.35rem .7rem;cursor:pointer;min-height:2.5rem}";
  if (!document.getElementById("fdx-style")) {
    var st = el("style", "", { id: "fdx-style" });
    st.textContent = css;
    document.head.appendChild(st);
  }

  if (inline) {
    var box = el("div", "fdx-inline");
    box.appendChild(newFrame(null));
    script.parentNode.insertBefore(box, script.nextSibling);
    return;
  }

  var opener = el("button", "fdx-button", { type: "button", "aria-haspopup": "dialog" });
  opener.textContent = label;
  script.parentNode.insertBefore(opener, script.nextSibling);
  var open = null;

  function close() {
    if (!open) { return; }
    var o = open;
    open = null;
    document.removeEventListener("keydown", o.onKey, true);
    document.removeEventListener("focusin", o.onFocus, true);
    frames = frames.filter(function (x) { return x.frame !== o.frame; });
    o.backdrop.parentNode.removeChild(o.backdrop);
    document.documentElement.style.overflow = o.overflow;
    opener.focus();
  }

  opener.addEventListener("click", function () {
    if (open) { return; }
    var id = "fdx-title-" + (++seq);
    var backdrop = el("div", "fdx-backdrop");
    var dialog = el("div", "fdx-dialog", { role: "dialog", "aria-modal": "true", "aria-labelledby": id });
    var head = el("div", "fdx-head");
    var title = el("h2", "", { id: id });
    title.textContent = label;
    var shut = el("button", "fdx-close", { type: "button" });
    shut.textContent = "Close";
    shut.setAttribute("aria-label", "Close the booking form");
    shut.addEventListener("click", close);
    var frame = newFrame(close);
    // Tabbing past either end of the dialog comes back into it.
    var first = el("span", "", { tabindex: "0" });
    var last = el("span", "", { tabindex: "0" });
    first.addEventListener("focus", function () { frame.focus(); });
    last.addEventListener("focus", function () { shut.focus(); });
    head.appendChild(title);
    head.appendChild(shut);
    dialog.appendChild(head);
    dialog.appendChild(frame);
    backdrop.appendChild(first);
    backdrop.appendChild(dialog);
    backdrop.appendChild(last);
    backdrop.addEventListener("click", function (ev) { if (ev.target === backdrop) { close(); } });
    open = {
      backdrop: backdrop, frame: frame, overflow: document.documentElement.style.overflow,
      onKey: function (ev) { if (ev.key === "Escape") { ev.preventDefault(); close(); } },
      onFocus: function (ev) { if (open && !backdrop.contains(ev.target)) { shut.focus(); } }
    };
    document.addEventListener("keydown", open.onKey, true);
    document.addEventListener("focusin", open.onFocus, true);
    document.documentElement.style.overflow = "hidden";
    document.body.appendChild(backdrop);
    shut.focus();
  });
})();
