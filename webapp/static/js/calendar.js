/* Calendar links (webapp/events/calendar_api.py): inside Telegram an .ics or webcal:// link
   opens outside the Mini App (Telegram.WebApp.openLink), where the phone's browser or
   calendar app adds the event or subscribes to the feed; outside Telegram the link works as
   it is. */
(function () {
  "use strict";
  if (window.HubCalendar) return; // pages swapped in by HTMX load this script again
  window.HubCalendar = true;
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-open-external]");
    var tg = window.Telegram && window.Telegram.WebApp;
    if (!link || !tg || !tg.initData) return;
    var url = new URL(link.getAttribute("href"), window.location.href).href;
    if (!/^https?:/.test(url)) return; // webcal:// is the phone's to open
    event.preventDefault();
    tg.openLink(url);
  });
})();
