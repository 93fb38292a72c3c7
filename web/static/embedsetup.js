// The website widget page: the snippet and its preview follow the form
// as it changes, and the copy button copies the snippet.
(function () {
  "use strict";
  var form = document.querySelector("form[data-embed-form]");
  var out = document.getElementById("f-snippet");
  var preview = document.querySelector("[data-preview]");
  if (!form || !out || !preview) { return; }
  var base = form.getAttribute("data-base");

  function update() {
    var service = form.elements.service.value;
    var inline = form.querySelector("input[name=mode]:checked").value === "inline";
    var s = document.createElement("script");
    s.src = base + "/embed.js";
    if (service) { s.setAttribute("data-service", service); }
    if (inline) { s.setAttribute("data-mode", "inline"); }
    s.async = true;
    out.value = '<script src="' + s.src + '"' + (service ? ' data-service="' + service + '"' : "") +
      (inline ? ' data-mode="inline"' : "") + " async></" + "script>";
    preview.textContent = "";
    preview.appendChild(s);
  }
  form.addEventListener("change", update);

  var copy = document.querySelector("[data-copy]");
  var status = document.querySelector("[data-copy-status]");
  if (copy) {
    copy.addEventListener("click", function () {
      out.select();
      var done = function () { status.textContent = "Copied."; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(out.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  }
})();
