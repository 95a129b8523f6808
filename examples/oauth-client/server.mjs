// An example private service using Myna Portal's self-information API (自己情報取得API):
// OAuth 2.0 authorization code with PKCE, then the resident's local tax and health-insurance
// data, each response's ES256 signature checked against the portal's published keys.
// Node's standard library only. Run with:
//   PORTAL=https://localhost:7450 CA=.myna/demo/network/ca.pem CLIENT_ID=… CLIENT_SECRET=… node server.mjs
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";
import { b64url, esc, portalClient } from "../portal-client.mjs";

const PORTAL = process.env.PORTAL ?? "https://localhost:7450";
const PORT = Number(process.env.PORT ?? 7460);
const SELF = `http://localhost:${PORT}`;
if (!process.env.CLIENT_ID || !process.env.CLIENT_SECRET) throw new Error("set CLIENT_ID and CLIENT_SECRET (myna demo prints them)");
const portal = portalClient({
  portal: PORTAL, ca: process.env.CA ?? ".myna/demo/network/ca.pem", clientId: process.env.CLIENT_ID,
  clientSecret: process.env.CLIENT_SECRET, self: SELF, scope: "openid local_tax medical_insurance",
});
const sessions = new Map(); // cookie -> access token

const page = (body) => `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>すこやか家計アプリ</title></head><body><main><h1>すこやか家計アプリ (example)</h1>${body}</main></body></html>`;

createServer(async (req, res) => {
  const url = new URL(req.url, SELF);
  const cookie = (req.headers.cookie ?? "").split(";").map((c) => c.trim().split("=")).find(([k]) => k === "app")?.[1];
  const send = (status, html, headers = {}) => { res.writeHead(status, { "content-type": "text/html; charset=utf-8", ...headers }); res.end(html); };
  try {
    if (url.pathname === "/") {
      if (!sessions.has(cookie)) return send(200, page(`<p><a id="connect" href="/login">マイナポータルと連携する</a></p>`));
      const token = sessions.get(cookie);
      const out = [];
      for (const scope of ["local_tax", "medical_insurance"]) {
        const r = await portal.self_information(scope, token);
        if (!r.claims) { out.push(`<p class="error" id="error-${scope}">${esc(scope)}: ${r.status} ${esc(r.message)}</p>`); continue; }
        out.push(`<h2>${esc(scope)} (署名検証済)</h2><pre id="data-${scope}">${esc(JSON.stringify(r.claims.records, null, 2))}</pre>`);
      }
      return send(200, page(out.join("")));
    }
    if (url.pathname === "/login") return send(302, "", { location: portal.authorizeUrl() });
    if (url.pathname === "/callback") {
      const r = await portal.callback(url);
      if (r.denied) return send(400, page(`<p id="denied">${esc(r.error)}</p>`));
      if (r.error) return send(r.error.startsWith("token") ? 502 : 400, page(`<p>${esc(r.error)}</p>`));
      const id = b64url(randomBytes(16));
      sessions.set(id, r.token);
      return send(302, "", { location: "/", "set-cookie": `app=${id}; HttpOnly; SameSite=Lax; Path=/` });
    }
    send(404, page("not found"));
  } catch (e) {
    send(500, page(`<p>${esc(e.message)}</p>`));
  }
}).listen(PORT, "127.0.0.1", () => console.log(`example client on ${SELF}`));
