// Myna Portal end to end, in headless Chromium against a demo country started here: log in
// with the demo card reader, my information, the exchange history with proofs, a notice
// arriving without a reload, 児童手当の現況届 applied for, received and its status changed by
// the municipality, a card locked by three wrong PINs, a private app granted and revoked,
// and the attacks the portal must refuse. Screenshots of the main pages go to
// target/e2e-screenshots; every main page is checked with axe-core (no serious violations).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";

const ROOT = new URL("..", import.meta.url).pathname;
const MYNA = process.env.MYNA_BIN ?? join(ROOT, "target/debug/myna");
const PORT = 27443;
const PORTAL = `https://localhost:${PORT + 7}`;
const SHOTS = join(ROOT, "target/e2e-screenshots");
const dir = mkdtempSync(join(tmpdir(), "myna-e2e-"));
const CA = join(dir, "network/ca.pem");
let demo, client, movingSite, hiring, browser, out = "";

function waitFor(proc, text, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for "${text}":\n${out}`)), ms);
    const on = (d) => { out += d; if (out.includes(text)) { clearTimeout(timer); resolve(); } };
    proc.stdout.on("data", on);
    proc.stderr.on("data", on);
    proc.on("exit", (c) => reject(new Error(`exited ${c}:\n${out}`)));
  });
}

function call(url, { method = "GET", headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca: readFileSync(CA), headers }, (res) => {
      let data = "";
      res.on("data", (c) => (data += c));
      res.on("end", () => resolve({ status: res.statusCode, body: data, headers: res.headers }));
    });
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

async function axe(page, name) {
  const r = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21aa"]).analyze();
  const bad = r.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`), [], `axe on ${name}`);
}

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function newPage(viewport = { width: 1200, height: 900 }) {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport, locale: "ja-JP" });
  return { ctx, page: await ctx.newPage() };
}

async function login(page, { card = 0, pin = "1234", next } = {}) {
  if (!next) await page.goto(`${PORTAL}/login`);
  await page.getByRole("link", { name: "デモ用カードリーダーを使う" }).click();
  await page.locator('input[name="card"]').nth(card).check();
  await page.getByLabel("利用者証明用パスワード（数字4桁）").fill(pin);
  await page.getByRole("button", { name: "カードで署名してログイン" }).click();
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  demo = spawn(MYNA, ["demo", "--dir", dir, "--residents", "2000", "--port", String(PORT)], { cwd: ROOT });
  await waitFor(demo, "press Ctrl-C", 240_000);
  const m = out.match(/CLIENT_ID=(\S+) CLIENT_SECRET=(\S+)/);
  client = spawn("node", ["examples/oauth-client/server.mjs"], { cwd: ROOT, env: { ...process.env, PORTAL, CA, CLIENT_ID: m[1], CLIENT_SECRET: m[2], PORT: "7460" } });
  await waitFor(client, "example client on", 10_000);
  const mv = out.match(/example moving site: .*?CLIENT_ID=(\S+) CLIENT_SECRET=(\S+)/);
  movingSite = spawn("node", ["examples/moving-site/server.mjs"], { cwd: ROOT, env: { ...process.env, PORTAL, CA, CLIENT_ID: mv[1], CLIENT_SECRET: mv[2], PORT: "7461" } });
  await waitFor(movingSite, "example moving site on", 10_000);
  hiring = spawn("node", ["examples/hiring-verifier/server.mjs"], { cwd: ROOT, env: { ...process.env, PORTAL, CA, PORT: "7462" } });
  await waitFor(hiring, "example hiring verifier on", 10_000);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  client?.kill();
  movingSite?.kill();
  hiring?.kill();
  demo?.kill("SIGINT");
});

test("log in with the card, see my information and a verified exchange history", async () => {
  const { ctx, page } = await newPage();
  await page.goto(PORTAL);
  await shot(page, "01-top");
  await axe(page, "top");
  await page.goto(`${PORTAL}/login`);
  await assert.doesNotReject(page.locator("#challenge").waitFor());
  assert.match(await page.locator("#challenge").textContent(), /^myna-login\/1:/);
  await page.locator(".qr svg").waitFor();
  await shot(page, "02-login");
  await axe(page, "login");
  await login(page);
  await page.waitForURL(`${PORTAL}/`);
  await page.getByRole("link", { name: "わたしの情報" }).first().click();
  await page.getByRole("heading", { name: "地方税関係情報" }).waitFor();
  const tax = await page.locator("section.item", { has: page.getByRole("heading", { name: "地方税関係情報" }) }).textContent();
  assert.match(tax, /千代田区/);
  assert.match(tax, /課税標準額/);
  await shot(page, "03-my-information");
  await axe(page, "my information");
  await page.goto(`${PORTAL}/history`);
  await page.locator("#proofs-ok").waitFor();
  assert.ok((await page.locator("#history tbody tr").count()) > 0);
  assert.equal(await page.locator("#history .error").count(), 0, "every proof verifies");
  await shot(page, "04-history");
  await axe(page, "history");
  await page.reload();
  assert.match(await page.locator("#consistency").textContent(), /以前に確認したログ/);
  await page.selectOption("#item", "local_tax");
  await page.getByRole("button", { name: "絞り込む" }).click();
  const items = await page.locator("#history tbody td:nth-child(5)").allTextContents();
  assert.ok(items.length > 0 && items.every((t) => t === "地方税関係情報"), items.join());
  // English too.
  await page.getByRole("link", { name: "English" }).click();
  await page.getByRole("heading", { name: "Exchange history" }).waitFor();
  await axe(page, "history (en)");
  // J-LIS's lookups of this resident (the card was issued after one by their municipality).
  await page.getByRole("link", { name: "日本語" }).click();
  await page.getByRole("link", { name: /本人確認情報の提供状況/ }).click();
  await page.getByRole("heading", { name: "本人確認情報の提供状況" }).waitFor();
  const kinds = await page.locator("#identity-log tbody td:nth-child(3)").allTextContents();
  assert.ok(kinds.includes("基本4情報による照会"), kinds.join());
  const tasks = await page.locator("#identity-log tbody td:nth-child(4)").allTextContents();
  assert.ok(tasks.includes("個人番号カードの交付"), tasks.join());
  // Every entry is proven in J-LIS's signed tree, and a second visit checks the log only grew.
  const proofText = await page.locator("#identity-proof").textContent();
  const m = proofText.match(/(\d+)\/(\d+)件の記録/);
  assert.ok(m && m[1] === m[2] && Number(m[1]) > 0, proofText);
  await page.reload();
  assert.match(await page.locator("#identity-proof").textContent(), /改ざんされずに追記されています/);
  await shot(page, "04b-identity-log");
  await axe(page, "identity log");
  await ctx.close();
});

test("each demo resident's わたしの情報 shows what their agencies hold, as their story says", async () => {
  // The demo prints each card holder's story, computed from the same population as the copies.
  const all6 = [...out.matchAll(/cards\/(resident\d)\.card\.json\n\s+(.+?)（.+?） \(resident\d at every agency that holds them\): ([^\n]+)\n\s+わたしの情報 shows what (.+) hold of them/g)];
  assert.equal(all6.length, 6, out);
  // The sixth is the wrong link's: 千代田区 answers for someone else's record until it is
  // corrected (the 総点検 test).
  const stories = all6.filter(([, , , story]) => !/マイナンバー情報総点検/.test(story));
  assert.equal(stories.length, 5, out);
  const section = (page, heading) => page.locator("section.item", { has: page.getByRole("heading", { name: heading, exact: true }) });
  for (const [i, [, person, name, story, held]] of stories.entries()) {
    const { ctx, page } = await newPage();
    await login(page, { card: i });
    await page.waitForURL(`${PORTAL}/`);
    await page.goto(`${PORTAL}/me`);
    await section(page, "住民票関係情報").waitFor();
    const city = story.match(/ in (\S+?)[,:]/)[1];
    const record = await section(page, "住民票関係情報").textContent();
    assert.match(record, new RegExp(`保有機関: ${city}`), `${person}: the record is held by ${city}`);
    assert.match(record, new RegExp(name.replace(" ", "\\s*")), `${person}: the household names them`);
    const amounts = [...story.matchAll(/¥[\d,]+/g)].map((m) => m[0]);
    const all = await page.locator("main").textContent();
    for (const a of amounts) assert.ok(all.includes(a), `${person} (${story}): ${a} shown`);
    // Every agency the demo says holds something of them shows it, and no other agency does.
    const expected = [...held.matchAll(/([^,（]+)（(.+?)）/g)].flatMap(([, who, items]) => items.split("・").map((item) => [who.trim(), item]));
    for (const [who, item] of expected) {
      const text = await section(page, item).first().textContent();
      assert.match(text, new RegExp(`保有機関: ${who}`), `${person}: ${item} from ${who}`);
    }
    assert.equal(await page.locator("section.item").count(), expected.length, `${person}: only what the agencies hold (${held})`);
    if (/児童手当/.test(story)) assert.match(await section(page, "児童手当関係情報").textContent(), /支給月額/);
    if (/国民健康保険 \((\d+)\)/.test(story)) {
      const ins = await section(page, "医療保険資格情報").textContent();
      assert.match(ins, new RegExp(`保有機関: ${city}`), "国保 is held by the municipality");
      assert.match(ins, new RegExp(story.match(/国民健康保険 \((\d+)\)/)[1]));
    }
    if (/後期高齢者医療/.test(story)) {
      assert.match(await section(page, "医療保険資格情報").textContent(), /後期高齢者医療広域連合/);
      assert.match(await section(page, "年金給付関係情報").textContent(), /老齢基礎年金/);
    }
    if (/非課税/.test(story)) assert.match(await section(page, "地方税関係情報").textContent(), /非課税\s*はい/);
    if (i === 0) {
      await shot(page, "03b-family-information");
      await axe(page, "my information (family)");
    }
    await ctx.close();
  }
});

