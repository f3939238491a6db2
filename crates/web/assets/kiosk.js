// The kiosk's progressive enhancements: reading the page aloud where the browser can, and a
// warning before a shared terminal signs the person out. Every page works without this file.
(function () {
  "use strict";
  var body = document.body;
  var speech = "speechSynthesis" in window && "SpeechSynthesisUtterance" in window;
  var button = document.querySelector(".kiosk-read-aloud");
  if (button && speech) {
    button.hidden = false;
    var reading = false;
    button.addEventListener("click", function () {
      if (reading) {
        window.speechSynthesis.cancel();
        return;
      }
      var main = document.getElementById("main-content");
      var text = Array.prototype.filter
        .call(main.querySelectorAll("h1, h2, p, li, label, legend, dt, dd, .govuk-hint"), function (el) {
          return !el.closest("[hidden]") && el !== button;
        })
        .map(function (el) { return el.innerText; })
        .join(". ");
      var u = new SpeechSynthesisUtterance(text);
      u.lang = body.getAttribute("data-speech") || "en-GB";
      u.onend = u.onerror = function () {
        reading = false;
        button.textContent = button.getAttribute("data-start");
      };
      reading = true;
      button.textContent = button.getAttribute("data-stop");
      window.speechSynthesis.speak(u);
    });
  }

  var form = document.getElementById("kiosk-sign-out");
  var warning = document.querySelector(".kiosk-timeout");
  if (!form || !warning) return;
  // The server signs a kiosk session out after 5 minutes without a request; warn a minute before.
  var WARN_AFTER = 4 * 60 * 1000, SIGN_OUT_AFTER = 5 * 60 * 1000;
  var warnTimer, outTimer, lastPing = Date.now();
  function ping() {
    lastPing = Date.now();
    return fetch("/kiosk/keep-alive", { credentials: "same-origin" });
  }
  function arm() {
    clearTimeout(warnTimer);
    clearTimeout(outTimer);
    warnTimer = setTimeout(function () {
      warning.hidden = false;
      warning.querySelector("button").focus();
    }, WARN_AFTER);
    outTimer = setTimeout(function () {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "timed_out";
      input.value = "1";
      form.appendChild(input);
      form.submit();
    }, SIGN_OUT_AFTER);
  }
  warning.querySelector("button").addEventListener("click", function () {
    warning.hidden = true;
    ping().then(arm, arm);
  });
  ["keydown", "pointerdown"].forEach(function (e) {
    // Someone typing a long request is using the kiosk: keep the server's session alive too.
    document.addEventListener(e, function () {
      if (!warning.hidden) return;
      if (Date.now() - lastPing > 60 * 1000) ping();
      arm();
    }, { passive: true });
  });
  arm();
})();
