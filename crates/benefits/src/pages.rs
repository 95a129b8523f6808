//! The clerks' pages of the benefit system: sign in with the staff card (the demo's reader
//! beside the node), define a benefit, run it, see where each payment stands, enter an
//! account given on a form, approve after the deadline, download the 総合振込 file, upload
//! the bank's result file. Japanese with English beside it; maud escapes every value.

use std::sync::Arc;

use axum::{
    Form, Router,
    body::Bytes,
    extract::{FromRequestParts, Path, State, rejection::FormRejection},
    http::{HeaderMap, StatusCode, header, request::Parts},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use maud::{DOCTYPE, Markup, html};
use myna_link::InfoItem;
use myna_node::web::{Fields, clear_cookie, cookie, field, same_origin, set_cookie, static_file};
use myna_pki::reader::CardReader;
use myna_rp::staff::{STAFF_SESSION_SECS, Staff};
use myna_zengin::AccountKind;
use sha2::{Digest, Sha256};
use time::Date;

use crate::{
    Benefits,
    rule::{Amount, Condition, Definition},
    status::*,
};

const COOKIE: &str = "__Host-myna_benefits";
const JS: &str = include_str!("../static/benefits.js");

/// The pages' state: the system, its staff sign-in and the card reader beside it.
pub struct Web {
    pub benefits: Arc<Benefits>,
    pub cards: Option<Arc<dyn CardReader>>,
    /// The municipality's moving desk, whose arrivals page is served here too.
    pub moving: Option<Arc<myna_moving::Moving>>,
    /// Face data read at the intake and waiting for the clerk's confirmation.
    pub(crate) intake: crate::intake::Pending,
    /// Certificates at the counter (窓口交付).
    pub(crate) counter: Arc<crate::certificates::Counter>,
}

pub(crate) type S = State<Arc<Web>>;

fn csrf_of(token: &str) -> String {
    hex::encode(&Sha256::digest(format!("benefits-csrf|{token}"))[..16])
}

/// A signed-in clerk: their staff account, and the page's CSRF token.
pub(crate) struct Desk(pub(crate) Staff, pub(crate) String);

impl FromRequestParts<Arc<Web>> for Desk {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, w: &Arc<Web>) -> Result<Self, Self::Rejection> {
        let Some(token) = cookie(&parts.headers, COOKIE) else { return Err(Redirect::to("/").into_response()) };
        match w.benefits.staff().staff_of(token).await {
            Ok(Some(s)) => Ok(Desk(s, csrf_of(token))),
            _ => Err(Redirect::to("/").into_response()),
        }
    }
}

pub(crate) fn page(title: &str, desk: Option<&Desk>, body: Markup) -> Response {
    Html(
        html! {
            (DOCTYPE)
            html lang="ja" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) " | 給付システム / Benefits" }
                    link rel="stylesheet" href="/static/tokens.css";
                    link rel="stylesheet" href="/static/site.css";
                    script src="/static/benefits.js" defer {}
                    script src="/static/verify.js" defer {}
                }
                body {
                    a.skip href="#main" { "本文へ移動 / Skip to main content" }
                    header.site {
                        a.brand href="/" { "給付システム " span lang="en" { "Benefits" } }
                        @if let Some(Desk(s, csrf)) = desk {
                            span { (s.name) " (" (s.account) ")" }
                            form method="post" action="/logout" {
                                input type="hidden" name="csrf" value=(csrf);
                                button.secondary type="submit" { "ログアウト / Log out" }
                            }
                        }
                    }
                    main #main tabindex="-1" { h1 { (title) } (body) }
                    footer { p { "これは myna のデモ環境です。 / This is a myna demo, not the real system." } }
                }
            }
        }
        .into_string(),
    )
    .into_response()
}

pub(crate) fn error(status: StatusCode, ja: &str, en: &str) -> Response {
    let mut r = page(
        "エラー / Error",
        None,
        html! { p.error role="alert" { (ja) br; span lang="en" { (en) } } p { a href="/" { "戻る / Back" } } },
    );
    *r.status_mut() = status;
    r
}

