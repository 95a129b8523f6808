// An example private service using Myna Portal's self-information API (自己情報取得API):
// OAuth 2.0 authorization code with PKCE, then the resident's local tax and health-insurance
// data, each response's ES256 signature checked against the portal's published keys.
// Node's standard library only. Run with:
//   PORTAL=https://localhost:7450 CA=.myna/demo/network/ca.pem CLIENT_ID=… CLIENT_SECRET=… node server.mjs
import { createServer } from "node:http";
import { request } from "node:https";
import { readFileSync } from "node:fs";
import { createHash, createPublicKey, randomBytes, verify } from "node:crypto";

const PORTAL = process.env.PORTAL ?? "https://localhost:7450";
const CA = readFileSync(process.env.CA ?? ".myna/demo/network/ca.pem");
const CLIENT_ID = process.env.CLIENT_ID;
const CLIENT_SECRET = process.env.CLIENT_SECRET;
const PORT = Number(process.env.PORT ?? 7460);
const SELF = `http://localhost:${PORT}`;
if (!CLIENT_ID || !CLIENT_SECRET) throw new Error("set CLIENT_ID and CLIENT_SECRET (myna demo prints them)");

const b64url = (b) => Buffer.from(b).toString("base64url");
const pending = new Map(); // state -> PKCE verifier
const sessions = new Map(); // cookie -> access token

function call(method, path, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, PORTAL), { method, ca: CA, headers }, (res) => {
      let data = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (data += c));
      res.on("end", () => resolve({ status: res.statusCode, body: data }));
    });
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

async function verified(jws) {
  const [h, p, s] = jws.split(".");
  const header = JSON.parse(Buffer.from(h, "base64url"));
  const jwks = JSON.parse((await call("GET", "/oauth/jwks")).body);
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  if (!jwk || header.alg !== "ES256") throw new Error("unknown key or algorithm");
  const key = createPublicKey({ key: jwk, format: "jwk" });
  const ok = verify("sha256", Buffer.from(`${h}.${p}`), { key, dsaEncoding: "ieee-p1363" }, Buffer.from(s, "base64url"));
  if (!ok) throw new Error("the portal's signature does not verify");
  return JSON.parse(Buffer.from(p, "base64url"));
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
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
        const r = await call("GET", `/v1/self/${scope}`, { headers: { authorization: `Bearer ${token}` } });
        if (r.status !== 200) { out.push(`<p class="error" id="error-${scope}">${esc(scope)}: ${r.status} ${esc(JSON.parse(r.body).error?.message ?? r.body)}</p>`); continue; }
        const claims = await verified(r.body);
        out.push(`<h2>${esc(scope)} (署名検証済)</h2><pre id="data-${scope}">${esc(JSON.stringify(claims.records, null, 2))}</pre>`);
      }
      return send(200, page(out.join("")));
    }
    if (url.pathname === "/login") {
      const verifier = b64url(randomBytes(32));
      const state = b64url(randomBytes(16));
      pending.set(state, verifier);
      const q = new URLSearchParams({
        response_type: "code", client_id: CLIENT_ID, redirect_uri: `${SELF}/callback`, scope: "openid local_tax medical_insurance",
        state, nonce: b64url(randomBytes(16)), code_challenge: b64url(createHash("sha256").update(verifier).digest()), code_challenge_method: "S256",
      });
      return send(302, "", { location: `${PORTAL}/oauth/authorize?${q}` });
    }
    if (url.pathname === "/callback") {
      const state = url.searchParams.get("state");
      const verifier = pending.get(state);
      pending.delete(state);
      if (url.searchParams.get("error")) return send(400, page(`<p id="denied">${esc(url.searchParams.get("error"))}: ${esc(url.searchParams.get("error_description") ?? "")}</p>`));
      if (!verifier) return send(400, page("<p>unknown state</p>"));
      const form = new URLSearchParams({ grant_type: "authorization_code", code: url.searchParams.get("code"), redirect_uri: `${SELF}/callback`, code_verifier: verifier, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
      const r = await call("POST", "/oauth/token", { headers: { "content-type": "application/x-www-form-urlencoded" }, body: form.toString() });
      if (r.status !== 200) return send(502, page(`<p>token: ${esc(r.body)}</p>`));
      const t = JSON.parse(r.body);
      await verified(t.id_token);
      const id = b64url(randomBytes(16));
      sessions.set(id, t.access_token);
      return send(302, "", { location: "/", "set-cookie": `app=${id}; HttpOnly; SameSite=Lax; Path=/` });
    }
    send(404, page("not found"));
  } catch (e) {
    send(500, page(`<p>${esc(e.message)}</p>`));
  }
}).listen(PORT, "127.0.0.1", () => console.log(`example client on ${SELF}`));
