//! The reception page for a facility's staff (受付画面): sign in with the facility code and
//! key; receive the check-ins the patients make at the card reader (`reader.rs`: the card, the
//! PIN or face match and the consent are the patient's own, on the reader's screen); see the
//! eligibility on the day, the subsidies, and only the consented information. Also the lookup by insurance card fields and the batch
//! query for booked patients. Japanese with English beside it; server-rendered with maud, so
//! every value is escaped.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

use crate::store::FacilityRow;
use axum::{
    Form, Router,
    extract::{DefaultBodyLimit, FromRequestParts, Path, State, rejection::FormRejection},
    http::{HeaderMap, StatusCode, header, request::Parts},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use maud::{DOCTYPE, Markup, html};
use myna_node::{
    now_secs,
    web::{Fields, cookie, csrf_ok, field, random_hex, set_cookie, static_file},
};
use serde_json::Value;

use crate::{Health, HealthError, lookup::CardFields};

const COOKIE: &str = "__Host-myna_reception";
/// A staff session lasts a working day.
const SESSION_SECS: i64 = 10 * 3600;

#[derive(Clone)]
pub(crate) struct Staff {
    facility: String,
    pub(crate) csrf: String,
    expires: i64,
    /// The member of staff, when they signed in with their staff card (name, account);
    /// `None` for a sign-in with the facility's key.
    who: Option<(String, String)>,
}

/// Staff sessions, and the day's check-ins at each facility's card reader for its staff page.
#[derive(Default)]
pub struct Sessions(RwLock<HashMap<String, Staff>>, pub(crate) crate::reader::CheckIns);

pub fn routes(h: Arc<Health>) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/login", post(login))
        .route("/login/card", post(login_card))
        .route("/logout", post(logout))
        .route("/reception", get(reception_page))
        .route("/reception/{id}", get(result_page))
        .route("/reception/{id}/{scope}", get(consented_page))
        .route("/reader", get(crate::reader::reader_page).post(crate::reader::read_card))
        .route("/lookup", post(lookup))
        .route("/batch", post(batch))
        .route(
            "/static/tokens.css",
            get(|| async { static_file(myna_node::web::TOKENS_CSS, "text/css; charset=utf-8") }),
        )
        .route("/static/site.css", get(|| async { static_file(myna_node::web::SITE_CSS, "text/css; charset=utf-8") }))
        .layer(DefaultBodyLimit::max(256 * 1024))
        .layer(axum::middleware::map_response(myna_node::web::security_headers))
        .with_state(h)
}

/// A signed-in member of a facility's staff (or the facility's card reader, which is its own
/// terminal on the facility's session).
pub(crate) struct Desk(pub(crate) FacilityRow, pub(crate) Staff);

impl FromRequestParts<Arc<Health>> for Desk {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, h: &Arc<Health>) -> Result<Self, Self::Rejection> {
        let staff = cookie(&parts.headers, COOKIE)
            .and_then(|t| h.web.0.read().ok()?.get(t).cloned())
            .filter(|s| s.expires > now_secs());
        let facility = staff.as_ref().and_then(|s| h.facilities.read().ok()?.get(&s.facility).cloned());
        match (facility, staff) {
            (Some(f), Some(s)) => Ok(Desk(f, s)),
            _ => Err(Redirect::to("/").into_response()),
        }
    }
}

pub(crate) fn page(title: &str, facility: Option<(&FacilityRow, &str)>, body: Markup) -> Response {
    let page = html! {
        (DOCTYPE)
        html lang="ja" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " | オンライン資格確認 受付 / Reception" }
                link rel="stylesheet" href="/static/tokens.css";
                link rel="stylesheet" href="/static/site.css";
            }
            body {
                a.skip href="#main" { "本文へ移動 / Skip to main content" }
                header.site {
                    span.brand { "オンライン資格確認 受付 " span lang="en" { "Online eligibility — reception" } }
                    @if let Some((f, csrf)) = facility {
                        span { (f.name) " (" (f.code) ")" }
                        form method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(csrf);
                            button.secondary type="submit" { "ログアウト / Log out" }
                        }
                    }
                }
                main #main tabindex="-1" {
                    h1 { (title) }
                    (body)
                }
                footer { p { "これは myna のデモ環境です。 / This is a myna demo, not the real system." } }
            }
        }
    };
    Html(page.into_string()).into_response()
}