test("a notice arrives without reloading", async () => {
  const { ctx, page } = await newPage();
  await login(page);
  await page.waitForURL(`${PORTAL}/`);
  await page.goto(`${PORTAL}/notices`);
  await page.getByText("マイナポータルのご利用ありがとうございます").waitFor();
  assert.match(await page.locator("body").textContent(), /予定されているお知らせ/, "the June status-report notice is scheduled");
  const before = Number(await page.locator("#unread-count").textContent());
  const token = readFileSync(join(dir, "network/municipality:131016/clerk.token"), "utf8").trim();
  const sent = await call(`https://localhost:${PORT + 3}/v1/notices`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ person: "resident1", title: "住民税の納税通知書を発送しました", body: "第1期の納期限は6月30日です。" }),
  });
  assert.equal(sent.status, 200, sent.body);
  await page.getByText("住民税の納税通知書を発送しました").waitFor({ timeout: 10_000 });
  await page.waitForFunction((n) => Number(document.getElementById("unread-count").textContent) === n + 1, before);
  assert.equal(await page.locator("#unread").textContent(), String(before + 1));
  await shot(page, "05-notices");
  await axe(page, "notices");
  await page.getByText("住民税の納税通知書を発送しました").click();
  await page.getByText("第1期の納期限は6月30日です。").waitFor();
  await ctx.close();
});

async function fillGenkyo(page) {
  await page.getByLabel(/^申請者氏名（フリガナ）/).fill("ヌマタ エミ");
  await page.getByLabel(/^申請者生年月日/).fill("1941-11-22");
  await page.getByLabel(/^住所/).fill("東京都千代田区千代田1-1");
  await page.getByLabel(/^電話番号/).fill("03-1234-5678");
  await page.getByLabel(/^加入している年金/).selectOption("national");
  await page.getByLabel(/^児童の氏名/).fill('<script>alert("x")</script>花子');
  await page.getByLabel(/^児童の生年月日/).fill("2020-05-05");
  await page.getByLabel(/^申請者との続柄/).selectOption("grandchild");
  await page.getByLabel(/^児童と同居しているか/).selectOption("yes");
  await page.getByLabel(/^配偶者の有無/).selectOption("no");
}

/// The confirm page's exact bytes, signed with a demo card file by the holder's tool.
function signShown(bytes, card) {
  const file = join(dir, "application.json");
  writeFileSync(file, bytes);
  const r = spawnSync(MYNA, ["card", "sign", join(dir, "cards", card), file], { env: { ...process.env, MYNA_PASSWORD: "DEMO2026" } });
  assert.equal(r.status, 0, r.stderr.toString());
  return readFileSync(join(dir, "application.sig.json"), "utf8");
}

async function pasteAndSubmit(page, signature) {
  await page.getByText("カードリーダーとコマンドで署名する").click();
  await page.getByLabel(/^署名（application.sig.json の内容）/).fill(signature);
  await page.getByRole("button", { name: "署名して申請する" }).click();
}

test("apply for 児童手当の現況届; the municipality receives it and changes its status", async () => {
  const { ctx, page } = await newPage();
  await login(page);
  await page.waitForURL(`${PORTAL}/`);
  // What the municipality's tax record says, to compare with what the form is prefilled with.
  await page.goto(`${PORTAL}/me`);
  const taxSection = page.locator("section.item", { has: page.getByRole("heading", { name: "地方税関係情報", exact: true }) });
  const taxable = (await taxSection.textContent()).match(/課税標準額[^¥]*¥([\d,]+)/)[1].replaceAll(",", "");
  await page.goto(`${PORTAL}/apply`);
  await page.selectOption("#municipality", "131016");
  await page.getByLabel("キーワード").fill("現況届");
  await page.getByRole("button", { name: "検索" }).click();
  await shot(page, "06-apply-search");
  await axe(page, "search");
  await page.getByRole("link", { name: "児童手当等の現況届" }).click();
  // Prefilled from the resident's own information, where the permission table allows.
  assert.notEqual(await page.locator("#f-applicant_name").inputValue(), "");
  assert.equal(await page.getByLabel(/^前年の所得/).inputValue(), taxable);
  await fillGenkyo(page);
  // The declaration is left unticked: refused with the reason, nothing lost.
  await page.getByRole("button", { name: "入力内容を確認する" }).click();
  await page.locator("#error-summary").waitFor();
  assert.match(await page.locator("#error-summary").textContent(), /チェックしてください/);
  assert.equal(await page.getByLabel(/^申請者氏名（フリガナ）/).inputValue(), "ヌマタ エミ", "what was typed is kept");
  await shot(page, "07-form-errors");
  await axe(page, "form with errors");
  await page.getByLabel(/^記載内容に相違ないこと/).check();
  await page.getByRole("button", { name: "入力内容を確認する" }).click();
  await page.getByLabel(/^署名用電子証明書のパスワード/).fill("DEMO2026");
  await shot(page, "08-confirm");
  await page.getByRole("button", { name: "署名して申請する" }).click();
  const receipt = (await page.locator("#receipt").textContent()).trim();
  assert.match(receipt, /^\d{16}$/);
  await shot(page, "09-received");

  // A signature stands for one application of the signed-in resident only (意思表示の証明):
  // another resident's card is refused, and a signature of one draft is refused for another.
  const cards = readdirSync(join(dir, "cards")).filter((f) => f.endsWith(".card.json")).sort();
  const again = async () => {
    await page.goto(`${PORTAL}/apply/131016/kosodate-10`);
    await fillGenkyo(page);
    await page.getByLabel(/^記載内容に相違ないこと/).check();
    await page.getByRole("button", { name: "入力内容を確認する" }).click();
    return page.locator("pre.document code").textContent();
  };
  const shown = await again();
  await pasteAndSubmit(page, signShown(shown, cards[1]));
  assert.match(await page.locator("[role=alert]").textContent(), /ログインしたカードと異なります/);
  const own = signShown(shown, cards[0]);
  await pasteAndSubmit(page, own);
  assert.match((await page.locator("#receipt").textContent()).trim(), /^\d{16}$/, "the resident's own signature is accepted");
  await again();
  await pasteAndSubmit(page, own);
  assert.match(await page.locator("[role=alert]").textContent(), /電子署名を確認できませんでした/, "not for another draft");

  // 千代田区's clerk signs in with a staff card (the second demo card is bound as one); a
  // card that is not a staff card gets no clerk session.
  const stranger = await newPage();
  await stranger.page.goto(`${PORTAL}/clerk/login`);
  await stranger.page.getByRole("link", { name: "カードでログイン" }).click();
  await login(stranger.page, { next: "/clerk/card" });
  await stranger.page.waitForURL(`${PORTAL}/clerk/card`);
  assert.match(await stranger.page.locator("[role=alert]").textContent(), /職員証として登録されていません/);
  await stranger.ctx.close();
  const clerk = await newPage();
  await clerk.page.goto(`${PORTAL}/clerk/login`);
  await axe(clerk.page, "clerk login");
  await clerk.page.getByRole("link", { name: "カードでログイン" }).click();
  await login(clerk.page, { card: 1, next: "/clerk/card" });
  await clerk.page.waitForURL(`${PORTAL}/clerk`);
  await clerk.page.getByRole("link", { name: receipt }).click();
  await clerk.page.locator("#signature.ok").waitFor();
  const text = await clerk.page.locator("main").textContent();
  assert.match(text, /<script>alert\("x"\)<\/script>花子/, "the field shows as text, never runs");
  await shot(clerk.page, "10-clerk-application");
  await axe(clerk.page, "clerk application");
  await clerk.page.getByLabel("状況", { exact: true }).selectOption("approved");
  await clerk.page.getByLabel(/^申請者への連絡/).fill("受理しました。");
  await clerk.page.getByRole("button", { name: "更新する" }).click();
  // The clerk's action is recorded under their staff account.
  await clerk.page.goto(`${PORTAL}/clerk/applications/${receipt}`);
  assert.match(await clerk.page.locator("#updated-by").textContent(), /chiyoda\.clerk2/);
  await clerk.ctx.close();

  await page.goto(`${PORTAL}/applications/${receipt}`);
  assert.equal((await page.locator("#status").textContent()).trim(), "完了");
  assert.equal((await page.locator("#note").textContent()).trim(), "受理しました。");
  await ctx.close();
});

