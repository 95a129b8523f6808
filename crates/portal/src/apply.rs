//! ぴったりサービス, the resident's side: find a procedure (municipality, keyword, life
//! event), fill its form (prefilled from the resident's own information where allowed), sign
//! the exact bytes with the signing certificate, submit, and follow its status.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, Mutex},
};

use crate::store::ApplicationRow;
use axum::{
    Form, Router,
    extract::{Path, Query, State, rejection::FormRejection},
    http::StatusCode,
    response::Response,
    routing::{get, post},
};
use base64ct::{Base64, Encoding};
use maud::{Markup, html};
use myna_node::now_secs;
use myna_pittari::{Field, FieldError, FieldKind, Filled, LifeEvent, Offering};
use myna_pki::CertKind;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{
    Portal,
    history::jst,
    page::{Ctx, Fields, Resident, error_page, field, layout, resident_form},
    session,
};

/// A filled form waiting for its signature, for 30 minutes.
pub struct Draft {
    code: String,
    filled: Filled,
    created: i64,
    expires: i64,
}

/// What a resident's signature binds the application to: them, this draft, its time.
fn binding(s: &session::Session, draft: &str, created: i64) -> myna_pittari::Binding {
    myna_pittari::Binding { resident: s.code.clone(), draft: draft.to_string(), at: created }
}

#[derive(Default)]
pub struct Drafts(Mutex<HashMap<String, Draft>>);

/// The signature check's result, as J-LIS reports it.
#[derive(Debug, Clone)]
pub struct Verified {
    pub valid: bool,
    pub reason: Option<String>,
    pub status: Option<String>,
    pub serial: Option<String>,
    pub holder: Option<Value>,
    /// Whether the signing certificate is on the card the resident logged in with (asked at
    /// submission).
    pub same_card: Option<bool>,
}

pub const STATUSES: &[(&str, &str, &str)] = &[
    ("received", "受付", "Received"),
    ("in_review", "審査中", "In review"),
    ("need_more", "補正依頼", "More needed"),
    ("approved", "完了", "Completed"),
    ("rejected", "却下", "Rejected"),
];

pub fn status_label(ctx: &Ctx, s: &str) -> String {
    STATUSES
        .iter()
        .find(|(id, ..)| *id == s)
        .map(|(_, ja, en)| ctx.t(ja, en).to_string())
        .unwrap_or_else(|| s.to_string())
}

impl Portal {
    /// Checks a signature over `bytes` with J-LIS (署名検証者): chain, policy, revocation,
    /// and the signature itself; the answer carries the signer's basic 4 items.
    /// With `same_card_as` (the user-authentication serial the resident logged in with), J-LIS
    /// also says whether the signing certificate is on that card.
    pub async fn verify_signature(
        &self,
        bytes: &[u8],
        certificate: &str,
        signature: &str,
        same_card_as: Option<&str>,
    ) -> Result<Verified, String> {
        let body = json!({"certificate": certificate, "signature": signature, "message": Base64::encode_string(bytes), "purpose": "sign", "same_card_as": same_card_as});
        let r = self
            .jlis
            .post(format!("{}/v1/jpki/verify", self.jlis_url))
            .json(&body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = r.status();
        let v: Value = r.json().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Ok(Verified {
                valid: false,
                reason: v["error"]["message"].as_str().map(str::to_string),
                status: None,
                serial: None,
                holder: None,
                same_card: None,
            });
        }
        Ok(Verified {
            valid: v["valid"] == true,
            reason: v["reason"].as_str().map(str::to_string),
            status: v["status"].as_str().map(str::to_string),
            serial: v["serial"].as_str().map(str::to_string),
            holder: (!v["holder"].is_null()).then(|| v["holder"].clone()),
            same_card: v["same_card"].as_bool(),
        })
    }
}

