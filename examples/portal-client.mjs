// What the example services share: calling Myna Portal over HTTPS (the demo's own CA), the
// OAuth 2.0 authorization code flow with PKCE, and checking each signed answer (ES256)
// against the portal's published keys. Node's standard library only.
import { request } from "node:https";
import { readFileSync } from "node:fs";
import { createHash, createPublicKey, randomBytes, verify } from "node:crypto";

export const b64url = (b) => Buffer.from(b).toString("base64url");
export const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function portalClient({ portal, ca, clientId, clientSecret, self, scope }) {
  const CA = readFileSync(ca);
  const pending = new Map(); // state -> PKCE verifier
  function call(method, path, { headers = {}, body } = {}) {
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, portal), { method, ca: CA, headers }, (res) => {
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
  // The redirect to the portal's consent page.
  function authorizeUrl() {
    const verifier = b64url(randomBytes(32));
    const state = b64url(randomBytes(16));
    pending.set(state, verifier);
    const q = new URLSearchParams({
      response_type: "code", client_id: clientId, redirect_uri: `${self}/callback`, scope,
      state, nonce: b64url(randomBytes(16)), code_challenge: b64url(createHash("sha256").update(verifier).digest()), code_challenge_method: "S256",
    });
    return `${portal}/oauth/authorize?${q}`;
  }
  // The callback: the access token, or { error } to show.
  async function callback(url) {
    const state = url.searchParams.get("state");
    const verifier = pending.get(state);
    pending.delete(state);
    if (url.searchParams.get("error")) return { error: `${url.searchParams.get("error")}: ${url.searchParams.get("error_description") ?? ""}`, denied: true };
    if (!verifier) return { error: "unknown state" };
    const form = new URLSearchParams({ grant_type: "authorization_code", code: url.searchParams.get("code"), redirect_uri: `${self}/callback`, code_verifier: verifier, client_id: clientId, client_secret: clientSecret });
    const r = await call("POST", "/oauth/token", { headers: { "content-type": "application/x-www-form-urlencoded" }, body: form.toString() });
    if (r.status !== 200) return { error: `token: ${r.body}` };
    const t = JSON.parse(r.body);
    await verified(t.id_token);
    return { token: t.access_token };
  }
  // One signed self-information answer, checked: { claims } or { status, message }.
  async function self_information(item, token) {
    const r = await call("GET", `/v1/self/${item}`, { headers: { authorization: `Bearer ${token}` } });
    if (r.status !== 200) return { status: r.status, message: JSON.parse(r.body).error?.message ?? r.body };
    return { claims: await verified(r.body) };
  }
  return { call, verified, authorizeUrl, callback, self_information };
}