test("three wrong PINs lock the card", async () => {
  const { ctx, page } = await newPage({ width: 390, height: 844 });
  for (const left of [2, 1]) {
    await login(page, { card: 2, pin: "9999" });
    await page.getByRole("alert").getByText(`${left} tries left`).waitFor();
  }
  await login(page, { card: 2, pin: "9999" });
  await page.getByRole("alert").getByText(/locked/).waitFor();
  await login(page, { card: 2, pin: "1234" });
  await page.getByRole("alert").getByText(/locked/).waitFor();
  await shot(page, "11-locked-phone");
  await axe(page, "card reader (phone)");
  await ctx.close();
});

test("a private app gets the resident's consent, reads signed data, and loses access when revoked", async () => {
  const { ctx, page } = await newPage();
  await login(page, { card: 1 });
  await page.waitForURL(`${PORTAL}/`);
  await page.goto("http://localhost:7460/");
  await page.getByRole("link", { name: "マイナポータルと連携する" }).click();
  await page.locator("#consent-items").waitFor();
  assert.match(await page.locator("#consent-items").textContent(), /地方税関係情報/);
  await shot(page, "12-consent");
  await axe(page, "consent");
  await page.getByRole("button", { name: "許可する" }).click();
  await page.locator("#data-local_tax").waitFor();
  assert.match(await page.locator("#data-local_tax").textContent(), /taxable_income/);
  await page.goto(`${PORTAL}/connections`);
  await shot(page, "13-connections");
  await page.getByRole("button", { name: "許可を取り消す" }).click();
  await page.getByText(/取消済/).waitFor();
  await page.goto("http://localhost:7460/");
  assert.match(await page.locator("#error-local_tax").textContent(), /401/);
  await ctx.close();
});

test("attacks and bad input are refused with a clear message", async () => {
  const { ctx, page } = await newPage();
  // Session fixation: a token planted before login is never the session after it.
  await ctx.addCookies([{ name: "__Host-myna_session", value: "attacker-chosen", url: PORTAL }]);
  await login(page);
  await page.waitForURL(`${PORTAL}/`);
  const session = (await ctx.cookies(PORTAL)).find((c) => c.name === "__Host-myna_session");
  assert.ok(session && session.value !== "attacker-chosen" && session.httpOnly && session.secure);
  // CSRF: a form post without the session's token.
  const forged = await page.request.post(`${PORTAL}/logout`, { form: { csrf: "wrong" } });
  assert.equal(forged.status(), 403);
  assert.match(await forged.text(), /別のサイトから送信されました/);
  // Oversized upload.
  const big = await page.request.post(`${PORTAL}/apply/131016/kosodate-10`, { form: { csrf: "x", applicant_name: "a".repeat(100_000) } });
  assert.equal(big.status(), 413);
  assert.match(await big.text(), /大きすぎます/);
  // OAuth: a redirect URI not registered is shown, not followed; a scope not registered goes back as invalid_scope.
  const m = out.match(/CLIENT_ID=(\S+)/);
  const q = (o) => new URLSearchParams({ response_type: "code", client_id: m[1], state: "s", code_challenge: "a".repeat(43), code_challenge_method: "S256", ...o });
  const wrong = await page.request.get(`${PORTAL}/oauth/authorize?${q({ redirect_uri: "https://evil.example/cb", scope: "openid local_tax" })}`, { maxRedirects: 0 });
  assert.equal(wrong.status(), 400);
  assert.match(await wrong.text(), /redirect_uri/);
  const scope = await page.request.get(`${PORTAL}/oauth/authorize?${q({ redirect_uri: "http://localhost:7460/callback", scope: "openid pension_benefit" })}`, { maxRedirects: 0 });
  assert.equal(scope.status(), 303);
  assert.match(scope.headers()["location"], /error=invalid_scope/);
  // A login challenge is good once: the holder's tool signing the same one again is refused.
  await page.goto(`${PORTAL}/login`);
  const challenge = (await page.locator("#challenge").textContent()).trim();
  const card = join(dir, "cards", readdirSync(join(dir, "cards")).sort()[0]);
  const sign = () => new Promise((resolve) => {
    const p = spawn(MYNA, ["card", "login", card, "--service", PORTAL, "--challenge", challenge, "--jlis", `https://localhost:${PORT}`, "--ca", CA], { env: { ...process.env, MYNA_PIN: "1234" } });
    let o = "";
    p.stdout.on("data", (d) => (o += d));
    p.stderr.on("data", (d) => (o += d));
    p.on("exit", (code) => resolve({ code, o }));
  });
  assert.equal((await sign()).code, 0);
  const again = await sign();
  assert.notEqual(again.code, 0);
  assert.match(again.o, /already used/);
  await ctx.close();
});

const HEALTH = `https://localhost:${PORT + 9}`;

test("a clinic checks in a patient with the card and consent; the resident sees it in the portal", async () => {
  const [code, key] = JSON.parse(readFileSync(join(dir, "facilities.json"), "utf8"))["1312345678"].split(":");
  const { ctx, page } = await newPage();
  await page.goto(HEALTH);
  await shot(page, "20-reception-login");
  await axe(page, "reception login");
  // A wrong key is refused.
  await page.getByLabel("医療機関等コード（10桁） / Facility code (10 digits)").fill(code);
  await page.getByLabel("キー / Key").fill("0".repeat(64));
  await page.getByRole("button", { name: "ログイン / Sign in", exact: true }).click();
  assert.match(await page.locator(".error").textContent(), /キーが違います/);
  // The receptionist signs in as themselves with their staff card (on the demo's staff card
  // reader); the page names them.
  // Another organization's staff card (J-LIS's hotline operator) is no staff card here.
  await page.goto(HEALTH);
  await page.getByLabel("職員カード / Staff card").selectOption("hotline-operator.card.json");
  await page.getByLabel("暗証番号（4桁） / PIN (4 digits)").fill("1234");
  await page.getByRole("button", { name: "カードでログイン / Sign in with the card" }).click();
  assert.match(await page.locator(".error").textContent(), /not bound to a staff account here/);
  await page.goto(HEALTH);
  await page.getByLabel("職員カード / Staff card").selectOption("clinic-reception.card.json");
  await page.getByLabel("暗証番号（4桁） / PIN (4 digits)").fill("1234");
  await page.getByRole("button", { name: "カードでログイン / Sign in with the card" }).click();
  await page.waitForURL(`${HEALTH}/reception`);
  assert.match(await page.locator("#staff-name").textContent(), /clinic\.reception1/);
  await shot(page, "21-reception");
  await axe(page, "reception");
  // The staff's page holds no PIN and no consent: the patient gives both at the reader.
  assert.equal(await page.getByLabel(/^薬剤情報/).count(), 0);
  const reader = await ctx.newPage();
  await reader.goto(`${HEALTH}/reader`);
  await shot(reader, "21b-card-reader");
  await axe(reader, "card reader");
  // The stand-in face match with someone else's image: refused before the card signs.
  await reader.getByLabel("顔認証を行う / Face match").check();
  await reader.getByLabel(/カメラ画像/).selectOption("other");
  await reader.getByRole("button", { name: "受付する / Check in" }).click();
  assert.match(await reader.locator(".error").textContent(), /顔認証できませんでした/);
  // PIN, consent to medication and checkups, and registration for insurance use.
  await reader.goto(`${HEALTH}/reader`);
  await reader.getByLabel("暗証番号（4桁） / PIN (4 digits)").fill("1234");
  await reader.getByLabel(/^薬剤情報/).check();
  await reader.getByLabel(/^過去の健診情報/).check();
  await reader.getByLabel(/利用登録も行う/).check();
  await reader.getByRole("button", { name: "受付する / Check in" }).click();
  await reader.getByRole("heading", { name: "受付が完了しました / You are checked in" }).waitFor();
  // The patient's screen shows nothing of their record.
  assert.doesNotMatch(await reader.locator("main").textContent(), /01130012/);
  await reader.close();
  // The staff's page receives the check-in.
  await page.goto(`${HEALTH}/reception`);
  await page.locator("section[aria-labelledby=card] table a").first().click();
  await page.getByRole("heading", { name: "資格確認が完了しました / Eligibility confirmed" }).waitFor();
  // The first card holder's insurance card, as the demo prints it.
  const [, insurer, symbol, number] = out.match(/resident1\.card\.json\n(?:.*\n){1,3}?\s+\S+: 保険者番号 (\d+) 記号 (\S+) 番号 (\d+)/);
  assert.match(await page.locator(".result").textContent(), new RegExp(insurer));
  await shot(page, "22-reception-result");
  await axe(page, "reception result");
  await page.getByRole("link", { name: "薬剤情報 / Medication" }).click();
  assert.match(await page.locator("table").textContent(), /アムロジピン錠5mg/);
  await shot(page, "23-reception-medication");
  // Treatment was not consented: the facility gets nothing.
  const refused = await page.goto(page.url().replace(/\/medication$/, "/treatment"));
  assert.equal(refused.status(), 403);
  assert.match(await page.locator(".error").textContent(), /did not consent/);
  // A patient without the card: by the insurance card's fields.
  await page.goto(`${HEALTH}/reception`);
  await page.getByLabel("保険者番号 / Insurer number").fill(insurer);
  if (symbol !== "-") await page.getByLabel("記号 / Symbol").fill(symbol);
  await page.getByLabel("番号 / Number").fill(number);
  await page.getByRole("button", { name: "照会する / Look up" }).click();
  assert.match(await page.locator("table").textContent(), /有効/);
  await ctx.close();

  // The resident, in the portal: registered, the check with what was shared, the checkups'
  // trend, and the tax-return export.
  const me = await newPage();
  await login(me.page);
  await me.page.waitForURL(`${PORTAL}/`);
  await me.page.goto(`${PORTAL}/health`);
  assert.match(await me.page.locator("main").textContent(), /登録済みです/);
  const checks = await me.page.locator("section[aria-labelledby=checks] table").textContent();
  assert.match(checks, /千代田オン資格クリニック/);
  assert.match(checks, /健診情報、薬剤情報/);
  await shot(me.page, "24-portal-health");
  await axe(me.page, "portal health");
  await me.page.goto(`${PORTAL}/health/checkups`);
  assert.ok((await me.page.locator("table.trend thead th").count()) >= 7, "five years side by side");
  assert.match(await me.page.locator("table.trend").textContent(), /↑ 上昇/);
  await shot(me.page, "25-portal-checkups");
  await axe(me.page, "portal checkups");
  await me.page.goto(`${PORTAL}/health/medication`);
  assert.match(await me.page.locator("main").textContent(), /削減可能額の合計/);
  await axe(me.page, "portal medication");
  const year = new Date().getFullYear();
  const tax = await me.ctx.request.get(`${PORTAL}/health/download/tax.csv?year=${year}`);
  assert.equal(tax.status(), 200);
  const csv = await tax.text();
  assert.match(csv, /医療を受けた人/);
  assert.match(csv, /合計/);
  const pdf = await me.ctx.request.get(`${PORTAL}/health/download/medication.pdf`);
  assert.equal(pdf.headers()["content-type"], "application/pdf");
  assert.equal((await pdf.body()).subarray(0, 5).toString(), "%PDF-");
  await me.ctx.close();
});

