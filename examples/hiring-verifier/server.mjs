// An example verifier of qualification credentials: a hospital's hiring page asks an applicant
// to show that they are a physician — the registration number and the name, nothing else —
// through Myna Portal, and checks what comes back itself: the qualification system's signature
// (its keys from /.well-known/jwt-vc-issuer), each disclosure's digest, the key binding to the
// holder's card for this page and this request (aud, nonce, sd_hash, age), and the
// registration's status in the published Token Status List. SD-JWT VC, RFC 9901; Node's
// standard library only. Run with:
//   PORTAL=https://localhost:7450 CA=.myna/demo/network/ca.pem node server.mjs
import { createServer } from "node:http";
import { request } from "node:https";
import { createHash, createPublicKey, randomBytes, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { inflateSync } from "node:zlib";
import { b64url, esc } from "../portal-client.mjs";

const PORTAL = process.env.PORTAL ?? "https://localhost:7450";
const PORT = Number(process.env.PORT ?? 7462);
const SELF = `http://localhost:${PORT}`;
const CA = readFileSync(process.env.CA ?? ".myna/demo/network/ca.pem");
const ASKED = ["registration_number", "name"];
const VCT = "urn:myna:qualification:physician";
const pending = new Map(); // state -> { nonce, expires }

const page = (body) => `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>みなと総合病院 医師採用</title></head><body><main><h1>みなと総合病院 医師採用 (example)</h1>${body}</main></body></html>`;
const fromB64 = (s) => Buffer.from(s, "base64url");
const json = (s) => JSON.parse(fromB64(s).toString("utf8"));
const sha = (s) => createHash("sha256").update(s, "ascii").digest("base64url");

function get(url) {
  return new Promise((resolve, reject) => {
    request(url, { ca: CA }, (res) => {
      let data = "";
      res.on("data", (c) => (data += c));
      res.on("end", () => (res.statusCode === 200 ? resolve(data) : reject(new Error(`${url}: ${res.statusCode}`))));
    }).on("error", reject).end();
  });
}

// A compact JWS checked with a JWK (ES256 or RS256).
function checkJws(jws, jwk) {
  const [h, p, s] = jws.split(".");
  const header = json(h);
  const alg = header.alg;
  const key = createPublicKey({ key: jwk, format: "jwk" });
  const ok = alg === "ES256"
    ? verify("sha256", Buffer.from(`${h}.${p}`), { key, dsaEncoding: "ieee-p1363" }, fromB64(s))
    : alg === "RS256" ? verify("sha256", Buffer.from(`${h}.${p}`), key, fromB64(s)) : false;
  if (!ok) throw new Error(`signature (${alg}) does not verify`);
  return { header, payload: json(p) };
}

async function check(vp, state) {
  const wanted = pending.get(state);
  pending.delete(state); // one answer per request
  if (!wanted || wanted.expires < Date.now()) throw new Error("this request expired or was already answered: start again");
  const parts = vp.split("~");
  const kb = parts.pop();
  const [jwt, ...disclosures] = parts;
  const issuer = json(jwt.split(".")[1]).iss;
  const meta = JSON.parse(await get(`${issuer}/.well-known/jwt-vc-issuer`));
  const kid = json(jwt.split(".")[0]).kid;
  const key = meta.jwks.keys.find((k) => k.kid === kid);
  if (meta.issuer !== issuer || !key) throw new Error("not signed by a key the issuer publishes");
  const { header, payload } = checkJws(jwt, key);
  if (header.typ !== "dc+sd-jwt" || payload.vct !== VCT) throw new Error(`not a physician's credential (${payload.vct})`);
  if (payload.exp && payload.exp * 1000 < Date.now()) throw new Error("the credential expired");
  const claims = { qualification: payload.qualification };
  for (const d of disclosures) {
    if (!payload._sd.includes(sha(d))) throw new Error("a disclosure is not part of this credential");
    const [, name, value] = json(d);
    claims[name] = value;
  }
  if (!kb) throw new Error("not bound to the holder's card");
  const binding = checkJws(kb, payload.cnf.jwk).payload;
  if (binding.aud !== SELF) throw new Error(`made for ${binding.aud}, not this page`);
  if (binding.nonce !== wanted.nonce) throw new Error("answers another request");
  if (Math.abs(Date.now() / 1000 - binding.iat) > 300) throw new Error("too old");
  if (binding.sd_hash !== sha(`${parts.join("~")}~`)) throw new Error("the card signed another presentation");
  const { idx, uri } = payload.status.status_list;
  const list = checkJws(await get(uri), key).payload;
  const bytes = inflateSync(fromB64(list.status_list.lst));
  const status = (bytes[Math.floor((idx * 2) / 8)] >> ((idx * 2) % 8)) & 3;
  if (status !== 0) throw new Error(status === 2 ? "the registration is suspended" : "the registration is no longer valid");
  return claims;
}

createServer(async (req, res) => {
  const url = new URL(req.url, SELF);
  const send = (status, html) => { res.writeHead(status, { "content-type": "text/html; charset=utf-8" }); res.end(html); };
  try {
    if (url.pathname === "/" && req.method === "GET") {
      const state = b64url(randomBytes(16));
      const nonce = b64url(randomBytes(16));
      pending.set(state, { nonce, expires: Date.now() + 10 * 60_000 });
      const ask = { client_id: SELF, client_name: "みなと総合病院 医師採用", nonce, state, response_uri: `${SELF}/response`, vct: VCT, claims: ASKED };
      const link = `${PORTAL}/qualifications/present?request=${b64url(JSON.stringify(ask))}`;
      return send(200, page(`<p>応募には医師免許の確認が必要です。確認するのは<strong>医籍登録番号と氏名だけ</strong>です（生年月日などは求めません）。</p><p><a id="present" href="${esc(link)}">マイナポータルで医師資格を提示する</a></p>`));
    }
    if (url.pathname === "/response" && req.method === "POST") {
      let body = "";
      for await (const c of req) body += c;
      const form = new URLSearchParams(body);
      try {
        const claims = await check(form.get("vp_token") ?? "", form.get("state") ?? "");
        const rows = Object.entries(claims).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("");
        return send(200, page(`<p id="verified">確認できました（資格等情報連携・活用システムの署名、カードによる本人の提示、登録の有効性）。</p><table id="claims">${rows}</table><p>受け取った項目はこれだけです。</p>`));
      } catch (e) {
        return send(400, page(`<p id="refused">確認できませんでした: ${esc(e.message)}</p>`));
      }
    }
    send(404, page("not found"));
  } catch (e) {
    send(500, page(`<p>${esc(e.message)}</p>`));
  }
}).listen(PORT, "127.0.0.1", () => console.log(`example hiring verifier on ${SELF}`));
