// Inside the clinic site's booking widget (embed.js): tell the site this
// page's height, and that Escape was pressed, by postMessage to the site's
// origin only (the server names it, and only when it is allowed to frame).
(function () {
  "use strict";
  var me = document.currentScript;
  var target = me && me.getAttribute("data-origin");
  if (!target || window.parent === window) { return; }
  function post(msg) { msg.frontdesk = 1; window.parent.postMessage(msg, target); }
  var last = -1;
  function report() {
    var h = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (h !== last) { last = h; post({ type: "height", height: h }); }
  }
  if (window.ResizeObserver) { new ResizeObserver(report).observe(document.body); }
  window.addEventListener("load", report);
  report();
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") { post({ type: "close" }); } });
})();