const BENEFITS = `https://localhost:${PORT + 32}`;

test("a push benefit: the resident sees it with the account and declines; the clerk sees the decline", async () => {
  // resident4 lives in a non-taxable household with children, with a public-fund account.
  assert.match(out, /resident4 at every agency that holds them\): \d+ in 千代田区, 住民税非課税世帯 with children/);
  const { ctx, page } = await newPage();
  await login(page, { card: 3 });
  await page.waitForURL(`${PORTAL}/`);
  await page.goto(`${PORTAL}/notices`);
  await page.getByRole("link", { name: /子育て世帯生活支援特別給付金のお知らせ（¥[\d,]+）/ }).click();
  const notice = await page.locator("main").textContent();
  assert.match(notice, /申請は要りません/);
  assert.match(notice, /振込先: .+ \*\*\*\*\d{3}/, "the account, masked");
  assert.match(notice, /令和\d+年\d+月\d+日/);
  await shot(page, "30-benefit-notice");
  await axe(page, "benefit notice");
  await page.getByRole("button", { name: "受け取らない（辞退する）" }).click();
  await page.locator("#replied").waitFor();
  // The account was asked for through the hub: the exchange is in やりとり履歴.
  await page.goto(`${PORTAL}/history`);
  assert.match(await page.locator("main").textContent(), /公金受取口座情報/);
  await ctx.close();

  const { ctx: c2, page: clerk } = await newPage();
  await clerk.goto(BENEFITS);
  await axe(clerk, "benefits sign-in");
  // 大阪市's clerk is no staff of 千代田区's.
  await clerk.getByLabel("職員カード / Staff card").selectOption("osaka-clerk.card.json");
  await clerk.getByLabel("暗証番号（4桁） / PIN (4 digits)").fill("1234");
  await clerk.getByRole("button", { name: "ログイン / Sign in" }).click();
  assert.match(await clerk.locator(".error").textContent(), /not bound to a staff account here/);
  await clerk.goto(BENEFITS);
  await clerk.getByLabel("職員カード / Staff card").selectOption("chiyoda-clerk.card.json");
  await clerk.getByLabel("暗証番号（4桁） / PIN (4 digits)").fill("1234");
  await clerk.getByRole("button", { name: "ログイン / Sign in" }).click();
  await clerk.getByRole("link", { name: "子育て世帯生活支援特別給付金" }).click();
  assert.match(await clerk.locator("#tally").textContent(), /受給拒否/);
  await shot(clerk, "31-benefit-clerk");
  await axe(clerk, "benefit");
  // Not before the deadline: residents may still decline.
  await clerk.getByRole("button", { name: /支給を決定し/ }).click();
  assert.match(await clerk.locator(".error").textContent(), /decline until/);
  // A rule that would read what the municipality may not ask for is refused with the reason.
  await clerk.goto(BENEFITS);
  await clerk.getByLabel("受給している給付 / Receives").selectOption("pension_benefit");
  await clerk.getByRole("button", { name: "定義する / Define" }).click();
  assert.match(await clerk.locator(".error").textContent(), /pension_benefit/);
  await c2.close();
});

test("a resident registers a public-fund account, signed with the card; a wrong name is refused with the reason", async () => {
  // resident2 has no account registered; the demo prints their name and its reading.
  const [, kana] = out.match(/resident2\.card\.json\n\s+\S+ \S+（(.+?)）/);
  const { ctx, page } = await newPage();
  await login(page, { card: 1 });
  await page.waitForURL(`${PORTAL}/`);
  await page.goto(`${PORTAL}/accounts`);
  await page.locator("#no-account").waitFor();
  await axe(page, "public-fund account");
  const fill = async (bank, holder) => {
    await page.getByLabel("金融機関コード（4桁）").fill(bank);
    await page.getByLabel("支店コード（3桁）").fill("001");
    await page.getByLabel("口座番号（7桁まで）").fill("7654321");
    await page.getByLabel("口座名義（カナ）").fill(holder);
    await page.getByRole("button", { name: "入力内容を確認する" }).click();
  };
  // A bank code that is no bank: refused at once, what was typed kept.
  await fill("0002", kana);
  assert.match(await page.locator("#account-problem").textContent(), /0002/);
  assert.equal(await page.getByLabel("口座名義（カナ）").inputValue(), kana);
  // Someone else's name: the registry refuses it against the reading J-LIS gives.
  await fill("0001", "ヤマダ タロウ");
  await page.getByLabel(/^署名用電子証明書のパスワード/).fill("DEMO2026");
  await page.getByRole("button", { name: "署名して送る" }).click();
  assert.match(await page.locator("main").textContent(), /受け付けられませんでした: .*registered reading/);
  await page.goto(`${PORTAL}/accounts`);
  await fill("0001", kana);
  assert.match(await page.locator("#confirm-bank").textContent(), /みずほ/);
  await shot(page, "32-account-confirm");
  await axe(page, "account confirm");
  await page.getByLabel(/^署名用電子証明書のパスワード/).fill("DEMO2026");
  await page.getByRole("button", { name: "署名して送る" }).click();
  await page.locator("#account-done").waitFor();
  await page.goto(`${PORTAL}/accounts`);
  assert.match(await page.locator("#account-status").textContent(), /登録済み/);
  assert.match(await page.locator("#account").textContent(), /7654321/);
  await ctx.close();
});

