/* Hub Mini App glue, deferred on every page; works outside Telegram too. What it does
   (sign-in, theme, feedback, Telegram's buttons, double taps): docs/COMPONENTS.md. */
(function () {
  "use strict";
  var tg = window.Telegram && window.Telegram.WebApp;
  var initData = (tg && tg.initData) || "";
  var body = document.body;
  var root = document.documentElement;
  var home = body.dataset.homeUrl || "/";
  var renderedLang = root.lang; // the language the server drew this page in

  // Before sign-in the server knows only the browser's language; Telegram's launch data
  // says the user's. When they differ, the shell's words stay a skeleton (same places, so
  // nothing jumps) until it is drawn again in the user's language after sign-in.
  var pending = document.querySelector(".launch-pending");
  function reveal() { if (pending) pending.classList.remove("launch-pending"); pending = null; }
  if (pending) {
    var user = (tg && tg.initDataUnsafe && tg.initDataUnsafe.user) || {};
    var launchLang = String(user.language_code || "").split("-")[0].toLowerCase();
    var known = (body.dataset.languages || "").split(" ");
    if (initData && launchLang && known.indexOf(launchLang) >= 0 && launchLang !== renderedLang) {
      root.lang = launchLang;
    } else {
      reveal();
    }
  }

  signIn(); // first: its round trip overlaps the rest of this script and htmx's

  function can(version) { return tg && tg.isVersionAtLeast && tg.isVersionAtLeast(version); }
  function haptic(kind) {
    if (can("6.1")) { try { tg.HapticFeedback.notificationOccurred(kind); } catch (e) { /* old client */ } }
  }

  // Theme: the page's own colours come from CSS variables; Telegram's chrome follows them.
  function paint() {
    if (!initData) return;
    var p = tg.themeParams || {};
    root.dataset.scheme = tg.colorScheme === "dark" ? "dark" : "light";
    try {
      if (can("6.1")) {
        tg.setHeaderColor(p.header_bg_color || p.secondary_bg_color || "secondary_bg_color");
        tg.setBackgroundColor(p.secondary_bg_color || "secondary_bg_color");
      }
      if (can("7.10")) tg.setBottomBarColor(p.bottom_bar_bg_color || p.secondary_bg_color || "bottom_bar_bg_color");
    } catch (e) { /* a client that refuses a colour keeps its own */ }
  }

  if (initData) {
    root.setAttribute("data-telegram", "");
    paint();
    tg.onEvent("themeChanged", paint);
    tg.ready();
    tg.expand();
  } else {
    // Outside Telegram nobody signs in: say how to (inside, the greeting replaces it).
    var outside = document.querySelector("[data-outside-telegram]");
    if (outside) outside.hidden = false;
  }

  function toast(message) {
    var el = document.getElementById("toast");
    if (!el || !message) return;
    el.textContent = message;
    el.classList.add("show");
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { el.classList.remove("show"); }, 2500);
  }
  body.addEventListener("hub:toast", function (event) { toast(event.detail.value || event.detail.message); });

  // Every htmx request carries the signed initData (a webview may drop cookies), and every
  // changing one an Idempotency-Key: a double tap sends the same key, the server runs it once.
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  body.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    if (initData) detail.headers["X-Telegram-Init-Data"] = initData;
    if (detail.verb !== "get") {
      var elt = detail.elt;
      elt.hubKey = elt.hubKey || newKey();
      detail.headers["Idempotency-Key"] = elt.hubKey;
    }
  });

  // Feedback on every tap.
  var mainTarget = null;
  // The main action's request comes from its button, or from the form the button submits
  // (not from a form that merely holds it: the ticket form's autosave is not "Submit").
  function ownsMain(elt) {
    if (!mainTarget || !elt) return false;
    return elt === mainTarget || (mainTarget.type === "submit" && mainTarget.form === elt);
  }
  body.addEventListener("htmx:beforeRequest", function (event) {
    if (navigator.onLine === false) {
      event.preventDefault();
      toast(body.dataset.offline);
      haptic("error");
      return;
    }
    if (initData && ownsMain(event.detail.elt)) {
      tg.MainButton.showProgress(false);
      tg.MainButton.disable();
    }
  });
  body.addEventListener("htmx:afterRequest", function (event) {
    var detail = event.detail;
    delete detail.elt.hubKey; // the next attempt is a new action
    if (initData && ownsMain(detail.elt)) {
      tg.MainButton.hideProgress();
      tg.MainButton.enable();
    }
    var verb = detail.requestConfig && detail.requestConfig.verb;
    if (!detail.xhr || !detail.xhr.status) return; // sendError says it
    var language = detail.xhr.getResponseHeader("Content-Language");
    if (language) root.lang = language; // <html lang> follows what is on the screen
    // A form marked data-reset empties itself after it worked (the add-a-task row).
    if (detail.successful && detail.elt.matches("form[data-reset]")) detail.elt.reset();
    if (detail.failed) haptic("error");
    else if (verb && verb !== "get") haptic("success");
  });
  function networkFailed() { toast(body.dataset.offline); haptic("error"); }
  body.addEventListener("htmx:sendError", networkFailed);
  body.addEventListener("htmx:timeout", networkFailed);
  window.addEventListener("offline", function () { toast(body.dataset.offline); });
  body.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr.status >= 500) toast(body.dataset.failed);
  });

  // Confirmations inside Telegram are Telegram's own popup, not the browser's confirm().
  body.addEventListener("htmx:confirm", function (event) {
    var question = event.detail.question;
    if (!question || !initData || !can("6.2")) return;
    event.preventDefault();
    tg.showConfirm(question, function (ok) { if (ok) event.detail.issueRequest(true); });
  });

  // A start parameter comes in initData (t.me/bot/app?startapp=…) or, from the bot's
  // web_app button, as ?startapp=… in the URL.
  function startParam() {
    var fromUrl = new URLSearchParams(location.search).get("startapp");
    return (tg && tg.initDataUnsafe && tg.initDataUnsafe.start_param) || fromUrl || "";
  }

  // The browser's IANA time zone ("Europe/Moscow"): pages and reminders show local times.
  function timeZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  }

  // Sign in once per launch: trade initData for a session, then route a start parameter.
  // This script runs before htmx (both deferred, this one first), so the sign-in leaves with
  // fetch as early as it can; htmx takes over the answer once it is there.
  function whenHtmx(fn) {
    if (window.htmx) fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }
  function signIn() {
    var greeting = document.getElementById("greeting");
    if (!initData || !greeting || greeting.dataset.signedIn === "true") return;
    var csrf = document.querySelector('meta[name="csrf-token"]');
    fetch(body.dataset.sessionUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "HX-Request": "true",
        "X-CSRFToken": csrf ? csrf.content : "",
        "X-Telegram-Init-Data": initData,
      },
      body: new URLSearchParams({
        start_param: startParam(), rendered_locale: renderedLang, time_zone: timeZone(),
      }),
    }).then(function (response) {
      return response.text().then(function (html) {
        greeting.innerHTML = html;
        if (!response.ok) { root.lang = renderedLang; reveal(); haptic("error"); return; }
        greeting.dataset.signedIn = "true";
        var location = response.headers.get("HX-Location");
        if (!location) { root.lang = response.headers.get("Content-Language") || renderedLang; reveal(); }
        whenHtmx(function () {
          htmx.process(greeting);
          if (!location) return;
          var to = JSON.parse(location);
          var m = move = { from: window.location.pathname };
          htmx.ajax("GET", to.path, { target: to.target || "#main", headers: { "X-Hub-Move": "1" } })
            .then(function () { if (!m.dropped) history.pushState({}, "", to.path); });
        });
      });
    }).catch(function () { root.lang = renderedLang; reveal(); networkFailed(); });
  }

  // A tap made before the sign-in's own move (redraw, start parameter) answers wins.
  var move = null;
  body.addEventListener("htmx:beforeSwap", function (e) {
    if (move && e.detail.requestConfig.headers["X-Hub-Move"] && location.pathname !== move.from) {
      e.detail.shouldSwap = false; move.dropped = true;
    }
  });

  function isHome() { return location.pathname === home; }

  // Telegram's BackButton on every page but the shell; the page's own back link otherwise.
  function goBack() {
    var link = document.querySelector("#main .back-link");
    if (link) { link.click(); return; }
    htmx.ajax("GET", home, { target: "#main" }).then(function () { history.pushState({}, "", home); });
  }
  if (initData && tg.BackButton) tg.BackButton.onClick(goBack);

  // MainButton: the element with data-main-button="Label" (hidden in the page inside
  // Telegram) is clicked when it is pressed.
  // A form is submitted through htmx's own event: a click on the (hidden) submit button
  // could fall through to a native submission, which carries no initData.
  function onMainButton() {
    if (!mainTarget || mainTarget.disabled || !document.body.contains(mainTarget)) return;
    if (mainTarget.type === "submit" && mainTarget.form) htmx.trigger(mainTarget.form, "submit");
    else mainTarget.click();
  }
  if (initData && tg.MainButton) tg.MainButton.onClick(onMainButton);

  function syncTelegramButtons() {
    if (!initData) return;
    if (tg.BackButton) { isHome() ? tg.BackButton.hide() : tg.BackButton.show(); }
    mainTarget = document.querySelector("#main [data-main-button]");
    if (mainTarget && tg.MainButton) {
      tg.MainButton.setParams({
        text: mainTarget.dataset.mainButton.slice(0, 64), is_active: true, is_visible: true,
      });
      tg.MainButton.hideProgress();
    } else if (tg.MainButton) {
      tg.MainButton.hide();
    }
  }

  body.addEventListener("htmx:afterSettle", syncTelegramButtons);
  window.addEventListener("popstate", syncTelegramButtons);
  syncTelegramButtons();
  window.Hub = { toast: toast, initData: initData, sync: syncTelegramButtons };
})();