/// Why a signature was not accepted, with what the resident can do about it: a change of
/// name or address revokes the signing certificate (the card and its login stay good), which a
/// bare "revoked" does not tell them; the municipality's counter issues a new one.
fn refusal(ctx: &Ctx, status: Option<&str>, reason: &str) -> String {
    let head = ctx.t("電子署名を確認できませんでした: ", "The signature could not be verified: ");
    let what_to_do = match status {
        Some("holder-changed") => ctx.t(
            "氏名・住所などの変更により、署名用電子証明書は失効しています。お住まいの市区町村の窓口で新しい署名用電子証明書の発行を受けると、再び署名できます（ログインはこれまでどおりできます）。",
            "Your signing certificate was revoked when your name or address changed. Your municipality's counter issues a new one; then you can sign again (logging in still works).",
        ),
        Some("suspended") => ctx.t(
            "このカードは一時停止されています。見つかった場合は、お住まいの市区町村の窓口で一時停止の解除を受けてください。",
            "This card is suspended. If you found it, your municipality's counter lifts the suspension.",
        ),
        _ => "",
    };
    if what_to_do.is_empty() { format!("{head}{reason}") } else { format!("{head}{reason} {what_to_do}") }
}

fn label(ctx: &Ctx, f: &Field) -> String {
    f.label.get(ctx.en).to_string()
}

fn event_of(s: Option<&str>) -> Option<LifeEvent> {
    s.and_then(LifeEvent::parse)
}

#[derive(Deserialize, Default)]
struct Search {
    municipality: Option<String>,
    q: Option<String>,
    event: Option<String>,
}

async fn search(State(p): State<Arc<Portal>>, ctx: Ctx, Query(s): Query<Search>) -> Response {
    let muni = s.municipality.as_deref().filter(|m| !m.is_empty());
    let event = event_of(s.event.as_deref());
    let q = s.q.clone().unwrap_or_default();
    let hits = p.catalogue.search(muni, event, &q);
    let body = html! {
        p { (ctx.t("お住まいの市区町村と、ライフイベントやキーワードで、オンラインで申請できる手続を探せます。",
            "Find procedures you can apply for online by municipality, life event or keyword.")) }
        form.search method="get" action="/apply" role="search" {
            label for="municipality" { (ctx.t("市区町村", "Municipality")) }
            select #municipality name="municipality" {
                option value="" { (ctx.t("すべて", "All")) }
                @for (code, name) in p.catalogue.municipalities() { option value=(code) selected[muni == Some(code)] { (name) } }
            }
            label for="event" { (ctx.t("ライフイベント", "Life event")) }
            select #event name="event" {
                option value="" { (ctx.t("すべて", "All")) }
                @for e in LifeEvent::ALL { option value=(e.id()) selected[event == Some(e)] { (e.label(ctx.en)) } }
            }
            label for="q" { (ctx.t("キーワード", "Keyword")) }
            input #q type="search" name="q" value=(q);
            button type="submit" { (ctx.t("検索", "Search")) }
        }
        p aria-live="polite" { (hits.len()) (ctx.t("件の手続", " procedures")) }
        ul.results #results {
            @for o in &hits {
                li {
                    a href={ "/apply/" (o.municipality) "/" (o.procedure.id) } { (o.procedure.name.get(ctx.en)) }
                    " " small { (o.municipality_name) " · " (o.procedure.law)
                        @if o.procedure.sign { " · " (ctx.t("電子署名が必要", "needs your signature")) }
                        @if !o.procedure.preset { " · " (ctx.t("市区町村独自", "municipality's own")) } }
                }
            }
        }
    };
    layout(&ctx, ctx.t("手続の検索（ぴったりサービス）", "Find a procedure"), body)
}

/// Values prefilled from the resident's own information (`item.field` of the form's field).
/// The item whose fields a form fills in only when the resident asks for it on the form
/// (their registered public-fund account: consent on the form, 口座登録法).
const ON_CONSENT: &str = "public_fund_account";

fn asks_consent(f: &Field) -> bool {
    f.prefill.as_deref().is_some_and(|p| p.starts_with(ON_CONSENT))
}

