// "Who is inside" and the muster list refresh themselves: every few seconds the page fetches
// its live part (an HTML fragment rendered by the server) and puts it in place. A file, not
// an inline script: the CSP forbids those. If the fetch fails the list stays and a warning
// says since when it has not been updated: a stale muster list must never look current.
(() => {
  "use strict";
  const live = document.getElementById("live");
  const status = document.getElementById("live-status");
  if (!live || !live.dataset.refreshUrl) return;
  const every = Math.max(2, Number(live.dataset.refreshSeconds) || 5) * 1000;
  let failures = 0;

  function busy() {
    // do not replace a form under the user's hand (a Mark safe button being pressed)
    const active = document.activeElement;
    return active && active !== document.body && live.contains(active) && active.matches("button, input, select, textarea");
  }

  function stale() {
    failures += 1;
    live.classList.add("is-stale");
    const updated = live.querySelector(".live-updated time");
    status.textContent = "Not updated since " + (updated ? updated.textContent : "the page was loaded") +
      ": ZoneKeeper cannot be reached or the session has ended. Reload the page; until then, do not rely on this list.";
    status.hidden = false;
    status.classList.add("status-bad");
  }

  async function refresh() {
    if (busy()) return;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.min(every, 4000));
    try {
      const response = await fetch(live.dataset.refreshUrl, {
        credentials: "same-origin", cache: "no-store", signal: controller.signal,
        headers: { "Accept": "text/html" },
      });
      // a signed-out session is redirected to the sign-in page: that is not the list
      if (response.status !== 200 || response.redirected || response.headers.get("X-ZoneKeeper-Fragment") !== "1") {
        throw new Error("status " + response.status);
      }
      const html = await response.text();
      if (busy()) return;
      live.innerHTML = html;
      failures = 0;
      live.classList.remove("is-stale");
      status.hidden = true;
      status.textContent = "";
      live.dataset.refreshed = String(Date.now());  // for tests
    } catch (error) {
      stale();
    } finally {
      clearTimeout(timer);
    }
  }

  setInterval(refresh, every);
})();