pub(crate) fn error(status: StatusCode, ja: &str, en: &str, back: bool) -> Response {
    let mut r = page(
        "エラー / Error",
        None,
        html! {
            p.error role="alert" { (ja) br; span lang="en" { (en) } }
            @if back { p { a href="/reception" { "受付画面へ戻る / Back to reception" } } }
        },
    );
    *r.status_mut() = status;
    r
}

async fn home(State(h): State<Arc<Health>>, headers: HeaderMap) -> Response {
    if cookie(&headers, COOKIE)
        .and_then(|t| h.web.0.read().ok()?.get(t).cloned())
        .is_some_and(|s| s.expires > now_secs())
    {
        return Redirect::to("/reception").into_response();
    }
    page(
        "受付端末のログイン / Sign in",
        None,
        html! {
            p { "医療機関・薬局のコードと、登録時に発行されたキーを入力してください。" br; span lang="en" { "Enter your facility code and the key issued when it was registered." } }
            @if let Some(cards) = &h.staff_cards {
                section aria-labelledby="by-card" {
                    h2 #by-card { "職員カードでログイン / Sign in with your staff card" }
                    p { "職員として登録されたマイナンバーカードで、本人としてログインします（デモのカードリーダー）。" br;
                        span lang="en" { "Sign in as yourself with the My Number Card registered as your staff card (the demo's reader)." } }
                    form method="post" action="/login/card" {
                        label for="staff-card" { "職員カード / Staff card" }
                        select #staff-card name="card" required {
                            @for (i, c) in cards.cards().iter().enumerate() { option value=(c.id) { "職員カード " (i + 1) " / Staff card " (i + 1) } }
                        }
                        label for="staff-pin" { "暗証番号（4桁） / PIN (4 digits)" }
                        input #staff-pin type="password" name="pin" inputmode="numeric" autocomplete="off" maxlength="4" required;
                        p { button type="submit" { "カードでログイン / Sign in with the card" } }
                    }
                }
                h2 { "施設のキーでログイン / Sign in with the facility's key" }
            }
            form method="post" action="/login" {
                label for="code" { "医療機関等コード（10桁） / Facility code (10 digits)" }
                input #code type="text" name="code" inputmode="numeric" autocomplete="username" required;
                label for="key" { "キー / Key" }
                input #key type="password" name="key" autocomplete="current-password" required;
                p { button type="submit" { "ログイン / Sign in" } }
            }
        },
    )
}

/// A sign-in form posted from another site (login CSRF) is refused.
fn cross_site(headers: &HeaderMap) -> Option<Response> {
    (!myna_node::web::same_origin(headers)).then(|| {
        error(
            StatusCode::FORBIDDEN,
            "このフォームは、受付ページからのみ送信できます。",
            "This form can only be sent from the reception page itself.",
            false,
        )
    })
}

async fn login(
    State(h): State<Arc<Health>>,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    if let Some(refused) = cross_site(&headers) {
        return refused;
    }
    let Ok(Form(f)) = form else {
        return error(
            StatusCode::BAD_REQUEST,
            "送信内容を読み取れませんでした。",
            "The form could not be read.",
            false,
        );
    };
    let token =
        format!("{}:{}", field(&f, "code").unwrap_or_default().trim(), field(&f, "key").unwrap_or_default().trim());
    let Some(fac) = h.facility(&token) else {
        return error(
            StatusCode::UNAUTHORIZED,
            "医療機関等コードまたはキーが違います。",
            "The facility code or key is wrong.",
            false,
        );
    };
    open_session(&h, fac.code, None)
}