test("a resident links their number to their accounts at their bank and finds them (預貯金口座付番・所在確認)", async () => {
  const { ctx, page } = await newPage();
  await login(page, { card: 0 });
  await page.waitForURL(`${PORTAL}/`);
  // resident1's public-fund account names their bank.
  await page.goto(`${PORTAL}/accounts`);
  const bank = (await page.locator("#account").textContent()).match(/\((\d{4})\)/)[1];
  await page.goto(`${PORTAL}/deposits`);
  await axe(page, "deposits");
  // A code that is no bank: refused before anything is signed.
  await page.getByLabel(/^付番する金融機関のコード/).fill("0002");
  await page.getByRole("button", { name: "付番を申し込む" }).click();
  assert.match(await page.locator("main").textContent(), /金融機関コード 0002 はありません/);
  await page.goto(`${PORTAL}/deposits`);
  await page.getByLabel(/^付番する金融機関のコード/).fill(bank);
  await page.getByRole("button", { name: "付番を申し込む" }).click();
  await page.getByLabel(/^署名用電子証明書のパスワード/).fill("DEMO2026");
  await page.getByRole("button", { name: "署名して送る" }).click();
  await page.locator("#deposit-done").waitFor();
  await page.goto(`${PORTAL}/notices`);
  await page.getByRole("link", { name: "預貯金口座への付番の結果" }).first().click();
  assert.match(await page.locator("main").textContent(), /[1-9]\d*口座/);
  // Where are my accounts: the one just linked.
  await page.goto(`${PORTAL}/deposits`);
  await page.getByRole("button", { name: "口座の所在を確認する（災害時）" }).click();
  await page.getByLabel(/^署名用電子証明書のパスワード/).fill("DEMO2026");
  await page.getByRole("button", { name: "署名して送る" }).click();
  await page.locator("#deposit-done").waitFor();
  await page.goto(`${PORTAL}/notices`);
  await page.getByRole("link", { name: "預貯金口座の所在確認の結果" }).first().click();
  assert.match(await page.locator("main").textContent(), /\*\*\*\*\d{3}/);
  await shot(page, "33-deposit-whereabouts");
  await ctx.close();
});

test("a resident moves from 千代田区 to 大阪市 with one application; 大阪市's clerk completes the 転入 (引越しワンストップ)", async () => {
  // A demo resident of 千代田区 (last: the move changes where they live).
  const found = [...out.matchAll(/resident(\d+) at every agency that holds them\): [^\n]*in 千代田区/g)].pop();
  const card = Number(found[1]) - 1;
  const name = out.match(new RegExp(`\\n\\s+(\\S+ \\S+)（[^）\\n]+） \\(resident${found[1]} at every agency`))[1];
  const osaka = out.match(/benefit system\s+(\S+)\s+大阪市's/)[1];
  const day = (d) => new Date(Date.now() + 9 * 3600_000 + d * 86_400_000).toISOString().slice(0, 10);
  const { ctx, page } = await newPage();
  await login(page, { card });
  await page.waitForURL(`${PORTAL}/`);
  const fill = async (on) => {
    await page.goto(`${PORTAL}/moving`);
    await page.getByLabel("世帯全員").check();
    await page.getByLabel("新しい住所").fill("大阪府大阪市北区梅田1-1");
    await page.getByLabel(/^転出予定日/).fill(on);
    await page.getByLabel("転入先への来庁予定日").fill(day(1));
    await page.getByLabel(/^連絡先/).fill("090-1234-5678");
    await page.getByRole("button", { name: "確認する" }).click();
  };
  await page.goto(`${PORTAL}/moving`);
  await axe(page, "moving");
  // An address no municipality has: refused before anything is signed.
  await page.getByLabel("新しい住所").fill("どこか遠く");
  await page.getByLabel(/^転出予定日/).fill(day(0));
  await page.getByLabel("転入先への来庁予定日").fill(day(1));
  await page.getByLabel(/^連絡先/).fill("090-1234-5678");
  await page.getByRole("button", { name: "確認する" }).click();
  assert.match(await page.locator("#moving-problem").textContent(), /新しい住所/);
  // A move planned a month ahead: refused with the reason before anything is signed.
  await fill(day(30));
  assert.match(await page.locator("#moving-problem").textContent(), /14 days/);
  await fill(day(0));
  assert.match(await page.locator("#move-city").textContent(), /大阪市/);
  await shot(page, "34-moving-confirm");
  await axe(page, "moving confirm");
  await page.getByLabel(/^署名用電子証明書のパスワード/).fill("DEMO2026");
  await page.getByRole("button", { name: "署名して送る" }).click();
  assert.match(await page.locator("#move-out-status").textContent(), /転出届を受け付けました/);
  assert.match(await page.locator("#move-in-status").textContent(), /転入予約を受け付けました/);
  // What follows the move is offered: what ends at the old municipality, what starts at the new.
  const follow = await page.locator("#follow-up").textContent();
  assert.match(follow, /受給事由消滅の届出\s*東京都千代田区/);
  assert.match(follow, /児童手当等の受給資格及び児童手当の額についての認定請求\s*大阪府大阪市/);
  await axe(page, "moving done");

  // 千代田区's clerk sees the 転出届 it took.
  const { ctx: c1, page: old } = await newPage();
  await old.goto(BENEFITS);
  await old.getByLabel("職員カード / Staff card").selectOption("chiyoda-clerk.card.json");
  await old.getByLabel("暗証番号（4桁） / PIN (4 digits)").fill("1234");
  await old.getByRole("button", { name: "ログイン / Sign in" }).click();
  await old.locator("#to-moves").click();
  const departures = await old.locator("#departures").textContent();
  assert.ok(departures.includes(name), `${name} in ${departures}`);
  assert.match(departures, /大阪府大阪市北区梅田/);
  await axe(old, "departures");
  await c1.close();

  // 大阪市's clerk sees the 転出証明書情報 beside the reservation, and completes the 転入.
  const { ctx: c2, page: clerk } = await newPage();
  await clerk.goto(osaka.replace("127.0.0.1", "localhost"));
  await clerk.getByLabel("職員カード / Staff card").selectOption("osaka-clerk.card.json");
  await clerk.getByLabel("暗証番号（4桁） / PIN (4 digits)").fill("1234");
  await clerk.getByRole("button", { name: "ログイン / Sign in" }).click();
  await clerk.locator("#to-moves").click();
  const arrivals = await clerk.locator("main").textContent();
  assert.match(arrivals, /転入予約/);
  assert.match(arrivals, /090-1234-5678/);
  assert.ok(arrivals.includes(name), `${name} in the 転出証明書情報: ${arrivals}`);
  await shot(clerk, "35-moving-arrivals");
  await axe(clerk, "arrivals");
  await clerk.getByRole("button", { name: "転入を完了する / Complete the move-in" }).first().click();
  await clerk.locator("#moved-in").waitFor();
  assert.match(await clerk.locator("main").textContent(), /大阪府大阪市北区梅田/);
  // The card's signing certificate named the old address: a new one at the counter, after
  // the holder's password (a wrong one is refused by the card).
  await clerk.getByLabel("カード / Card").selectOption(`resident${found[1]}.card.json`);
  await clerk.getByLabel(/^署名用パスワード/).fill("WRONG99");
  await clerk.getByRole("button", { name: "新しい証明書を発行する / Issue the new certificate" }).click();
  assert.match(await clerk.locator(".error").textContent(), /tries left|password|パスワード/i);
  await clerk.goto(`${osaka.replace("127.0.0.1", "localhost")}/moves`);
  await clerk.getByLabel("カード / Card").selectOption(`resident${found[1]}.card.json`);
  await clerk.getByLabel(/^署名用パスワード/).fill("DEMO2026");
  await clerk.getByLabel(/^券面事項入力補助用の暗証番号/).fill("1234");
  await clerk.getByRole("button", { name: "新しい証明書を発行する / Issue the new certificate" }).click();
  assert.match(await clerk.locator("#renewed-address").textContent(), /大阪府大阪市北区梅田/);
  // The card's face data names the new address as well (read by an intake, not typed).
  assert.match(await clerk.locator("#face-rewritten").textContent(), /書き換えました/);
  await c2.close();

  // The new certificate signs: a request signed with it is taken (預金保険機構 has J-LIS check it).
  await page.goto(`${PORTAL}/deposits`);
  await page.getByRole("button", { name: "口座の所在を確認する（災害時）" }).click();
  await page.getByLabel(/^署名用電子証明書のパスワード/).fill("DEMO2026");
  await page.getByRole("button", { name: "署名して送る" }).click();
  await page.locator("#deposit-done").waitFor();

  // The resident is told of both, and the pushes are in やりとり履歴.
  await page.goto(`${PORTAL}/notices`);
  const notices = await page.locator("main").textContent();
  assert.match(notices, /転出届を受け付けました/);
  assert.match(notices, /転入の手続が完了しました/);
  await page.goto(`${PORTAL}/history`);
  assert.match(await page.locator("main").textContent(), /転入予約/);
  // The advance notice: J-LIS handed their 転出証明書情報 to 大阪市, in J-LIS's record the
  // resident reads.
  await page.goto(`${PORTAL}/history/identity`);
  const handed = await page.locator("main").textContent();
  assert.match(handed, /転出証明書情報の事前通知/);
  assert.match(handed, /大阪市/);
  await ctx.close();
});

