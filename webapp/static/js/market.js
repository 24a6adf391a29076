/* Market page glue: top up with Telegram Stars. The server creates the invoice link (the
   JSON API, authenticated by initData); Telegram.WebApp.openInvoice shows it; the balance is
   credited by the bot on `successful_payment`, never by this callback's status. */
(function () {
  "use strict";
  if (window.HubMarket) return; // pages swapped in by HTMX load this script again
  window.HubMarket = true;
  var tg = window.Telegram && window.Telegram.WebApp;

  function refreshBalance(form) {
    htmx.ajax("GET", form.dataset.balanceUrl, { target: "#balance", swap: "outerHTML" });
  }

  document.body.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "stars-form") return;
    event.preventDefault();
    if (!tg || !window.Hub || !window.Hub.initData) { window.Hub && Hub.toast(form.dataset.outside); return; }
    var stars = parseInt(form.elements.stars.value, 10) || 0;
    fetch(form.dataset.invoiceUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Telegram-Init-Data": Hub.initData },
      body: JSON.stringify({ stars: stars })
    })
      .then(function (response) { return response.json().then(function (body) { return [response.ok, body]; }); })
      .then(function (result) {
        if (!result[0]) { Hub.toast(result[1].detail || form.dataset.failed); return; }
        tg.openInvoice(result[1].invoice_link, function (status) {
          if (status === "paid") {
            Hub.toast(form.dataset.paid);
            setTimeout(function () { refreshBalance(form); }, 1500);
          } else if (status === "failed") {
            Hub.toast(form.dataset.failed);
          }
        });
      })
      .catch(function () { Hub.toast(form.dataset.failed); });
  });
})();
