// fazhibot staff console: small progressive enhancements, no dependencies.
"use strict";
document.addEventListener("submit", function (e) {
  var form = e.target;
  var msg = form.getAttribute && form.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) {
    e.preventDefault();
    return;
  }
  // A slow action (upload, regression run, search) shows that it runs and
  // cannot be sent twice. The buttons are disabled after the form data
  // was taken, so that the pressed button's name and value still go.
  var button = e.submitter;
  var busy = button && button.getAttribute("data-busy");
  if (!busy || e.defaultPrevented) {
    return;
  }
  window.setTimeout(function () {
    var buttons = form.querySelectorAll("button");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].disabled = true;
    }
    button.setAttribute("data-label", button.textContent);
    button.textContent = busy;
    form.setAttribute("aria-busy", "true");
  }, 0);
});
// Coming back to a page from the history must not leave it disabled.
window.addEventListener("pageshow", function (e) {
  if (!e.persisted) {
    return;
  }
  var forms = document.querySelectorAll("form[aria-busy]");
  for (var i = 0; i < forms.length; i++) {
    forms[i].removeAttribute("aria-busy");
    var buttons = forms[i].querySelectorAll("button");
    for (var j = 0; j < buttons.length; j++) {
      buttons[j].disabled = false;
      var label = buttons[j].getAttribute("data-label");
      if (label) {
        buttons[j].textContent = label;
      }
    }
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