test("a private moving site registers the move with the resident's consent, tells the chosen utilities, and hands over to the portal", async () => {
  const { ctx, page } = await newPage();
  await login(page, { card: 0 });
  await page.waitForURL(`${PORTAL}/`);
  await page.goto("http://localhost:7461/");
  await page.getByRole("link", { name: "マイナポータルと連携して始める" }).click();
  await page.locator("#consent-items").waitFor();
  assert.match(await page.locator("#consent-items").textContent(), /住民票関係情報/);
  await page.getByRole("button", { name: "許可する" }).click();
  await page.locator("#household").waitFor();
  assert.ok((await page.locator("#household li").count()) >= 1, "the household, as the portal signed it");
  const day = (d) => new Date(Date.now() + 9 * 3600_000 + d * 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel("新しい住所").fill("大阪府大阪市北区中之島1-3-20");
  await page.getByLabel("引越し（転出）予定日").fill(day(7));
  await page.getByLabel("転入先への来庁予定日").fill(day(8));
  await page.getByLabel("連絡先").fill("090-8765-4321");
  await page.getByLabel("電気（みらい電力）").check();
  await page.getByLabel("水道（転入先の水道局）").check();
  await page.getByRole("button", { name: "引越しを登録する" }).click();
  const sent = await page.locator("#sent").textContent();
  assert.match(sent, /電気/);
  assert.match(sent, /水道/);
  assert.doesNotMatch(sent, /ガス/, "only the utilities ticked");
  const received = JSON.parse(await (await ctx.request.get("http://localhost:7461/utilities")).text().then((t) => t.match(/<pre id="received">([\s\S]*)<\/pre>/)[1].replace(/&#34;/g, '"')));
  assert.equal(received.gas.length, 0);
  assert.equal(received.electricity.at(-1).to, "大阪府大阪市北区中之島1-3-20");
  // Handed over: the portal's 引越し page, prefilled, for the resident to review and sign.
  await page.locator("#handover").click();
  await page.waitForURL(/\/moving\?/);
  assert.equal(await page.getByLabel("新しい住所").inputValue(), "大阪府大阪市北区中之島1-3-20");
  assert.equal(await page.getByLabel(/^転出予定日/).inputValue(), day(7));
  assert.equal(await page.getByLabel(/^連絡先/).inputValue(), "090-8765-4321");
  await axe(page, "moving, handed over");
  await ctx.close();
});

test("マイナンバー情報総点検: a record linked to the wrong number is corrected by the clerk, and both people see what happened", async () => {
  // The demo's wrong link: 千代田区's record of someone else carries residentN's number.
  const m = out.match(/マイナンバー情報総点検: 千代田区's record of (\S+ \S+) was linked before 2023 to resident(\d+)'s number.*?correct it with their number (\d{12})/);
  assert.ok(m, "the demo prints the wrong link");
  const [, other, n, rightNumber] = m;
  const card = Number(n) - 1;
  const { ctx, page } = await newPage();
  await login(page, { card });
  await page.waitForURL(`${PORTAL}/`);
  // Under the wrong link, わたしの情報 shows 千代田区's records of the other person.
  await page.goto(`${PORTAL}/me`);
  await page.getByRole("heading", { name: "住民票関係情報" }).first().waitFor();
  const records = await page.locator("section.item", { has: page.getByRole("heading", { name: "住民票関係情報" }) }).allTextContents();
  assert.ok(records.some((t) => /千代田区/.test(t)), `千代田区 answers for a record that is not theirs: ${records}`);
  await ctx.close();

  const { ctx: c2, page: clerk } = await newPage();
  await clerk.goto(BENEFITS);
  await clerk.getByLabel("職員カード / Staff card").selectOption("chiyoda-clerk.card.json");
  await clerk.getByLabel("暗証番号（4桁） / PIN (4 digits)").fill("1234");
  await clerk.getByRole("button", { name: "ログイン / Sign in" }).click();
  await clerk.locator("#to-links").click();
  const queued = clerk.locator("section.suspect", { hasText: other });
  await queued.waitFor().catch(async (e) => { throw new Error(`${e}\n${await clerk.locator("body").textContent()}`); });
  assert.match(await queued.textContent(), /未確認/);
  await shot(clerk, "40-suspect-links");
  await axe(clerk, "suspect links");
  // A number that is not the person's is refused by J-LIS, saying which item differs.
  await queued.getByLabel(/正しい個人番号/).fill("123456789018");
  await queued.getByRole("button", { name: /紐付けを訂正する/ }).click();
  assert.match(await clerk.locator(".error").textContent(), /no resident|not that of this number/);
  await clerk.goto(`${BENEFITS}/links`);
  await clerk.locator("section.suspect", { hasText: other }).getByLabel(/正しい個人番号/).fill(rightNumber);
  await clerk.locator("section.suspect", { hasText: other }).getByRole("button", { name: /紐付けを訂正する/ }).click();
  assert.match(await clerk.locator("#corrected").textContent(), /紐付け直しました/);
  await clerk.goto(`${BENEFITS}/links`);
  assert.match(await clerk.locator("section.suspect", { hasText: other }).textContent(), /訂正済み/);
  await c2.close();

  // The resident is told, and やりとり履歴 marks the exchanges made under the wrong link.
  const { ctx: c3, page: me } = await newPage();
  await login(me, { card });
  await me.waitForURL(`${PORTAL}/`);
  await me.goto(`${PORTAL}/notices`);
  assert.match(await me.locator("main").textContent(), /紐付けの訂正のお知らせ（別の方の記録）/);
  await me.goto(`${PORTAL}/history`);
  await me.locator("#mislinks").waitFor();
  assert.ok((await me.locator("#history tr.mislinked").count()) > 0, "the exchanges under the wrong link are marked");
  assert.equal(await me.locator("#history .error").count(), 0, "every proof still verifies");
  await shot(me, "41-history-mislinked");
  await axe(me, "history with a corrected link");
  await c3.close();
});

test("券面事項入力補助: a clerk enrols a person from their card, the number and the 4 items read, not typed", async () => {
  // A demo resident of 千代田区, whom 千代田区 already holds, and one who lives elsewhere
  // (resident6, whose number 千代田区's wrong record no longer carries once corrected above).
  const here = [...out.matchAll(/resident(\d+) at every agency that holds them\): [^\n]*in 千代田区/g)][0][1];
  const away = out.match(/resident(\d+) at every agency that holds them\): \d+ in (?!千代田区)/)[1];
  const nameOf = (n) => out.match(new RegExp(`\\n\\s+(\\S+ \\S+)（[^）\\n]+） \\(resident${n} at every agency`))[1];
  assert.match(out, /券面事項入力補助: \S+\/intake/, "the demo says where to try it");
  const { ctx, page: clerk } = await newPage();
  await clerk.goto(BENEFITS);
  await clerk.getByLabel("職員カード / Staff card").selectOption("chiyoda-clerk.card.json");
  await clerk.getByLabel("暗証番号（4桁） / PIN (4 digits)").fill("1234");
  await clerk.getByRole("button", { name: "ログイン / Sign in" }).click();
  await clerk.locator("#to-intake").click();
  await axe(clerk, "intake");
  const read = async (n, pin, ref) => {
    await clerk.goto(`${BENEFITS}/intake`);
    await clerk.getByLabel(/整理番号/).fill(ref);
    await clerk.locator("#card").selectOption(`resident${n}.card.json`);
    await clerk.getByLabel(/^暗証番号/).fill(pin);
    await clerk.getByRole("button", { name: /読み取る/ }).click();
  };
  // A wrong PIN: the card says how many tries are left.
  await read(away, "0000", "e2e-intake-1");
  assert.match(await clerk.locator(".error").textContent(), /2 tries left/);
  await read(away, "1234", "e2e-intake-1");
  await clerk.locator("#face-read").waitFor().catch(async (e) => { throw new Error(`${e}\n${await clerk.locator("body").textContent()}`); });
  assert.equal(await clerk.locator("#face-name").textContent(), nameOf(away));
  assert.match(await clerk.locator("#face-number").textContent(), /^•••• •••• \d{4}$/, "only the last 4 digits on screen");
  await shot(clerk, "42-intake-read");
  await axe(clerk, "intake read");
  await clerk.getByRole("button", { name: /この内容で登録する/ }).click();
  await clerk.locator("#enrolled").waitFor().catch(async (e) => { throw new Error(`${e}\n${await clerk.locator("body").textContent()}`); });
  assert.match(await clerk.locator("#enrolled").textContent(), /カードから読み取った個人番号で登録しました/);
  // Someone 千代田区 already holds: the clerk is told under which reference.
  await read(here, "1234", "e2e-intake-2");
  await clerk.getByRole("button", { name: /この内容で登録する/ }).click();
  assert.match(await clerk.locator(".error").textContent(), new RegExp(`already enrolled here as resident${here}`));
  await ctx.close();
});

test("窓口交付: a clerk issues a 住民票の写し at the counter; the PDF's signed code checks offline", async () => {
  const m = out.match(/窓口交付: (\S+)\/certificates .*?issue (resident\d+)'s 住民票の写し with resident code (\d{11})/);
  assert.ok(m, "the demo says where to try it and for whom");
  const [, office, person, code] = m;
  const { ctx, page: clerk } = await newPage();
  await clerk.goto(office);
  await clerk.getByLabel("職員カード / Staff card").selectOption("chiyoda-clerk.card.json");
  await clerk.getByLabel("暗証番号（4桁） / PIN (4 digits)").fill("1234");
  await clerk.getByRole("button", { name: "ログイン / Sign in" }).click();
  await clerk.locator("#to-certificates").click();
  await axe(clerk, "certificates at the counter");
  await shot(clerk, "43-counter-certificates");
  // Someone who is not a resident here is refused with the reason.
  await clerk.getByLabel(/住民票コード/).fill("99999999999");
  await clerk.getByRole("button", { name: /交付する/ }).click();
  assert.match(await clerk.locator(".error").textContent(), /住民登録がありません|no resident/);
  await clerk.goto(`${office}/certificates`);
  await clerk.getByLabel(/住民票コード/).fill(code);
  await clerk.locator("#kind").selectOption("resident_copy");
  await clerk.getByLabel(/続柄/).check();
  const [download] = await Promise.all([clerk.waitForEvent("download"), clerk.getByRole("button", { name: /交付する/ }).click()]);
  const dir = mkdtempSync(join(tmpdir(), "myna-e2e-doc-"));
  const pdf = join(dir, "doc.pdf");
  await download.saveAs(pdf);
  assert.ok(readFileSync(pdf).subarray(0, 5).toString() === "%PDF-", "a PDF");
  // The key list as J-LIS publishes it: every municipality's key and the issuance log's.
  const keys = await call(`https://localhost:${PORT}/v1/issuers/keys`);
  assert.equal(keys.status, 200);
  assert.ok(JSON.parse(keys.body).issuers.some((k) => k.kid === "131016"), keys.body);
  writeFileSync(join(dir, "keys.json"), keys.body);
  const v = spawnSync(MYNA, ["doc", "verify", pdf, "--keys", join(dir, "keys.json")], { encoding: "utf8" });
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stdout, /VALID: signed by 千代田区長 \(131016\)/);
  assert.match(v.stdout, /entry \d+ of J-LIS.s issuance log/);
  assert.match(v.stdout, /住民票の写し/);
  assert.match(v.stdout, /窓口交付 \/ at the counter/);
  const serial = v.stdout.match(/serial:\s+(\S+)/)[1];

  // Anyone checks it on the issuer's verification page: good, altered by one character, and
  // withdrawn by the clerk.
  const { ctx: anon, page: visitor } = await newPage();
  const check = async (file) => {
    await visitor.goto(`${office}/verify`);
    await visitor.locator("#file").setInputFiles(file);
    await visitor.getByRole("button", { name: /確かめる/ }).click();
    await visitor.locator("#verify-result[data-status]").waitFor();
    return visitor.locator("#verify-result").textContent();
  };
  assert.match(await check(pdf), /有効です \/ VALID[\s\S]*千代田区長[\s\S]*住民票の写し[\s\S]*J-LIS の発行記録ログの第 \d+ 項/);
  await axe(visitor, "verification page");
  await shot(visitor, "44-verify-valid");
  const bytes = readFileSync(pdf);
  const at = bytes.indexOf("/MynaCode (") + 11 + 200;
  bytes[at] = bytes[at] === 0x41 ? 0x42 : 0x41;
  const altered = join(dir, "altered.pdf");
  writeFileSync(altered, bytes);
  assert.match(await check(altered), /有効ではありません \/ NOT VALID/);

  // The portal's verification page checks any municipality's document with J-LIS's keys and
  // issuance log: the PDF, and a scan of the printed page (poppler renders it to a PNG, the
  // page reads the QR code from the picture).
  const portalCheck = async (file) => {
    await visitor.goto(`${PORTAL}/documents/verify`);
    await visitor.locator("#file").setInputFiles(file);
    await visitor.getByRole("button", { name: /確かめる/ }).click();
    await visitor.locator("#verify-result[data-status]").waitFor();
    return visitor.locator("#verify-result").textContent();
  };
  assert.match(await portalCheck(pdf), /有効です \/ VALID[\s\S]*千代田区長[\s\S]*J-LIS の発行記録ログの第 \d+ 項/);
  await axe(visitor, "portal verification page");
  await shot(visitor, "45-portal-verify-valid");
  const scan = spawnSync("pdftoppm", ["-png", "-r", "150", "-singlefile", pdf, join(dir, "scan")], { encoding: "utf8" });
  assert.equal(scan.status, 0, scan.stderr);
  assert.match(await portalCheck(join(dir, "scan.png")), /有効です \/ VALID[\s\S]*証明書番号 \/ serial: \S+[\s\S]*J-LIS の発行記録ログの第 \d+ 項/);
  assert.match(await portalCheck(altered), /有効ではありません \/ NOT VALID/);
  await clerk.goto(`${office}/certificates`);
  await clerk.getByLabel(/証明書番号/).fill(serial);
  await clerk.getByLabel(/取消の理由/).fill("e2e: issued by mistake");
  await clerk.getByRole("button", { name: /取り消す/ }).click();
  await clerk.locator("#withdrawn").waitFor();
  assert.match(await check(pdf), /取り消されています \/ WITHDRAWN[\s\S]*e2e: issued by mistake/);
  assert.match(await portalCheck(join(dir, "scan.png")), /取り消されています \/ WITHDRAWN[\s\S]*J-LIS's log, proof checked/);

  // 印鑑登録: the clerk registers the resident's seal from a scan (a red seal drawn on a
  // canvas here), sees its impression, and issues the 印鑑登録証明書 printed with it.
  const sealPng = await clerk.evaluate(() => {
    const c = document.createElement("canvas");
    c.width = 300;
    c.height = 300;
    const g = c.getContext("2d");
    g.fillStyle = "#fff";
    g.fillRect(0, 0, 300, 300);
    g.strokeStyle = "#c00";
    g.lineWidth = 12;
    g.beginPath();
    g.arc(150, 150, 100, 0, 2 * Math.PI);
    g.stroke();
    g.fillStyle = "#c00";
    g.fillRect(130, 80, 40, 140);
    return c.toDataURL("image/png");
  });
  writeFileSync(join(dir, "seal.png"), Buffer.from(sealPng.split(",")[1], "base64"));
  await clerk.goto(`${office}/certificates`);
  await clerk.getByRole("link", { name: /印鑑登録/ }).click();
  await clerk.getByLabel(/住民票コード/).fill(code);
  await clerk.getByRole("button", { name: /表示する/ }).click();
  assert.match(await clerk.locator("#seal-standing").textContent(), /登録されている印鑑はありません/);
  await clerk.locator("#impression").setInputFiles(join(dir, "seal.png"));
  await clerk.getByRole("button", { name: /登録する/ }).click();
  await clerk.locator("#register-result", { hasText: /登録しました/ }).waitFor();
  await clerk.locator("#seal-impression").waitFor();
  assert.match(await clerk.locator("#seal-standing").textContent(), /印鑑登録番号 \d+/);
  await axe(clerk, "seal registration");
  await shot(clerk, "46-seal-registered");
  await clerk.goto(`${office}/certificates`);
  await clerk.getByLabel(/住民票コード/).fill(code);
  await clerk.locator("#kind").selectOption("seal_registration");
  const [sealDownload] = await Promise.all([clerk.waitForEvent("download"), clerk.getByRole("button", { name: /交付する/ }).click()]);
  const sealPdf = join(dir, "seal.pdf");
  await sealDownload.saveAs(sealPdf);
  const sv = spawnSync(MYNA, ["doc", "verify", sealPdf, "--keys", join(dir, "keys.json")], { encoding: "utf8" });
  assert.equal(sv.status, 0, sv.stderr);
  assert.match(sv.stdout, /印鑑登録証明書[\s\S]*印鑑登録番号: \d+[\s\S]*印影 \(SHA-256\): [0-9a-f]{64}/);
  await anon.close();
  await ctx.close();

  // The resident is told in the portal that a document of theirs was issued (本人通知).
  const { ctx: c3, page: me } = await newPage();
  await login(me, { card: Number(person.replace("resident", "")) - 1 });
  await me.waitForURL(`${PORTAL}/`);
  await me.goto(`${PORTAL}/notices`);
  await me.getByRole("link", { name: /住民票の写しを交付しました/ }).first().click();
  await me.getByText(serial).first().waitFor().catch(async (e) => { throw new Error(`${e}\n${await me.locator("main").textContent()}`); });
  assert.match(await me.locator("main").textContent(), /窓口交付/);
  await c3.close();
});

test("コンビニ交付: a resident prints a 住民票の写し at a store's kiosk with the card; J-LIS checks the card, the municipality issues", async () => {
  const m = out.match(/コンビニ交付: (\S+)  \(a store's kiosk\): put (resident\d+)'s card/);
  assert.ok(m, "the demo says where the kiosk is and whose card to use");
  const [, kiosk, person] = m;
  const { ctx, page } = await newPage();
  const toCard = async (pin) => {
    await page.goto(kiosk);
    await page.locator("#card").selectOption(`${person}.card.json`);
    await page.getByLabel(/暗証番号/).fill(pin);
    await page.getByRole("button", { name: /次へ/ }).click();
  };
  await page.goto(kiosk);
  await axe(page, "kiosk start");
  // A wrong PIN: the card says how many tries are left; nothing reaches J-LIS.
  await toCard("0000");
  assert.match(await page.locator(".error").textContent(), /tries left/);
  await toCard("1234");
  await page.getByRole("heading", { name: /証明書を選ぶ/ }).waitFor().catch(async (e) => { throw new Error(`${e}\n${await page.locator("body").textContent()}`); });
  await axe(page, "kiosk choose");
  await shot(page, "45-kiosk-choose");
  assert.match(await page.locator("main").textContent(), /住民票の写し — ¥200/);
  assert.match(await page.locator("#municipality").textContent(), /東京都千代田区/);
  const session = await page.locator("input[name=session]").inputValue();
  await page.getByLabel(/住民票の写し/).check();
  // The municipality's hours (6:30–23:00 JST, not 12/29–1/3) decide; this test runs at any time.
  const jst = new Date(Date.now() + 9 * 3600 * 1000);
  const minute = jst.getUTCHours() * 60 + jst.getUTCMinutes();
  const [mo, d] = [jst.getUTCMonth() + 1, jst.getUTCDate()];
  const open = minute >= 390 && minute < 1380 && !((mo === 12 && d >= 29) || (mo === 1 && d <= 3));
  if (open) {
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: /確認して交付/ }).click()]);
    const dir = mkdtempSync(join(tmpdir(), "myna-e2e-kiosk-"));
    const pdf = join(dir, "doc.pdf");
    await download.saveAs(pdf);
    // Every municipality's keys, as J-LIS publishes them.
    const published = out.match(/curl -sk (\S+\/v1\/issuers\/keys)/)[1];
    const keys = await call(published);
    assert.equal(keys.status, 200);
    assert.ok(JSON.parse(keys.body).issuers.length >= 6, `each municipality's key: ${keys.body}`);
    writeFileSync(join(dir, "keys.json"), keys.body);
    const v = spawnSync(MYNA, ["doc", "verify", pdf, "--keys", join(dir, "keys.json")], { encoding: "utf8" });
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stdout, /住民票の写し/);
    assert.match(v.stdout, /コンビニ交付 \/ at a store's kiosk \(kiosk:store-0001\)/);
  } else {
    // Outside the municipality's hours the municipality refuses, and the kiosk says why.
    await page.getByRole("button", { name: /確認して交付/ }).click();
    assert.match(await page.locator(".error").textContent(), /ご利用時間|年末年始/);
  }
  // The session was spent: the same order again is refused.
  const again = await page.request.post(`${kiosk}/issue`, { form: { session, kind: "resident_copy" }, headers: { origin: kiosk } });
  assert.notEqual(again.status(), 200);
  assert.match(await again.text(), /put the card on again|no such session/);
  await ctx.close();
});