async fn prefill(p: &Portal, s: &crate::session::Session, o: &Offering<'_>, consent: bool) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if !o.fields.iter().any(|f| f.prefill.is_some() && (consent || !asks_consent(f))) {
        return out;
    }
    let Ok(held) = p.my_information(&s.code, &s.proof).await else { return out };
    for f in &o.fields {
        if asks_consent(f) && !consent {
            continue;
        }
        let Some((item, name)) = f.prefill.as_deref().and_then(|x| x.split_once('.')) else { continue };
        let found =
            held.iter().filter(|h| h.item.id() == item).find_map(|h| h.result.as_ref().ok().map(|v| v[name].clone()));
        match found {
            Some(Value::String(s)) => drop(out.insert(f.id.clone(), s)),
            Some(Value::Number(n)) => drop(out.insert(f.id.clone(), n.to_string())),
            _ => {}
        }
    }
    out
}

fn input(ctx: &Ctx, f: &Field, value: Option<&str>, error: Option<&FieldError>, prefilled: bool) -> Markup {
    let id = format!("f-{}", f.id);
    let err_id = format!("{id}-error");
    let described = error.map(|_| err_id.clone());
    let v = value.unwrap_or_default();
    html! {
        div.field {
            @if matches!(f.kind, FieldKind::Agree) {
                input id=(id) type="checkbox" name=(f.id) value="yes" checked[v == "yes"] aria-invalid=[error.map(|_| "true")] aria-describedby=[described.as_deref()];
                label for=(id) { (label(ctx, f)) @if f.required { " " span.req { (ctx.t("（必須）", "(required)")) } } }
            } @else {
                label for=(id) { (label(ctx, f)) @if f.required { " " span.req { (ctx.t("（必須）", "(required)")) } } }
                @if prefilled { small.prefilled { (ctx.t("あなたの情報から入力しました。確認してください。", "Filled in from your information; please check.")) } }
                @match &f.kind {
                    FieldKind::LongText { max } => textarea id=(id) name=(f.id) maxlength=(max) required[f.required] aria-invalid=[error.map(|_| "true")] aria-describedby=[described.as_deref()] { (v) },
                    FieldKind::Choice { options } => select id=(id) name=(f.id) required[f.required] aria-invalid=[error.map(|_| "true")] aria-describedby=[described.as_deref()] {
                        option value="" { (ctx.t("選択してください", "Choose")) }
                        @for o in options { option value=(o.value) selected[o.value == v] { (o.label.get(ctx.en)) } }
                    },
                    kind => {
                        @let (ty, mode) = match kind {
                            FieldKind::Date => ("date", None),
                            FieldKind::Phone => ("tel", None),
                            FieldKind::Integer { .. } | FieldKind::Yen | FieldKind::Digits { .. } => ("text", Some("numeric")),
                            _ => ("text", None),
                        };
                        input id=(id) type=(ty) inputmode=[mode] name=(f.id) value=(v) required[f.required] aria-invalid=[error.map(|_| "true")] aria-describedby=[described.as_deref()];
                    }
                }
            }
            @if let Some(e) = error { p.field-error id=(err_id) { (e.problem.message(ctx.en)) } }
        }
    }
}

fn form_page(
    ctx: &Ctx,
    o: &Offering<'_>,
    values: &BTreeMap<String, String>,
    prefilled: &BTreeMap<String, String>,
    errors: &[FieldError],
    account_offer: Option<&[(String, String)]>,
) -> Response {
    let url = format!("/apply/{}/{}", o.municipality, o.procedure.id);
    let with_account = account_offer.map(|given| {
        let mut q: Vec<String> = given.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect();
        q.push("use_account=yes".into());
        format!("{url}?{}", q.join("&"))
    });
    let body = html! {
        p { (o.municipality_name) " · " (o.procedure.law) }
        @if let Some(href) = &with_account {
            div.notice #account-offer {
                p { (ctx.t("振込先に、マイナポータルで登録した公金受取口座を使えます。使う場合は、口座の情報をこの申請に使うことに同意して読み込んでください。",
                    "You may use the public-fund account you registered as the account to be paid into: agree to its use in this application to fill it in.")) }
                a #use-account href=(href) { (ctx.t("同意して公金受取口座を入力する", "Agree and fill in my public-fund account")) }
            }
        }
        @if !errors.is_empty() {
            div.error-summary role="alert" tabindex="-1" #error-summary {
                h2 { (ctx.t("入力内容を確認してください", "Please check what you entered")) }
                ul { @for e in errors {
                    li { a href={ "#f-" (e.field) } {
                        (o.fields.iter().find(|f| f.id == e.field).map(|f| label(ctx, f)).unwrap_or_else(|| e.field.clone())) ": " (e.problem.message(ctx.en))
                    } }
                } }
            }
        }
        form method="post" action=(url) novalidate {
            (ctx.csrf_field())
            @for f in &o.fields {
                (input(ctx, f, values.get(&f.id).map(String::as_str), errors.iter().find(|e| e.field == f.id), prefilled.contains_key(&f.id)))
            }
            button type="submit" { (ctx.t("入力内容を確認する", "Check and continue")) }
        }
    };
    let mut r = layout(ctx, o.procedure.name.get(ctx.en), body);
    if !errors.is_empty() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