/// A clerk's form, read; one posted from another site, or without this session's token, is
/// refused.
pub(crate) fn checked(
    headers: &HeaderMap,
    desk: &Desk,
    form: Result<Form<Fields>, FormRejection>,
) -> Result<Fields, Box<Response>> {
    let Ok(Form(f)) = form else {
        return Err(Box::new(error(StatusCode::BAD_REQUEST, "送信内容を読めません。", "Unreadable form.")));
    };
    let ok = same_origin(headers) && field(&f, "csrf").is_some_and(|c| myna_node::web::csrf_ok(&desk.1, Some(c)));
    if !ok {
        return Err(Box::new(error(
            StatusCode::FORBIDDEN,
            "このページから送信してください。",
            "Send this from the page itself.",
        )));
    }
    Ok(f)
}

fn ymd(d: Date) -> String {
    myna_text::wareki(d.year(), d.month() as u8, d.day())
}

fn status_label(s: &str) -> (&'static str, &'static str) {
    match s {
        PENDING => ("未通知", "not yet told"),
        NOTIFIED => ("通知済み（口座あり）", "told, account known"),
        NO_ACCOUNT => ("通知済み（口座なし）", "told, no account"),
        DECLINED => ("受給拒否", "declined"),
        UNPAYABLE => ("支給不能（口座なし）", "no account to pay into"),
        IN_TRANSFER => ("振込依頼済み", "in the transfer"),
        PAID => ("振込済み", "paid"),
        RETURNED => ("振込不能", "returned"),
        _ => ("?", "?"),
    }
}

fn amount_text(a: &Amount) -> String {
    match a {
        Amount::Child { yen } => format!("児童1人につき {} / per child", myna_text::yen(*yen)),
        Amount::Person { yen } => format!("世帯員1人につき {} / per person", myna_text::yen(*yen)),
        Amount::Household { yen } => format!("1世帯 {} / per household", myna_text::yen(*yen)),
    }
}

fn condition_text(c: &Condition) -> String {
    match c {
        Condition::NonTaxableHousehold => "住民税非課税世帯 / non-taxable household".into(),
        Condition::ChildrenUnder { age } => {
            format!("{age}歳到達後最初の3月31日までの児童がいる / children under {age}")
        }
        Condition::Receives { item } => format!("{}を受けている / receives {}", item.name_ja(), item.id()),
    }
}

/// The items a rule may name on the form (the municipality's own, and one it may not, which
/// the system refuses with the reason).
const RECEIVES: &[InfoItem] =
    &[InfoItem::ChildRearingAllowance, InfoItem::Disability, InfoItem::ChildAllowance, InfoItem::PensionBenefit];

