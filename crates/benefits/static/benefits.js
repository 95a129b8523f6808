// The bank's result file goes up as it is (bytes, not a form), with the page's CSRF token.
document.addEventListener("submit", async (e) => {
  const form = e.target;
  if (!form.matches("form[data-upload]")) return;
  e.preventDefault();
  const out = form.querySelector("output");
  const file = form.querySelector("input[type=file]").files[0];
  if (!file) {
    out.textContent = "ファイルを選んでください / Choose a file";
    return;
  }
  const r = await fetch(form.action, {
    method: "POST",
    body: file,
    headers: { "x-csrf": form.dataset.csrf, "content-type": "application/octet-stream" },
  });
  out.textContent = await r.text();
  if (r.ok) setTimeout(() => location.reload(), 800);
});
