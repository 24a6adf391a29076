/* Hub Mini App glue: Telegram sign-in, initData on every HTMX request, theme,
   BackButton and MainButton. Loaded on every page; works outside Telegram too. */
(function () {
  "use strict";
  var tg = window.Telegram && window.Telegram.WebApp;
  var initData = (tg && tg.initData) || "";
  var body = document.body;
  var home = body.dataset.homeUrl || "/";

  if (initData) {
    document.documentElement.setAttribute("data-telegram", "");
    tg.ready();
    tg.expand();
  }

  // Swap error answers too (htmx 2 ignores 4xx/5xx by default): forms show their 422,
  // pages show why they were refused.
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "[45]..", swap: true, error: true },
  ];
  htmx.config.historyCacheSize = 0;

  // Every HTMX request carries the signed initData, so a webview that drops cookies works.
  body.addEventListener("htmx:configRequest", function (event) {
    if (initData) event.detail.headers["X-Telegram-Init-Data"] = initData;
  });

  function toast(message) {
    var el = document.getElementById("toast");
    if (!el || !message) return;
    el.textContent = message;
    el.classList.add("show");
    setTimeout(function () { el.classList.remove("show"); }, 2500);
  }
  body.addEventListener("hub:toast", function (event) { toast(event.detail.value || event.detail.message); });

  // A start parameter comes in initData (t.me/bot/app?startapp=…) or, from the bot's
  // web_app button, as ?startapp=… in the URL.
  function startParam() {
    var fromUrl = new URLSearchParams(location.search).get("startapp");
    return (tg && tg.initDataUnsafe && tg.initDataUnsafe.start_param) || fromUrl || "";
  }

  // Sign in once per launch: trade initData for a session, then route a start parameter.
  function signIn() {
    var greeting = document.getElementById("greeting");
    if (!initData || !greeting || greeting.dataset.signedIn === "true") return;
    htmx.ajax("POST", body.dataset.sessionUrl, {
      target: "#greeting", swap: "innerHTML",
      values: { start_param: startParam(), rendered_locale: document.documentElement.lang },
    }).then(function () { greeting.dataset.signedIn = "true"; });
  }

  function isHome() { return location.pathname === home; }

  // Telegram's BackButton on every page but the shell; the page's own back link otherwise.
  function goBack() {
    var link = document.querySelector("#main .back-link");
    if (link) { link.click(); return; }
    htmx.ajax("GET", home, { target: "#main" }).then(function () { history.pushState({}, "", home); });
  }
  if (tg && tg.BackButton) tg.BackButton.onClick(goBack);

  // MainButton: an element with data-main-button="Label" is clicked when it is pressed.
  var mainTarget = null;
  function onMainButton() { if (mainTarget) mainTarget.click(); }
  if (tg && tg.MainButton) tg.MainButton.onClick(onMainButton);

  function syncTelegramButtons() {
    if (!initData) return;
    if (tg.BackButton) { isHome() ? tg.BackButton.hide() : tg.BackButton.show(); }
    mainTarget = document.querySelector("#main [data-main-button]");
    if (mainTarget && tg.MainButton) {
      tg.MainButton.setText(mainTarget.dataset.mainButton.slice(0, 64));
      tg.MainButton.show();
    } else if (tg.MainButton) {
      tg.MainButton.hide();
    }
  }

  body.addEventListener("htmx:afterSettle", syncTelegramButtons);
  window.addEventListener("popstate", syncTelegramButtons);
  signIn();
  syncTelegramButtons();
  window.Hub = { toast: toast, initData: initData, sync: syncTelegramButtons };
})();