/// A query-string component, percent-encoded (RFC 3986 unreserved characters kept).
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn no_such(ctx: &Ctx) -> Response {
    error_page(
        ctx,
        StatusCode::NOT_FOUND,
        "この市区町村ではこの手続をオンラインで受け付けていません。",
        "This municipality does not take this procedure online.",
    )
}

/// The form, prefilled from the resident's own information where the permission table allows
/// (their account only when they ask, `use_account=yes`); other fields may be given in the
/// link (a notice's benefit number: `?benefit=…`), never over what was prefilled.
async fn form(
    State(p): State<Arc<Portal>>,
    Resident(ctx, s): Resident,
    Path((muni, proc_id)): Path<(String, String)>,
    Query(given): Query<BTreeMap<String, String>>,
) -> Response {
    let Some(o) = p.catalogue.offering(&muni, &proc_id) else { return no_such(&ctx) };
    let consent = given.get("use_account").is_some_and(|v| v == "yes");
    let pre = prefill(&p, &s, &o, consent).await;
    let mut values = pre.clone();
    for f in &o.fields {
        if let Some(v) = given.get(&f.id).filter(|_| f.prefill.is_none())
            && v.chars().count() <= 200
        {
            values.insert(f.id.clone(), v.clone());
        }
    }
    let link: Vec<(String, String)> =
        given.iter().filter(|(k, _)| k.as_str() != "use_account").map(|(k, v)| (k.clone(), v.clone())).collect();
    let offer = (!consent && o.fields.iter().any(|f| asks_consent(f))).then_some(link);
    form_page(&ctx, &o, &values, &pre, &[], offer.as_deref())
}

async fn check(
    State(p): State<Arc<Portal>>,
    Resident(ctx, s): Resident,
    Path((muni, proc_id)): Path<(String, String)>,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let f = match resident_form(&ctx, &s, form) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let Some(o) = p.catalogue.offering(&muni, &proc_id) else { return no_such(&ctx) };
    let input: BTreeMap<String, String> = f.into_iter().filter(|(k, _)| k != "csrf").collect();
    let filled = match o.fill(&input) {
        Ok(filled) => filled,
        Err(errors) => return form_page(&ctx, &o, &input, &BTreeMap::new(), &errors, None),
    };
    let draft = session::random_hex::<16>();
    let now = now_secs();
    if let Ok(mut d) = p.drafts.0.lock() {
        d.retain(|_, x| x.expires >= now);
        d.insert(
            draft.clone(),
            Draft { code: s.code.clone(), filled: filled.clone(), created: now, expires: now + 1800 },
        );
    }
    confirm(&p, &ctx, &s, &o, &filled, &binding(&s, &draft, now), None)
}