/// A new staff session at `facility` (for `who`, when signed in with a staff card), and the
/// way to the reception page with its cookie.
fn open_session(h: &Health, facility: String, who: Option<(String, String)>) -> Response {
    let (t, csrf) = (random_hex::<24>(), random_hex::<16>());
    if t.is_empty() || csrf.is_empty() {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "乱数を得られません。", "No random source.", false);
    }
    if let Ok(mut m) = h.web.0.write() {
        let now = now_secs();
        m.retain(|_, s| s.expires > now);
        m.insert(t.clone(), Staff { facility, csrf, expires: now + SESSION_SECS, who });
    }
    let mut r = Redirect::to("/reception").into_response();
    r.headers_mut().insert(header::SET_COOKIE, set_cookie(COOKIE, &t, SESSION_SECS));
    r
}

/// A member of staff signs in with their staff card (the demo's reader signs the node's
/// challenge after the PIN): the account bound to the card names the facility they work at.
async fn login_card(
    State(h): State<Arc<Health>>,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    if let Some(refused) = cross_site(&headers) {
        return refused;
    }
    let (Ok(Form(f)), Some(cards)) = (form, h.staff_cards.clone()) else {
        return error(
            StatusCode::BAD_REQUEST,
            "送信内容を読み取れませんでした。",
            "The form could not be read.",
            false,
        );
    };
    let refused = |e: myna_node::ApiError| error(e.status, &e.message, &e.message, false);
    let card = field(&f, "card").unwrap_or_default();
    let session = match h.staff.login_with_reader(cards.as_ref(), card, field(&f, "pin").unwrap_or_default()).await {
        Ok(s) => s,
        Err(e) => return refused(e),
    };
    let facility = session.staff.role.strip_prefix("reception:").unwrap_or_default().to_string();
    if h.facilities.read().ok().and_then(|m| m.get(&facility).cloned()).is_none() {
        return error(
            StatusCode::FORBIDDEN,
            "所属の施設が登録されていません。",
            "Your facility is not registered.",
            false,
        );
    }
    open_session(&h, facility, Some((session.staff.name.clone(), session.staff.account.clone())))
}

async fn logout(
    State(h): State<Arc<Health>>,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let staff = cookie(&headers, COOKIE).and_then(|t| Some((t.to_string(), h.web.0.read().ok()?.get(t).cloned()?)));
    if let Some((t, s)) = staff {
        if let Err(r) = staff_form(&s, form) {
            return *r;
        }
        if let Ok(mut m) = h.web.0.write() {
            m.remove(&t);
        }
    }
    let mut r = Redirect::to("/").into_response();
    r.headers_mut().insert(header::SET_COOKIE, myna_node::web::clear_cookie(COOKIE));
    r
}

/// A staff member's form: readable, and carrying their session's CSRF token.
pub(crate) fn staff_form(s: &Staff, form: Result<Form<Fields>, FormRejection>) -> Result<Fields, Box<Response>> {
    let Ok(Form(form)) = form else {
        return Err(Box::new(error(
            StatusCode::BAD_REQUEST,
            "送信内容を読み取れませんでした。",
            "The form could not be read.",
            true,
        )));
    };
    if !csrf_ok(&s.csrf, field(&form, "csrf")) {
        return Err(Box::new(error(
            StatusCode::FORBIDDEN,
            "フォームの有効期限が切れたか、別のサイトから送信されました。",
            "This form expired or came from another site.",
            true,
        )));
    }
    Ok(form)
}

