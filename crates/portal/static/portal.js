// Myna Portal: progressive enhancement only; every page works without this file.
"use strict";

// Login: wait for the card's signature, then continue.
(function waitForLogin() {
  const el = document.getElementById("login-wait");
  if (!el) return;
  const poll = async () => {
    try {
      const r = await fetch(el.dataset.status, { credentials: "same-origin" });
      if (r.ok && (await r.json()).done) { location.assign(el.dataset.next); return; }
    } catch (_) { /* retry */ }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
})();

// Notices: the unread badge on every page, and new notices on the inbox, without reloading.
(function liveNotices() {
  const badge = document.getElementById("unread");
  if (!badge || !window.EventSource) return;
  const list = document.getElementById("notices");
  const count = document.getElementById("unread-count");
  const status = document.getElementById("live-status");
  const en = document.documentElement.lang === "en";
  const source = new EventSource("/notices/events");
  source.addEventListener("notices", (ev) => {
    const v = JSON.parse(ev.data);
    badge.textContent = v.unread > 0 ? String(v.unread) : "";
    if (count) count.textContent = String(v.unread);
    if (!list) return;
    let added = 0;
    for (const n of [...v.latest].reverse()) {
      if (list.querySelector(`li[data-id="${n.id}"]`)) continue;
      const li = document.createElement("li");
      li.dataset.id = String(n.id);
      li.className = "unread";
      const a = document.createElement("a");
      a.href = `/notices/${n.id}`;
      a.textContent = n.title;
      const small = document.createElement("small");
      small.textContent = ` ${n.at}`;
      li.append(a, " ", small);
      list.prepend(li);
      added++;
    }
    if (added && status) status.textContent = en ? `${added} new notice(s)` : `新しいお知らせが${added}件あります`;
    const none = document.getElementById("no-notices");
    if (added && none) none.remove();
  });
})();

// Forms with errors: move focus to the summary so screen readers announce it.
(function focusErrors() {
  const s = document.getElementById("error-summary");
  if (s) s.focus();
})();
