// The header's unread count, kept live over a WebSocket (luukku/notifications/consumers.py).
// The server renders the count into the page, so without this script (or without a socket, as
// under `manage.py runserver`) the badge is right at every page load, only not in between. The
// badge is a polite live region: a screen reader hears the new count when it changes.
(function () {
  "use strict";

  var badge = document.querySelector("[data-live-unread]");
  if (!badge || !("WebSocket" in window)) {
    return;
  }
  var MAX_DELAY_MS = 5 * 60 * 1000;
  var delay = 2000;
  var failuresBeforeOpen = 0;

  function url() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var language = document.documentElement.lang || "";
    return scheme + window.location.host + badge.dataset.liveUnread +
      "?lang=" + encodeURIComponent(language);
  }

  function show(message) {
    if (message.type !== "unread" || typeof message.label !== "string") {
      return;
    }
    // Writing the same text again would make some screen readers repeat it.
    if (badge.textContent !== message.label) {
      badge.textContent = message.label;
    }
  }

  function connect() {
    var opened = false;
    var socket = new WebSocket(url());
    socket.addEventListener("open", function () {
      opened = true;
      delay = 2000;
      failuresBeforeOpen = 0;
    });
    socket.addEventListener("message", function (event) {
      try {
        show(JSON.parse(event.data));
      } catch (error) {
        // A malformed message changes nothing on the page.
      }
    });
    socket.addEventListener("close", function () {
      if (!opened) {
        failuresBeforeOpen += 1;
        // No socket server (the development server), or the handshake refused (logged out):
        // stop asking after a few tries; the next page load shows the right count anyway.
        if (failuresBeforeOpen >= 5) {
          return;
        }
      }
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    });
  }

  connect();
}());
