// A document verification page (the issuer's, the portal's): the PDF, the photo of the code
// or the pasted code is sent as it is, and the answer shown with its status.
document.addEventListener("submit", async (e) => {
  const form = e.target;
  if (!form.matches("form[data-verify]")) return;
  e.preventDefault();
  const out = form.querySelector("output");
  const file = form.querySelector("input[type=file]").files[0];
  const text = form.querySelector("textarea").value.trim();
  if (!file && !text) {
    out.textContent = "PDF か写真を選ぶか、コードを貼り付けてください / Choose a PDF or a photo, or paste a code";
    return;
  }
  const r = await fetch(form.action, {
    method: "POST",
    body: file ?? text,
    headers: { "content-type": "application/octet-stream" },
  });
  out.textContent = await r.text();
  out.dataset.status = String(r.status);
});