test("国家資格: a resident applies with the card, the keeper's clerk registers, the credential is received in the portal", async () => {
  const m = out.match(/国家資格: \S+\/qualifications  \((resident\d+) passed the physicians' examination, number (\S+): .*?\$\(cat (\S+)\)\\?" (\S+)\/v1\/applications/);
  assert.ok(m, "the demo says who passed and where the clerk works");
  const [, person, exam, tokenFile, q] = m;
  const token = readFileSync(tokenFile, "utf8").trim();
  const { ctx, page } = await newPage();
  await login(page, { card: Number(person.replace("resident", "")) - 1 });
  await page.waitForURL(`${PORTAL}/`);
  await page.goto(`${PORTAL}/qualifications`);
  await axe(page, "qualifications");
  await shot(page, "47-qualifications");
  await page.locator("#qualification").selectOption("physician");
  await page.locator("#exam").fill(exam);
  await page.getByRole("button", { name: /申請内容を確認する/ }).click();
  assert.match(await page.locator("#qualification-what").textContent(), /医師[\s\S]*118-A-0001/);
  await page.getByLabel(/^署名用電子証明書のパスワード/).fill("DEMO2026");
  await page.getByRole("button", { name: "署名して送る" }).click();
  await page.locator("#qualification-applied").waitFor().catch(async (e) => { throw new Error(`${e}\n${await page.locator("main").textContent()}`); });
  const id = (await page.locator("#qualification-applied").textContent()).match(/(\d+)\s*$/)[1];
  assert.ok((await page.locator("#applicant-name").textContent()).length > 3, "the name as J-LIS holds it");

  // The keeper's clerk: the application with the applicant as J-LIS named them, the pass found.
  const list = await call(`${q}/v1/applications`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(list.status, 200, list.body);
  const app = JSON.parse(list.body).find((a) => String(a.id) === id);
  assert.ok(app && app.pass_found, list.body);
  const reg = await call(`${q}/v1/applications/${id}/register`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: "{}" });
  assert.equal(reg.status, 201, reg.body);
  const number = JSON.parse(reg.body).number;

  // The credential, bound to the card's key, received in the portal.
  await page.goto(`${PORTAL}/qualifications`);
  assert.match(await page.locator("#held-none").textContent(), /まだありません/);
  await page.locator("#registration").fill(String(number));
  await page.getByRole("button", { name: /受け取る内容を確認する/ }).click();
  await page.getByLabel(/^署名用電子証明書のパスワード/).fill("DEMO2026");
  await page.getByRole("button", { name: "署名して送る" }).click();
  await page.locator("#credential-received").waitFor().catch(async (e) => { throw new Error(`${e}\n${await page.locator("main").textContent()}`); });
  assert.match(await page.locator("#credential-received").textContent(), /医師/);
  await page.goto(`${PORTAL}/qualifications`);
  assert.match(await page.locator("#held").textContent(), new RegExp(`医師 登録番号 ${number}[\\s\\S]*登録番号`));
  await shot(page, "48-qualification-held");

  // A hospital's hiring page asks for the registration number and the name only; the
  // resident sees what is asked and what stays hidden, the card signs, only those go.
  const hospital = "http://localhost:7462";
  const present = async () => {
    await page.goto(`${hospital}/`);
    await page.locator("#present").click();
    await page.waitForURL(/\/qualifications\/present/);
    assert.match(await page.locator("#present-shown").textContent(), /医師[\s\S]*登録番号[\s\S]*氏名/);
    assert.match(await page.locator("#present-hidden").textContent(), /生年月日/);
    await page.locator("#pin").fill("1234");
    await page.getByRole("button", { name: /この項目だけを提示する/ }).click();
    await page.locator("#present-ready").waitFor();
    const vp = await page.locator("input[name=vp_token]").inputValue();
    const state = await page.locator("input[name=state]").inputValue();
    await page.locator("#present-send").click();
    await page.waitForURL(`${hospital}/response`);
    return { vp, state };
  };
  const first = await present();
  await page.locator("#verified").waitFor().catch(async (e) => { throw new Error(`${e}\n${await page.locator("main").textContent()}`); });
  const seen = await page.locator("#claims").textContent();
  assert.match(seen, new RegExp(`registration_number${number}`));
  assert.match(seen, /name/);
  assert.doesNotMatch(seen, /birthdate|1977|address/);
  await shot(page, "49-hospital-verified");
  // The same answer sent again is refused: its request was answered.
  const again = await page.request.post(`${hospital}/response`, { form: { vp_token: first.vp, state: first.state } });
  assert.match(await again.text(), /already answered|expired/);
  // The resident sees whom they showed what.
  await page.goto(`${PORTAL}/qualifications`);
  assert.match(await page.locator("#shown").textContent(), /みなと総合病院[\s\S]*医師[\s\S]*(登録番号、氏名|氏名、登録番号)/);
  await axe(page, "qualifications with a presentation");

  // The registration is revoked: the hospital's next check sees it in the status list.
  const end = await call(`${q}/v1/registrations/${number}/end`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ reason: "e2e: 免許取消" }) });
  assert.equal(end.status, 204, end.body);
  await present();
  assert.match(await page.locator("#refused").textContent(), /no longer valid/);
  await ctx.close();
});
