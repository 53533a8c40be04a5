/* The kiosk resets itself for the next person: the thank-you page returns to an empty form,
   and a form left half-answered is emptied after a while without touches. */
(function () {
  "use strict";
  var IDLE_MS = 90 * 1000;

  var thanks = document.querySelector("[data-kiosk-reset]");
  if (thanks) {
    var seconds = Number(thanks.getAttribute("data-seconds")) || 10;
    window.setTimeout(function () {
      window.location.replace(thanks.getAttribute("data-url"));
    }, seconds * 1000);
  }

  var form = document.querySelector("form[data-kiosk-form]");
  if (form) {
    var timer = null;
    var sent = false;
    var restart = function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        window.location.replace(form.getAttribute("action"));
      }, IDLE_MS);
    };
    ["pointerdown", "keydown", "change"].forEach(function (name) {
      document.addEventListener(name, restart);
    });
    // A double tap sends once (the server also recognises the form's one-time key).
    form.addEventListener("submit", function (event) {
      if (sent) { event.preventDefault(); }
      sent = true;
    });
    restart();
  }
})();