fn confirm(
    p: &Portal,
    ctx: &Ctx,
    s: &session::Session,
    o: &Offering<'_>,
    filled: &Filled,
    bound: &myna_pittari::Binding,
    problem: Option<String>,
) -> Response {
    let doc = String::from_utf8_lossy(&filled.document(bound.clone()).bytes()).into_owned();
    let body = html! {
        p { (ctx.t("次の内容で申請します。", "You are about to apply with:")) }
        dl.review {
            @for f in &o.fields {
                @if let Some(v) = filled.values.get(&f.id) { dt { (label(ctx, f)) } dd { (f.show(v, ctx.en)) } }
            }
        }
        @if let Some(m) = &problem { p.error role="alert" { (m) } }
        form method="post" action="/apply/submit" {
            (ctx.csrf_field())
            input type="hidden" name="draft" value=(bound.draft);
            @if o.procedure.sign {
                h2 { (ctx.t("電子署名", "Signature")) }
                p { (ctx.t("この申請には、マイナンバーカードの署名用電子証明書による電子署名が必要です。署名するのは次のデータです。", "This application must be signed with your card's signing certificate. These are the exact bytes signed:")) }
                pre.document { code { (doc) } }
                @if p.cards.is_some() && s.card.is_some() {
                    label for="password" { (ctx.t("署名用電子証明書のパスワード（英数字6〜16文字）", "Signing password (6–16 letters and digits)")) }
                    input #password type="password" name="password" autocomplete="off";
                    p { small { (ctx.t("デモ用カードリーダーで、ログインに使ったカードで署名します。", "The demo card reader signs with the card you logged in with.")) } }
                }
                details open[p.cards.is_none() || s.card.is_none()] {
                    summary { (ctx.t("カードリーダーとコマンドで署名する", "Sign with a card reader and the command line")) }
                    p { (ctx.t("上のデータを application.json に保存し、次を実行して、できた application.sig.json の内容を貼り付けてください。", "Save the data above as application.json, run the command below, and paste the contents of application.sig.json.")) }
                    pre { code { "myna card sign CARD.json application.json" } }
                    label for="signature" { (ctx.t("署名（application.sig.json の内容）", "Signature (contents of application.sig.json)")) }
                    textarea #signature name="signature" rows="4" {}
                }
            }
            button type="submit" { (ctx.t("署名して申請する", "Sign and apply")) }
        }
        p { a href={ "/apply/" (o.municipality) "/" (o.procedure.id) } { (ctx.t("入力をやり直す", "Start the form again")) } }
    };
    let mut r = layout(ctx, ctx.t("申請内容の確認", "Check your application"), body);
    if problem.is_some() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

async fn submit(
    State(p): State<Arc<Portal>>,
    Resident(ctx, s): Resident,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let f = match resident_form(&ctx, &s, form) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let draft_id = field(&f, "draft").unwrap_or_default().to_string();
    let draft = p.drafts.0.lock().ok().and_then(|d| {
        d.get(&draft_id).filter(|d| d.code == s.code && d.expires >= now_secs()).map(|d| (d.filled.clone(), d.created))
    });
    let Some((filled, created)) = draft else {
        return error_page(
            &ctx,
            StatusCode::GONE,
            "入力内容の有効期限（30分）が切れました。もう一度入力してください。",
            "The form expired after 30 minutes. Please fill it in again.",
        );
    };
    let Some(o) = p.catalogue.offering(&filled.municipality, &filled.procedure) else { return no_such(&ctx) };
    let bound = binding(&s, &draft_id, created);
    let bytes = filled.document(bound.clone()).bytes();
    let signed = if o.procedure.sign {
        let (cert, sig) = match sign(&p, &s, &f, &bytes) {
            Ok(x) => x,
            Err(m) => return confirm(&p, &ctx, &s, &o, &filled, &bound, Some(m)),
        };
        match p.verify_signature(&bytes, &cert, &sig, Some(&s.serial)).await {
            Ok(v) if v.valid && v.same_card == Some(true) => Some((cert, sig)),
            Ok(v) if v.valid => {
                let why = ctx.t(
                    "署名したカードが、ログインしたカードと異なります。ログインしたご本人のカードで署名してください。",
                    "The card that signed is not the card you logged in with: sign with your own card.",
                );
                return confirm(&p, &ctx, &s, &o, &filled, &bound, Some(why.into()));
            }
            Ok(v) => {
                let why = refusal(&ctx, v.status.as_deref(), &v.reason.unwrap_or_default());
                return confirm(&p, &ctx, &s, &o, &filled, &bound, Some(why));
            }
            Err(e) => {
                return error_page(
                    &ctx,
                    StatusCode::BAD_GATEWAY,
                    &format!("署名を検証できません（J-LIS に接続できません）: {e}"),
                    &format!("The signature cannot be checked (J-LIS unreachable): {e}"),
                );
            }
        }
    } else {
        None
    };
    let Some(receipt) = receipt_number() else {
        return error_page(
            &ctx,
            StatusCode::SERVICE_UNAVAILABLE,
            "受付番号を発行できませんでした。申請は受け付けられていません。",
            "No receipt number could be issued; the application was not received.",
        );
    };
    let now = now_secs();
    let row = ApplicationRow {
        receipt,
        code: s.code.clone(),
        municipality: filled.municipality.clone(),
        procedure: filled.procedure.clone(),
        document: String::from_utf8_lossy(&bytes).into_owned(),
        certificate: signed.as_ref().map(|(c, _)| c.clone()),
        signature: signed.map(|(_, s)| s),
        status: "received".into(),
        note: String::new(),
        submitted_at: now,
        updated_at: now,
        idem: draft_id.clone(),
        updated_by: None,
    };
    let stored = match p.store.submit(&row).await {
        Ok(r) => r,
        Err(e) => {
            return error_page(
                &ctx,
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("申請を保存できませんでした。申請は受け付けられていません: {e}"),
                &format!("The application could not be saved and was not received: {e}"),
            );
        }
    };
    if let Ok(mut d) = p.drafts.0.lock() {
        d.remove(&draft_id);
    }
    let body = html! {
        p.ok role="status" { (ctx.t("申請を受け付けました。", "Your application was received.")) }
        dl {
            dt { (ctx.t("受付番号", "Receipt number")) } dd #receipt { (stored.receipt) }
            dt { (ctx.t("手続", "Procedure")) } dd { (o.procedure.name.get(ctx.en)) }
            dt { (ctx.t("提出先", "Sent to")) } dd { (o.municipality_name) }
            dt { (ctx.t("受付日時", "Received at")) } dd { (jst(stored.submitted_at)) }
        }
        p { a href={ "/applications/" (stored.receipt) } { (ctx.t("申請状況を見る", "See its status")) } }
    };
    layout(&ctx, ctx.t("申請完了", "Application received"), body)
}

/// The signature: from the demo card reader (the card used to log in, with the signing
/// password), or pasted from `myna card sign`.
pub(crate) fn sign(p: &Portal, s: &session::Session, f: &Fields, bytes: &[u8]) -> Result<(String, String), String> {
    if let Some(pasted) = field(f, "signature").map(str::trim).filter(|x| !x.is_empty()) {
        let v: Value = serde_json::from_str(pasted)
            .map_err(|e| format!("the pasted signature is not the JSON `myna card sign` writes: {e}"))?;
        let (Some(c), Some(sg)) = (v["certificate"].as_str(), v["signature"].as_str()) else {
            return Err("the pasted signature needs \"certificate\" and \"signature\"".into());
        };
        return Ok((c.to_string(), sg.to_string()));
    }
    let (Some(cards), Some(card)) = (&p.cards, &s.card) else {
        return Err("paste the signature made with `myna card sign`".into());
    };
    let password = field(f, "password").unwrap_or_default();
    let digest = myna_pki::sha256(bytes);
    let signed = cards.sign(card, CertKind::Signing, password, &digest)?;
    Ok((Base64::encode_string(&signed.certificate), Base64::encode_string(&signed.signature)))
}

/// A 16-digit receipt number (受付番号), random so numbers say nothing about volumes; `None`
/// without a random source.
fn receipt_number() -> Option<String> {
    let n = u64::from_str_radix(&session::random_hex::<8>(), 16).ok()?;
    Some(format!("{:016}", n % 10_000_000_000_000_000))
}

async fn mine(State(p): State<Arc<Portal>>, Resident(ctx, s): Resident) -> Response {
    let Ok(rows) = p.store.applications_of(&s.code).await else {
        return error_page(
            &ctx,
            StatusCode::INTERNAL_SERVER_ERROR,
            "申請を読み込めませんでした。",
            "Applications could not be loaded.",
        );
    };
    let body = html! {
        @if rows.is_empty() { p { (ctx.t("申請はまだありません。", "No applications yet.")) } }
        @else {
            div.table-wrap { table {
                caption { (ctx.t("あなたの申請（新しい順）", "Your applications, newest first")) }
                thead { tr { th scope="col" { (ctx.t("受付番号", "Receipt")) } th scope="col" { (ctx.t("手続", "Procedure")) } th scope="col" { (ctx.t("提出先", "Sent to")) } th scope="col" { (ctx.t("受付日時", "Received")) } th scope="col" { (ctx.t("状況", "Status")) } } }
                tbody { @for r in &rows {
                    @let o = p.catalogue.offering(&r.municipality, &r.procedure);
                    tr {
                        td { a href={ "/applications/" (r.receipt) } { (r.receipt) } }
                        td { (o.as_ref().map(|o| o.procedure.name.get(ctx.en).to_string()).unwrap_or(r.procedure.clone())) }
                        td { (o.as_ref().map(|o| o.municipality_name.clone()).unwrap_or(r.municipality.clone())) }
                        td { (jst(r.submitted_at)) }
                        td.status { (status_label(&ctx, &r.status)) }
                    }
                } }
            } }
        }
    };
    layout(&ctx, ctx.t("申請状況", "My applications"), body)
}

async fn one(State(p): State<Arc<Portal>>, Resident(ctx, s): Resident, Path(receipt): Path<String>) -> Response {
    let r = match p.store.application(&receipt).await {
        Ok(Some(r)) if r.code == s.code => r,
        _ => {
            return error_page(
                &ctx,
                StatusCode::NOT_FOUND,
                "この受付番号の申請はありません。",
                "There is no application of yours with this receipt number.",
            );
        }
    };
    let o = p.catalogue.offering(&r.municipality, &r.procedure);
    let body = html! {
        dl {
            dt { (ctx.t("受付番号", "Receipt number")) } dd { (r.receipt) }
            dt { (ctx.t("手続", "Procedure")) } dd { (o.as_ref().map(|o| o.procedure.name.get(ctx.en).to_string()).unwrap_or(r.procedure.clone())) }
            dt { (ctx.t("状況", "Status")) } dd #status { (status_label(&ctx, &r.status)) }
            @if !r.note.is_empty() { dt { (ctx.t("市区町村からの連絡", "Note from the municipality")) } dd #note { (r.note) } }
            dt { (ctx.t("更新日時", "Updated")) } dd { (jst(r.updated_at)) }
        }
    };
    layout(&ctx, ctx.t("申請の状況", "Application status"), body)
}

pub fn routes() -> Router<Arc<Portal>> {
    Router::new()
        .route("/apply", get(search))
        .route("/apply/submit", post(submit))
        .route("/apply/{municipality}/{procedure}", get(form).post(check))
        .route("/applications", get(mine))
        .route("/applications/{receipt}", get(one))
}

#[cfg(test)]
mod tests {
    use super::{Ctx, refusal};

    /// A resident whose signing certificate a move or a new name revoked is told where a new
    /// one is issued; other refusals keep J-LIS's reason alone.
    #[test]
    fn a_revoked_signing_certificate_says_where_a_new_one_is_issued() {
        let ja = Ctx { en: false, session: None, path: "/".into() };
        let m = refusal(&ja, Some("holder-changed"), "the certificate has been revoked");
        assert!(m.contains("市区町村の窓口で新しい署名用電子証明書") && m.contains("revoked"), "{m}");
        let en = Ctx { en: true, session: None, path: "/".into() };
        let m = refusal(&en, Some("suspended"), "revoked");
        assert!(m.contains("lifts the suspension"), "{m}");
        let m = refusal(&en, Some("good"), "the signature does not verify");
        assert_eq!(m, "The signature could not be verified: the signature does not verify");
    }
}
