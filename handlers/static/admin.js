// fazhibot staff console: small progressive enhancements, no dependencies.
"use strict";
document.addEventListener("submit", function (e) {
  var form = e.target;
  var msg = form.getAttribute && form.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) {
    e.preventDefault();
  }
});
document.addEventListener("click", function (e) {
  var el = e.target;
  if (!el.getAttribute) {
    return;
  }
  if (el.hasAttribute("data-back") && window.history.length > 1) {
    e.preventDefault();
    window.history.back();
    return;
  }
  var id = el.getAttribute("data-copy");
  if (id) {
    var text = document.getElementById(id).textContent;
    if (navigator.clipboard) {
      navigator.clipboard.writeText(text).then(function () {
        el.textContent = "已复制";
      });
    }
  }
});
