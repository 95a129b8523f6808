// An example private moving site (引越しポータル, seed 001: ①利用者情報の登録 ②各種手続の案内
// ③自治体関係手続 ④民間関係手続). With the resident's consent through Myna Portal's OAuth
// (scope resident_record only), it reads their household (signed by the portal), takes the
// new address and date, sends the new address to the utilities the resident ticks (the
// 受け手: electricity, gas, water), and hands over to the portal for the 転出届 and 転入予約,
// which the resident signs there with the card. It learns nothing else: not the number, not
// the result of the 転出届. Node's standard library only. Run with:
//   PORTAL=https://localhost:7450 CA=.myna/demo/network/ca.pem CLIENT_ID=… CLIENT_SECRET=… PORT=7461 node server.mjs
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";
import { b64url, esc, portalClient } from "../portal-client.mjs";

const PORTAL = process.env.PORTAL ?? "https://localhost:7450";
const PORT = Number(process.env.PORT ?? 7461);
const SELF = `http://localhost:${PORT}`;
if (!process.env.CLIENT_ID || !process.env.CLIENT_SECRET) throw new Error("set CLIENT_ID and CLIENT_SECRET (myna demo prints them)");
const portal = portalClient({
  portal: PORTAL, ca: process.env.CA ?? ".myna/demo/network/ca.pem", clientId: process.env.CLIENT_ID,
  clientSecret: process.env.CLIENT_SECRET, self: SELF, scope: "openid resident_record",
});
const sessions = new Map(); // cookie -> { token, plan }
// The utilities taking part, and what each was sent (the 受け手's own records, in memory).
const UTILITIES = { electricity: "電気（みらい電力）", gas: "ガス（ひかりガス）", water: "水道（転入先の水道局）" };
const received = Object.fromEntries(Object.keys(UTILITIES).map((k) => [k, []]));

const page = (body) => `<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>ひっこしナビ</title></head><body><main><h1>ひっこしナビ (example)</h1>${body}</main></body></html>`;

function readForm(req) {
  return new Promise((resolve) => {
    let data = "";
    req.on("data", (c) => (data += c));
    req.on("end", () => resolve(new URLSearchParams(data)));
  });
}

createServer(async (req, res) => {
  const url = new URL(req.url, SELF);
  const cookie = (req.headers.cookie ?? "").split(";").map((c) => c.trim().split("=")).find(([k]) => k === "nav")?.[1];
  const send = (status, html, headers = {}) => { res.writeHead(status, { "content-type": "text/html; charset=utf-8", ...headers }); res.end(html); };
  const s = sessions.get(cookie);
  try {
    if (url.pathname === "/" && !s) {
      return send(200, page(`<p>引越しの手続をまとめて案内します。マイナポータルで、あなたの世帯の情報（住民票関係情報）の提供に同意してください。</p><p><a id="connect" href="/login">マイナポータルと連携して始める</a></p>`));
    }
    if (url.pathname === "/") {
      const r = await portal.self_information("resident_record", s.token);
      if (!r.claims) return send(200, page(`<p class="error" id="error">${r.status} ${esc(r.message)}</p>`));
      const rec = r.claims.records?.[0]?.data ?? {};
      const members = (rec.members ?? []).map((m) => `<li>${esc(m.name)}（${esc(m.relationship)}）</li>`).join("");
      const boxes = Object.entries(UTILITIES).map(([k, v]) => `<label><input type="checkbox" name="utility" value="${k}"> ${esc(v)}</label><br>`).join("");
      return send(200, page(`<h2>あなたの世帯（マイナポータルから、署名検証済）</h2><ul id="household">${members}</ul>
        <form method="post" action="/plan">
          <label for="to">新しい住所</label> <input id="to" name="to" required><br>
          <label for="on">引越し（転出）予定日</label> <input id="on" name="on" type="date" required><br>
          <label for="visit">転入先への来庁予定日</label> <input id="visit" name="visit" type="date" required><br>
          <label for="contact">連絡先</label> <input id="contact" name="contact" required><br>
          <fieldset><legend>新しい住所を知らせる事業者（受け手）</legend>${boxes}</fieldset>
          <button type="submit">引越しを登録する</button>
        </form>`));
    }
    if (url.pathname === "/plan" && req.method === "POST" && s) {
      const f = await readForm(req);
      const plan = { to: f.get("to") ?? "", on: f.get("on") ?? "", visit: f.get("visit") ?? "", contact: f.get("contact") ?? "" };
      const chosen = f.getAll("utility").filter((u) => u in UTILITIES);
      for (const u of chosen) received[u].push({ to: plan.to, from_on: plan.on });
      s.plan = plan;
      const handover = `${PORTAL}/moving?${new URLSearchParams({ who: "household", ...plan })}`;
      const sent = chosen.map((u) => `<li>${esc(UTILITIES[u])}</li>`).join("") || "<li>なし</li>";
      return send(200, page(`<p id="registered">引越しを登録しました：${esc(plan.to)}（${esc(plan.on)}）</p>
        <h2>新しい住所を送った事業者</h2><ul id="sent">${sent}</ul>
        <h2>自治体の手続</h2><p>転出届と転入予約は、マイナポータルでマイナンバーカードで署名して出します。</p>
        <p><a id="handover" href="${esc(handover)}">マイナポータルで転出届・転入予約をする</a></p>`));
    }
    // What each utility received (the 受け手's side, for the demo).
    if (url.pathname === "/utilities") return send(200, page(`<pre id="received">${esc(JSON.stringify(received, null, 2))}</pre>`));
    if (url.pathname === "/login") return send(302, "", { location: portal.authorizeUrl() });
    if (url.pathname === "/callback") {
      const r = await portal.callback(url);
      if (r.error) return send(r.denied ? 400 : 502, page(`<p id="denied">${esc(r.error)}</p>`));
      const id = b64url(randomBytes(16));
      sessions.set(id, { token: r.token });
      return send(302, "", { location: "/", "set-cookie": `nav=${id}; HttpOnly; SameSite=Lax; Path=/` });
    }
    send(404, page("not found"));
  } catch (e) {
    send(500, page(`<p>${esc(e.message)}</p>`));
  }
}).listen(PORT, "127.0.0.1", () => console.log(`example moving site on ${SELF}`));