async fn reception_page(State(h): State<Arc<Health>>, Desk(f, s): Desk) -> Response {
    let body = html! {
        @if let Some((name, account)) = &s.who { p #staff-name { "受付担当 / At the desk: " (name) " (" (account) ")" } }
        section aria-labelledby="card" {
            h2 #card { "マイナンバーカードでの受付 / Check-ins with the card" }
            p { "患者さんがカードリーダーでカードを置き、本人確認（暗証番号または顔認証）と情報提供への同意を自ら行います。結果がここに届きます。" br;
                span lang="en" { "The patient places the card on the reader and, on the reader's own screen, checks it is them (PIN or face) and chooses what to share. The results arrive here." } }
            @if h.cards.is_some() {
                p { a href="/reader" target="_blank" { "デモのカードリーダー（患者さん側の画面） / The demo card reader (the patient's screen)" } }
            } @else {
                p { "顔認証付きカードリーダーは API（POST /v1/reception）で受け付けます。" br;
                    span lang="en" { "The facility's face-recognition reader checks in through the API (POST /v1/reception)." } }
            }
            @let done = h.web.1.of(&f.code);
            @if done.is_empty() {
                p { "本日の受付はまだありません。 / No check-ins yet today." }
            } @else {
                table {
                    caption { "カードリーダーでの受付（新しい順） / Check-ins at the reader, newest first" }
                    thead { tr { th scope="col" { "時刻 / Time" } th scope="col" { "氏名 / Name" } th scope="col" { "結果 / Outcome" } } }
                    tbody {
                        @for c in &done {
                            tr {
                                td { (c.at) }
                                td { a href={ "/reception/" (c.answer.reception) } { (c.name) } }
                                td { @if c.answer.outcome == "confirmed" { "資格あり / Eligible" } @else { "資格なし / Not eligible" } }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="bynumber" {
            h2 #bynumber { "保険証の記号・番号で照会 / Look up by insurance card fields" }
            form method="post" action="/lookup" {
                input type="hidden" name="csrf" value=(s.csrf);
                label for="insurer" { "保険者番号 / Insurer number" } input #insurer type="text" name="insurer" inputmode="numeric" required;
                label for="symbol" { "記号 / Symbol" } input #symbol type="text" name="symbol";
                label for="number" { "番号 / Number" } input #number type="text" name="number" required;
                label for="branch" { "枝番 / Branch" } input #branch type="text" name="branch" inputmode="numeric" value="00" required;
                p { button type="submit" { "照会する / Look up" } }
            }
        }
        section aria-labelledby="batch" {
            h2 #batch { "一括照会（予約患者） / Batch query for booked patients" }
            form method="post" action="/batch" {
                input type="hidden" name="csrf" value=(s.csrf);
                label for="lines" { "1行に1人: 保険者番号,記号,番号,枝番 / One patient per line: insurer,symbol,number,branch" }
                textarea #lines name="lines" rows="5" required {}
                p { button type="submit" { "一括照会する / Query all" } }
            }
        }
    };
    page("受付 / Reception", Some((&f, &s.csrf)), body)
}

/// One check-in's result, as the reader sent it: eligibility on the day, subsidies, and links
/// to what the patient consented to share.
async fn result_page(State(h): State<Arc<Health>>, Desk(f, s): Desk, Path(id): Path<String>) -> Response {
    let Some(a) = h.web.1.find(&f.code, &id) else {
        return error(StatusCode::NOT_FOUND, "その受付はありません。", "No such check-in.", true);
    };
    let current = a.outcome == "confirmed";
    let el = &a.eligibility;
    let t = |k: &str| match &el[k] {
        Value::String(s) => s.clone(),
        Value::Null => "—".into(),
        v => v.to_string(),
    };
    let body = html! {
        div.result.bad[!current] role="status" {
            h2 { @if current { "資格確認が完了しました / Eligibility confirmed" } @else { "有効な資格がありません / Not currently eligible" } }
            p { (a.explain_ja) " / " span lang="en" { (a.explain_en) } }
            dl {
                dt { "氏名 / Name" } dd { (t("name")) "（" (t("kana")) "）" }
                dt { "生年月日 / Birth" } dd { (t("birth")) "（" (a.age) "歳 / years）" }
                dt { "保険者番号 / Insurer" } dd { (t("insurer")) " " (t("scheme")) }
                dt { "記号・番号・枝番 / Symbol, number, branch" } dd { (t("symbol")) "・" (t("number")) "・" (t("branch")) }
                dt { "負担割合 / Copay" } dd { (t("copay_percent")) "%" }
                dt { "資格期間 / Period" } dd { (t("valid_from")) " 〜 " (t("valid_to")) }
                @if el.get("limit").is_some() { dt { "限度額適用区分 / Limit" } dd { (t("limit")) "（" (t("limit_monthly")) "）" } }
            }
            @for sub in a.subsidies.iter().filter_map(|v| serde_json::from_value::<myna_health::PmhRecord>(v.clone()).ok()) {
                @if let myna_health::PmhRecord::Subsidy { kind, payer, recipient, copay_yen, .. } = sub {
                    p { "公費 / Subsidy: " (kind.ja()) " 公費負担者番号 " (payer) " 受給者番号 " (recipient) " 自己負担 " (copay_yen) "円" }
                }
            }
        }
        h2 { "同意された情報 / Shared with consent" }
        @if a.consented.is_empty() { p { "患者は情報の提供に同意しませんでした。 / The patient did not agree to share information." } }
        ul {
            @for scope in &a.consented { li { a href={ "/reception/" (a.reception) "/" (scope) } { (scope_label(scope)) } } }
            @if current { li { a href={ "/reception/" (a.reception) "/pmh" } { "PMH（予防接種・妊婦健診） / PMH records" } } }
        }
        @if !a.not_offered.is_empty() { p { small { "40歳未満のため、健診情報の同意は伺っていません。 / Under 40: checkups were not asked." } } }
        p { a href="/reception" { "受付画面へ戻る / Back to reception" } }
    };
    page("受付結果 / Result", Some((&f, &s.csrf)), body)
}

fn scope_label(s: &str) -> &'static str {
    match s {
        "checkups" => "過去の健診情報 / Past checkups",
        "medication" => "薬剤情報 / Medication",
        "treatment" => "診療情報 / Treatment",
        "limit" => "限度額情報 / High-cost-care limit",
        _ => "PMH",
    }
}

async fn consented_page(
    State(h): State<Arc<Health>>,
    Desk(f, s): Desk,
    Path((id, scope)): Path<(String, String)>,
) -> Response {
    let v = match h.open_consented(&f, &id, &scope).await {
        Ok(v) => {
            let by = s.who.as_ref().map(|(_, a)| a.as_str()).unwrap_or("(the facility's key)");
            tracing::info!(facility = %f.code, staff = by, reception = %id, scope = %scope, "consented information opened");
            v
        }
        Err(e) => {
            let e = myna_node::ApiError::from(e);
            return error(e.status, &e.message, &e.message, true);
        }
    };
    let items = v["items"].as_array().cloned().unwrap_or_default();
    let body = html! {
        @if scope == "limit" { p { (v["limit"].as_str().unwrap_or_default()) "：" (v["limit_monthly"].as_str().unwrap_or_default()) } }
        @else if items.is_empty() { p { "記録はありません。 / No records." } }
        @else {
            @let keys: Vec<String> = items[0].as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
            table {
                thead { tr { @for k in &keys { th scope="col" { (column(k)) } } } }
                tbody { @for it in &items { tr { @for k in &keys { td { (cell(&it[k])) } } } } }
            }
        }
        p { a href="/reception" { "受付画面へ戻る / Back to reception" } }
    };
    page(scope_label(&scope), Some((&f, &s.csrf)), body)
}

/// A record field's heading, as the medication list and the checkup screen name it.
fn column(key: &str) -> &str {
    match key {
        "dispensed_on" => "調剤年月日",
        "pharmacy" => "薬局",
        "prescriber" => "処方発行医療機関",
        "dispensing" => "区分",
        "drug" => "医薬品名",
        "usage" => "用法",
        "quantity" => "調剤数量",
        "days" => "日数",
        "self_pay" => "自己負担相当額",
        "generic_saving" => "削減可能額",
        "on" => "日付",
        "institution" => "実施機関",
        "values" => "結果",
        "month" => "診療年月",
        "facility" => "医療機関等",
        "kind" => "区分",
        "total" => "医療費の総額",
        "paid" => "窓口負担相当額",
        "type" => "種類",
        "vaccine" => "ワクチン",
        "dose" => "回",
        "place" => "実施場所",
        "week" => "妊娠週数",
        "note" => "備考",
        other => other,
    }
}

fn cell(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Array(xs) => xs
            .iter()
            .map(|x| match x {
                Value::Array(p) => p.iter().map(cell).collect::<Vec<_>>().join("="),
                other => cell(other),
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

fn card_fields(line: &str) -> Result<CardFields, HealthError> {
    let p: Vec<&str> = line.split(',').map(str::trim).collect();
    match p[..] {
        [insurer, symbol, number, branch] => Ok(CardFields {
            insurer: insurer.into(),
            symbol: symbol.into(),
            number: number.into(),
            branch: branch.into(),
            on: None,
        }),
        _ => Err(HealthError::invalid(
            "card_fields",
            "保険者番号,記号,番号,枝番 の4項目にしてください / give insurer,symbol,number,branch",
        )),
    }
}

fn lookup_row(r: &Result<Value, HealthError>) -> Markup {
    match r {
        Ok(v) => html! {
            td { (v["eligibility"]["name"].as_str().unwrap_or_default()) }
            td { (v["explain_ja"].as_str().unwrap_or_default()) " / " (v["explain_en"].as_str().unwrap_or_default()) }
            td { (v["eligibility"]["copay_percent"].to_string()) "%" }
        },
        Err(e) => html! { td {} td.error { (e.to_string()) } td {} },
    }
}

async fn lookup(State(h): State<Arc<Health>>, Desk(f, s): Desk, form: Result<Form<Fields>, FormRejection>) -> Response {
    let form = match staff_form(&s, form) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let get = |k: &str| field(&form, k).unwrap_or_default().to_string();
    let c = CardFields {
        insurer: get("insurer"),
        symbol: get("symbol"),
        number: get("number"),
        branch: get("branch"),
        on: None,
    };
    let r = h.lookup(&c).await;
    let body = html! {
        table { thead { tr { th scope="col" { "氏名 / Name" } th scope="col" { "資格 / Standing" } th scope="col" { "負担割合 / Copay" } } } tbody { tr { (lookup_row(&r)) } } }
        p { a href="/reception" { "受付画面へ戻る / Back to reception" } }
    };
    page("記号・番号での照会 / Lookup", Some((&f, &s.csrf)), body)
}

async fn batch(State(h): State<Arc<Health>>, Desk(f, s): Desk, form: Result<Form<Fields>, FormRejection>) -> Response {
    let form = match staff_form(&s, form) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let lines: Vec<&str> =
        field(&form, "lines").unwrap_or_default().lines().filter(|l| !l.trim().is_empty()).take(1000).collect();
    let mut rows = Vec::new();
    for l in &lines {
        let r = match card_fields(l) {
            Ok(c) => h.lookup(&c).await,
            Err(e) => Err(e),
        };
        rows.push((l.to_string(), r));
    }
    let body = html! {
        table {
            caption { (rows.len()) " 人 / patients" }
            thead { tr { th scope="col" { "入力 / Input" } th scope="col" { "氏名 / Name" } th scope="col" { "資格 / Standing" } th scope="col" { "負担割合 / Copay" } } }
            tbody { @for (l, r) in &rows { tr { td { (l) } (lookup_row(r)) } } }
        }
        p { a href="/reception" { "受付画面へ戻る / Back to reception" } }
    };
    page("一括照会 / Batch query", Some((&f, &s.csrf)), body)
}