async fn home(State(w): S, headers: HeaderMap) -> Response {
    let token = cookie(&headers, COOKIE).map(str::to_string);
    let staff = match &token {
        Some(t) => w.benefits.staff().staff_of(t).await.ok().flatten(),
        None => None,
    };
    let (Some(staff), Some(token)) = (staff, token) else { return sign_in(&w) };
    let desk = Desk(staff, csrf_of(&token));
    let rows = w.benefits.store().benefits().await.unwrap_or_default();
    let today = crate::today_jst();
    let body = html! {
        p { (w.benefits.municipality()) }
        @if w.moving.is_some() { p { a #to-moves href="/moves" { "転入の受付（引越しワンストップ） / Arrivals (moving one-stop)" } } }
        p { a #to-certificates href="/certificates" { "証明書の交付（窓口） / Certificates at the counter" } }
        p { a #to-links href="/links" { "紐付けの点検（マイナンバー情報総点検） / Suspect number links" } }
        @if w.moving.is_some() { p { a #to-intake href="/intake" { "カードから読み取って登録（券面事項入力補助） / Enrol a person from their card" } } }
        h2 { "給付金 / Benefits" }
        @if rows.is_empty() { p #no-benefits { "まだ給付金はありません。 / No benefits yet." } }
        ul #benefits {
            @for r in &rows {
                @let name = serde_json::from_str::<Definition>(&r.definition).map(|d| d.name).unwrap_or_default();
                li { a href={ "/benefits/" (r.id) } { (name) } " (" (r.id) ", " (r.stage) ")" }
            }
        }
        h2 #define-h { "給付金を定義する / Define a benefit" }
        form method="post" action="/benefits" aria-labelledby="define-h" {
            input type="hidden" name="csrf" value=(desk.1);
            label for="name" { "名称 / Name" } input #name name="name" required maxlength="100" value="子育て世帯生活支援特別給付金";
            label for="per" { "支給額の単位 / Amount per" }
            select #per name="per" {
                option value="child" selected { "児童1人 / child" } option value="person" { "世帯員1人 / person" } option value="household" { "1世帯 / household" }
            }
            label for="yen" { "金額（円） / Amount (yen)" } input #yen name="yen" inputmode="numeric" required value="50000";
            fieldset {
                legend { "対象 / Who is eligible (all must hold)" }
                input #c-tax type="checkbox" name="non_taxable" value="yes" checked; label for="c-tax" { "住民税非課税世帯 / Non-taxable household" }
                br;
                input #c-kids type="checkbox" name="children" value="yes" checked; label for="c-kids" { "児童がいる / Has children" }
                label for="age" { "児童の年齢（この歳の年度末まで） / Children under (age)" } input #age name="age" inputmode="numeric" value="18";
                label for="receives" { "受給している給付 / Receives" }
                select #receives name="receives" {
                    option value="" { "（条件にしない / none）" }
                    @for i in RECEIVES { option value=(i.id()) { (i.name_ja()) } }
                }
            }
            label for="basis" { "基準日 / Basis day" } input #basis type="date" name="basis" required value=(today.to_string());
            label for="decline_by" { "辞退・口座変更の期限 / Last day to decline" } input #decline_by type="date" name="decline_by" required value=((today + time::Duration::days(14)).to_string());
            label for="pay_on" { "振込日 / Payment day" } input #pay_on type="date" name="pay_on" required value=((today + time::Duration::days(21)).to_string());
            button type="submit" { "定義する / Define" }
        }
    };
    page("給付金 / Benefits", Some(&desk), body)
}

fn sign_in(w: &Web) -> Response {
    let body = html! {
        p { "職員として登録されたマイナンバーカードでログインします（デモのカードリーダー）。" br;
            span lang="en" { "Sign in with the My Number Card registered as your staff card (the demo's reader)." } }
        @if let Some(cards) = &w.cards {
            form method="post" action="/login/card" {
                label for="staff-card" { "職員カード / Staff card" }
                select #staff-card name="card" required {
                    @for (i, c) in cards.cards().iter().enumerate() { option value=(c.id) { "職員カード " (i + 1) " / Staff card " (i + 1) " (" (c.id.trim_end_matches(".card.json")) ")" } }
                }
                label for="staff-pin" { "暗証番号（4桁） / PIN (4 digits)" }
                input #staff-pin type="password" name="pin" inputmode="numeric" autocomplete="off" maxlength="4" required;
                button type="submit" { "ログイン / Sign in" }
            }
        } @else {
            p { "このノードにはカードリーダーがありません。APIをお使いください（/openapi.json）。 / No card reader here: use the API." }
        }
    };
    page("ログイン / Sign in", None, body)
}

async fn login(State(w): S, headers: HeaderMap, form: Result<Form<Fields>, FormRejection>) -> Response {
    let (true, Ok(Form(f)), Some(cards)) = (same_origin(&headers), form, w.cards.clone()) else {
        return error(StatusCode::BAD_REQUEST, "ログインできませんでした。", "Could not sign in.");
    };
    let card = field(&f, "card").unwrap_or_default();
    match w.benefits.staff().login_with_reader(cards.as_ref(), card, field(&f, "pin").unwrap_or_default()).await {
        Ok(s) => {
            let mut r = Redirect::to("/").into_response();
            r.headers_mut().insert(header::SET_COOKIE, set_cookie(COOKIE, &s.session, STAFF_SESSION_SECS));
            r
        }
        Err(e) => error(e.status, &e.message, &e.message),
    }
}

async fn logout() -> Response {
    let mut r = Redirect::to("/").into_response();
    r.headers_mut().insert(header::SET_COOKIE, clear_cookie(COOKIE));
    r
}

fn date(f: &Fields, name: &str) -> Option<Date> {
    Date::parse(field(f, name)?, &time::macros::format_description!("[year]-[month]-[day]")).ok()
}

async fn define(State(w): S, desk: Desk, headers: HeaderMap, form: Result<Form<Fields>, FormRejection>) -> Response {
    let f = match checked(&headers, &desk, form) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let yen: u64 = field(&f, "yen").and_then(|v| v.trim().replace(',', "").parse().ok()).unwrap_or(0);
    let amount = match field(&f, "per") {
        Some("person") => Amount::Person { yen },
        Some("household") => Amount::Household { yen },
        _ => Amount::Child { yen },
    };
    let mut rule = Vec::new();
    if field(&f, "non_taxable") == Some("yes") {
        rule.push(Condition::NonTaxableHousehold);
    }
    if field(&f, "children") == Some("yes") {
        rule.push(Condition::ChildrenUnder { age: field(&f, "age").and_then(|a| a.trim().parse().ok()).unwrap_or(0) });
    }
    if let Some(item) = field(&f, "receives").filter(|v| !v.is_empty()).and_then(|v| v.parse().ok()) {
        rule.push(Condition::Receives { item });
    }
    let (Some(basis), Some(decline_by), Some(pay_on)) = (date(&f, "basis"), date(&f, "decline_by"), date(&f, "pay_on"))
    else {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "日付を入力してください。", "Enter the dates.");
    };
    let name = field(&f, "name").unwrap_or_default().to_string();
    let def = Definition { name, amount, rule, basis, decline_by, pay_on };
    match w.benefits.define(&def, &format!("staff:{}", desk.0.account), crate::today_jst()).await {
        Ok(row) => Redirect::to(&format!("/benefits/{}", row.id)).into_response(),
        Err(e) => {
            error(StatusCode::UNPROCESSABLE_ENTITY, &format!("定義できません: {e}"), &format!("Not defined: {e}"))
        }
    }
}

async fn one(State(w): S, desk: Desk, Path(id): Path<String>) -> Response {
    let Ok((row, def)) = w.benefits.benefit(&id).await else {
        return error(StatusCode::NOT_FOUND, "この給付金はありません。", "No such benefit.");
    };
    let tally = w.benefits.store().tally(&id).await.unwrap_or_default();
    let payments = w.benefits.store().payments(&id, &[], 0, 200).await.unwrap_or_default();
    let csrf = desk.1.clone();
    let act = |path: &str, label: &str| {
        html! { form method="post" action={ "/benefits/" (id) "/" (path) } { input type="hidden" name="csrf" value=(csrf); button type="submit" { (label) } } }
    };
    let body = html! {
        dl.review {
            dt { "給付番号 / Benefit" } dd #benefit-id { (row.id) }
            dt { "支給額 / Amount" } dd { (amount_text(&def.amount)) }
            dt { "対象 / Eligible" } dd { @for c in &def.rule { (condition_text(c)) br; } }
            dt { "基準日 / Basis" } dd { (ymd(def.basis)) }
            dt { "辞退の期限 / Decline by" } dd { (ymd(def.decline_by)) }
            dt { "振込日 / Payment" } dd { (ymd(def.pay_on)) }
            dt { "段階 / Stage" } dd #stage { (row.stage) }
            dt { "定義 / Defined by" } dd { (row.created_by) }
            @if let Some(by) = &row.approved_by { dt { "支給決定 / Approved by" } dd { (by) } }
        }
        @match row.stage.as_str() {
            "approved" => {
                p { a #transfer href={ "/benefits/" (id) "/transfer" } download { "総合振込ファイル（全銀協形式）をダウンロード / Download the 総合振込 file" } }
                form data-upload data-csrf=(csrf) action={ "/benefits/" (id) "/returns" } method="post" {
                    label for="result" { "金融機関の振込結果ファイル / The bank's result file" }
                    input #result type="file" name="result" required;
                    button type="submit" { "取り込む / Take it in" }
                    output aria-live="polite" {}
                }
            }
            _ => {
                (act("run", "対象者を抽出し、お知らせを送る / Determine and notify"))
                (act("approve", "支給を決定し、振込ファイルを作る（期限後） / Approve (after the deadline)"))
            }
        }
        h2 { "支給の状況 / Payments" }
        table #tally {
            thead { tr { th scope="col" { "状況 / Status" } th scope="col" { "件数 / Count" } th scope="col" { "金額 / Amount" } } }
            tbody { @for (s, n, yen) in &tally { @let (ja, en) = status_label(s); tr { td { (ja) " / " (en) } td { (n) } td { (myna_text::yen(*yen as u64)) } } } }
        }
        table #payments {
            thead { tr { th scope="col" { "番号 / Ref." } th scope="col" { "受給者 / Recipient" } th scope="col" { "金額 / Amount" } th scope="col" { "状況 / Status" } th scope="col" { "口座の届出 / Account given" } } }
            tbody {
                @for p in &payments {
                    @let (ja, _) = status_label(&p.status);
                    tr {
                        td { (format!("{:010}", p.seq)) } td { (p.person) } td { (myna_text::yen(p.amount as u64)) }
                        td { (ja) @if let Some(r) = &p.reason { br; small { (r) } } }
                        td {
                            @if p.status == NO_ACCOUNT {
                                form method="post" action={ "/benefits/" (id) "/payments/" (p.person) "/account" } {
                                    input type="hidden" name="csrf" value=(csrf);
                                    label { "銀行 " input name="bank" size="4" inputmode="numeric" required; }
                                    label { "支店 " input name="branch" size="3" inputmode="numeric" required; }
                                    label { "種目 " select name="kind" { option value="1" { "普通" } option value="2" { "当座" } option value="4" { "貯蓄" } } }
                                    label { "番号 " input name="number" size="7" inputmode="numeric" required; }
                                    label { "名義（カナ） " input name="holder" required; }
                                    button type="submit" { "登録 / Enter" }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page(&def.name, Some(&desk), body)
}

async fn step(
    State(w): S,
    desk: Desk,
    headers: HeaderMap,
    Path((id, what)): Path<(String, String)>,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    if let Err(r) = checked(&headers, &desk, form) {
        return *r;
    }
    let b = &w.benefits;
    let done = match what.as_str() {
        "run" => match b.determine(&id).await {
            Ok(_) => b.notify(&id).await.map(|_| ()),
            Err(e) => Err(e),
        },
        "approve" => b.approve(&id, &format!("staff:{}", desk.0.account), crate::today_jst()).await.map(|_| ()),
        _ => return error(StatusCode::NOT_FOUND, "その操作はありません。", "No such step."),
    };
    match done {
        Ok(()) => Redirect::to(&format!("/benefits/{id}")).into_response(),
        Err(e) => error(StatusCode::CONFLICT, &format!("できませんでした: {e}"), &format!("Not done: {e}")),
    }
}

async fn give(
    State(w): S,
    desk: Desk,
    headers: HeaderMap,
    Path((id, person)): Path<(String, String)>,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let f = match checked(&headers, &desk, form) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let kind = field(&f, "kind")
        .and_then(|k| k.chars().next())
        .and_then(AccountKind::from_digit)
        .unwrap_or(AccountKind::Ordinary);
    let g = |k: &str| field(&f, k).unwrap_or_default().trim().to_string();
    let account = (g("bank"), g("branch"), g("number"), g("holder"));
    let by = format!("staff:{}", desk.0.account);
    match w.benefits.give_account(&id, &person, (&account.0, &account.1, kind, &account.2, &account.3), &by).await {
        Ok(()) => Redirect::to(&format!("/benefits/{id}")).into_response(),
        Err(e) => {
            error(StatusCode::UNPROCESSABLE_ENTITY, &format!("登録できません: {e}"), &format!("Not entered: {e}"))
        }
    }
}

async fn transfer(State(w): S, _desk: Desk, Path(id): Path<String>) -> Response {
    match w.benefits.transfer_file(&id).await {
        Ok(file) => (
            [
                (header::CONTENT_TYPE, "application/octet-stream".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"sogo-furikomi-{id}.txt\"")),
            ],
            file,
        )
            .into_response(),
        Err(e) => error(StatusCode::CONFLICT, &e.to_string(), &e.to_string()),
    }
}

/// The result file, sent by the page's script as bytes with the CSRF token in a header.
async fn returns(State(w): S, desk: Desk, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Response {
    let token = headers.get("x-csrf").and_then(|v| v.to_str().ok());
    if !same_origin(&headers) || !myna_node::web::csrf_ok(&desk.1, token) {
        return (StatusCode::FORBIDDEN, "このページから送信してください。 / Send this from the page itself.")
            .into_response();
    }
    match w.benefits.returns(&id, &body).await {
        Ok(r) => format!(
            "振込済み {} 件、振込不能 {} 件を記録しました。 / {} paid, {} returned.",
            r.paid, r.returned, r.paid, r.returned
        )
        .into_response(),
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, format!("取り込めません / Not taken in: {e}")).into_response(),
    }
}

/// The pages, for the benefit system's node to merge.
pub fn routes(w: Arc<Web>) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/login/card", post(login))
        .route("/logout", post(logout))
        .route("/benefits", post(define))
        .route("/benefits/{id}", get(one))
        .route("/benefits/{id}/transfer", get(transfer))
        .route("/benefits/{id}/returns", post(returns).layer(axum::extract::DefaultBodyLimit::max(64 << 20)))
        .route("/benefits/{id}/payments/{person}/account", post(give))
        .route("/benefits/{id}/{step}", post(step))
        .route("/certificates", get(crate::counter::form))
        .route("/certificates/issue", post(crate::counter::issue))
        .route("/certificates/withdraw", post(crate::counter::withdraw))
        .route("/seals", get(crate::seal_pages::form))
        .route(
            "/seals/{resident}",
            post(crate::seal_pages::register).layer(axum::extract::DefaultBodyLimit::max(16 << 20)),
        )
        .route("/seals/{resident}/end", post(crate::seal_pages::end))
        .route("/seals/{resident}/impression.png", get(crate::seal_pages::impression))
        // A photo of a code from a phone's camera is a few megabytes.
        .route(
            "/verify",
            get(crate::verify::form).post(crate::verify::check).layer(axum::extract::DefaultBodyLimit::max(16 << 20)),
        )
        .route("/v1/documents/keys", get(crate::counter::keys))
        .route("/v1/documents/offering", get(crate::counter::offering))
        .route("/v1/documents", post(crate::counter::order))
        .route("/intake", get(crate::intake::form))
        .route("/intake/read", post(crate::intake::read))
        .route("/intake/enrol", post(crate::intake::enrol))
        .route("/links", get(crate::links::queue))
        .route("/links/correct", post(crate::links::correct))
        .route("/links/dismiss", post(crate::links::dismiss))
        .route("/moves", get(crate::moves::arrivals))
        .route("/moves/in", post(crate::moves::complete))
        .route("/moves/renew", post(crate::moves::renew))
        .route("/moves/within", post(crate::moves::complete_within))
        .route(
            "/static/tokens.css",
            get(|| async { static_file(myna_node::web::TOKENS_CSS, "text/css; charset=utf-8") }),
        )
        .route("/static/site.css", get(|| async { static_file(myna_node::web::SITE_CSS, "text/css; charset=utf-8") }))
        .route("/static/benefits.js", get(|| async { static_file(JS, "text/javascript; charset=utf-8") }))
        .route(
            "/static/verify.js",
            get(|| async { static_file(myna_node::web::VERIFY_JS, "text/javascript; charset=utf-8") }),
        )
        .layer(axum::middleware::map_response(myna_node::web::security_headers))
        .with_state(w)
}
