//! What every page shares: the request context (language, session), the layout (skip link,
//! header, navigation, language switch), error pages, security headers, static files, and
//! the router that puts every part of the portal together.

use std::sync::Arc;

use axum::{
    extract::{FromRequestParts, Query, State},
    http::{HeaderValue, StatusCode, header, request::Parts},
    response::{Html, IntoResponse, Redirect, Response},
};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Deserialize;

use crate::{
    Portal,
    session::{self, LANG_COOKIE, SESSION_COOKIE, Session},
};

/// Forms are small; anything larger is refused with a page saying so.
pub const FORM_LIMIT: usize = 64 * 1024;

/// The request as a page sees it.
pub struct Ctx {
    pub en: bool,
    pub session: Option<(String, Session)>,
    pub path: String,
}

impl Ctx {
    /// The text in the page's language.
    pub fn t<'a>(&self, ja: &'a str, en: &'a str) -> &'a str {
        if self.en { en } else { ja }
    }

    pub fn csrf(&self) -> &str {
        self.session.as_ref().map(|(_, s)| s.csrf.as_str()).unwrap_or_default()
    }

    pub fn csrf_field(&self) -> Markup {
        html! { input type="hidden" name="csrf" value=(self.csrf()); }
    }
}

fn query_lang(parts: &Parts) -> Option<String> {
    parts.uri.query()?.split('&').find_map(|kv| kv.strip_prefix("lang=")).map(str::to_string)
}

impl FromRequestParts<Arc<Portal>> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, portal: &Arc<Portal>) -> Result<Self, Self::Rejection> {
        let en = session::english(&parts.headers, query_lang(parts).as_deref());
        let session = session::cookie(&parts.headers, SESSION_COOKIE)
            .and_then(|t| portal.sessions.get(t).map(|s| (t.to_string(), s)));
        Ok(Ctx { en, session, path: parts.uri.path().to_string() })
    }
}

/// A page that needs a logged-in resident: without one, the browser is sent to log in and
/// brought back.
pub struct Resident(pub Ctx, pub Session);

impl FromRequestParts<Arc<Portal>> for Resident {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, portal: &Arc<Portal>) -> Result<Self, Self::Rejection> {
        let Ok(ctx) = Ctx::from_request_parts(parts, portal).await;
        match ctx.session.clone() {
            Some((_, s)) => Ok(Resident(ctx, s)),
            None => {
                let back = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
                Err(Redirect::to(&format!("/login?next={}", encode(back))).into_response())
            }
        }
    }
}

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Only a path on this site may be a place to come back to (no open redirect). The value is
/// resolved the way a browser resolves a `Location` (WHATWG URL: tabs and newlines dropped,
/// backslashes read as slashes, `//host` taken as another host) against this site, and kept
/// only if it stays here; what is answered is the resolved path, so the browser reads the same.
pub fn local_path(next: Option<&str>) -> String {
    const HERE: &str = "https://portal.invalid/";
    let Some(next) = next.filter(|n| n.starts_with('/')) else { return "/".into() };
    let Some((base, url)) = url::Url::parse(HERE).ok().and_then(|b| Some((b.clone(), b.join(next).ok()?))) else {
        return "/".into();
    };
    if url.origin() != base.origin() {
        return "/".into();
    }
    let mut out = url.path().to_string();
    if let Some(q) = url.query() {
        out.push('?');
        out.push_str(q);
    }
    out
}

pub fn layout(ctx: &Ctx, title: &str, body: Markup) -> Response {
    let nav: &[(&str, &str, &str)] = &[
        ("/", "トップ", "Home"),
        ("/me", "わたしの情報", "My information"),
        ("/history", "やりとり履歴", "Exchange history"),
        ("/notices", "お知らせ", "Notices"),
        ("/apply", "申請（ぴったりサービス）", "Apply online"),
        ("/applications", "申請状況", "My applications"),
        ("/accounts", "公金受取口座", "Public-fund account"),
        ("/deposits", "預貯金口座の付番", "Bank accounts"),
        ("/moving", "引越し", "Moving"),
        ("/health", "健康・医療", "Health"),
        ("/qualifications", "国家資格", "Qualifications"),
        ("/connections", "連携サービス", "Connected services"),
    ];
    let other = if ctx.en { ("ja", "日本語") } else { ("en", "English") };
    let page = html! {
        (DOCTYPE)
        html lang=(if ctx.en { "en" } else { "ja" }) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " | " (ctx.t("マイナポータル", "Myna Portal")) }
                link rel="stylesheet" href="/static/tokens.css";
                link rel="stylesheet" href="/static/portal.css";
                script src="/static/portal.js" defer {}
                @if ctx.path == "/documents/verify" { script src="/static/verify.js" defer {} }
            }
            body {
                a.skip href="#main" { (ctx.t("本文へ移動", "Skip to main content")) }
                header.site {
                    a.brand href="/" { (ctx.t("マイナポータル", "Myna Portal")) }
                    a.lang href={ "/lang/" (other.0) "?back=" (encode(&ctx.path)) } lang=(other.0) { (other.1) }
                    @if let Some((_, s)) = &ctx.session {
                        form method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(s.csrf);
                            button.secondary type="submit" { (ctx.t("ログアウト", "Log out")) }
                        }
                    }
                }
                @if ctx.session.is_some() {
                    nav aria-label=(ctx.t("メニュー", "Menu")) {
                        ul {
                            @for (href, ja, en) in nav {
                                li {
                                    a href=(href) aria-current=[(ctx.path == *href).then_some("page")] {
                                        (ctx.t(ja, en))
                                        @if *href == "/notices" {
                                            " " span #unread.badge aria-live="polite" data-unread="" {}
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                main #main tabindex="-1" {
                    h1 { (title) }
                    (body)
                }
                footer { p { (ctx.t("これは myna のデモ環境です。実在のマイナポータルではありません。", "This is a myna demo, not the real Myna Portal.")) } }
            }
        }
    };
    Html(page.into_string()).into_response()
}

/// An error as a page: the status, and what to do about it in the page's language.
pub fn error_page(ctx: &Ctx, status: StatusCode, ja: &str, en: &str) -> Response {
    let body = html! {
        p.error role="alert" { (ctx.t(ja, en)) }
        p { a href="/" { (ctx.t("トップへ戻る", "Back to the top page")) } }
    };
    let mut r = layout(ctx, ctx.t("エラー", "Error"), body);
    *r.status_mut() = status;
    r
}

/// A form post whose CSRF token does not match the session's.
pub fn csrf_refused(ctx: &Ctx) -> Response {
    error_page(
        ctx,
        StatusCode::FORBIDDEN,
        "フォームの有効期限が切れたか、別のサイトから送信されました。ページを開き直してもう一度お試しください。",
        "This form expired or was sent from another site. Open the page again and retry.",
    )
}

/// A form body the portal could not read (too large, wrong type).
pub fn form_refused(ctx: &Ctx, e: &axum::extract::rejection::FormRejection) -> Response {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return error_page(
            ctx,
            StatusCode::PAYLOAD_TOO_LARGE,
            "送信内容が大きすぎます（64KBまで）。",
            "What you sent is too large (64 KB at most).",
        );
    }
    error_page(ctx, StatusCode::BAD_REQUEST, "送信内容を読み取れませんでした。", "The form could not be read.")
}

pub use myna_node::web::{Fields, field};

/// A signed-in resident's form: readable (else a page saying why) and carrying their
/// session's CSRF token (else refused).
pub fn resident_form(
    ctx: &Ctx,
    s: &Session,
    form: Result<axum::Form<Fields>, axum::extract::rejection::FormRejection>,
) -> Result<Fields, Box<Response>> {
    let axum::Form(f) = form.map_err(|e| Box::new(form_refused(ctx, &e)))?;
    if !session::csrf_ok(&s.csrf, field(&f, "csrf")) {
        return Err(Box::new(csrf_refused(ctx)));
    }
    Ok(f)
}

#[derive(Deserialize)]
pub(crate) struct Back {
    back: Option<String>,
}

pub(crate) async fn set_lang(
    axum::extract::Path(lang): axum::extract::Path<String>,
    Query(b): Query<Back>,
) -> Response {
    let lang = if lang == "en" { "en" } else { "ja" };
    let mut r = Redirect::to(&local_path(b.back.as_deref())).into_response();
    let cookie = format!("{LANG_COOKIE}={lang}; Path=/; Secure; SameSite=Lax; Max-Age=31536000");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

pub(crate) async fn home(State(p): State<Arc<Portal>>, ctx: Ctx) -> Response {
    let Some((_, s)) = &ctx.session else {
        let body = html! {
            p { (ctx.t("マイナンバーカードでログインすると、行政機関が持つあなたの情報、情報のやりとりの記録、お知らせを確認し、オンラインで申請できます。",
                "Log in with your My Number Card to see what agencies hold about you and every exchange of it, read notices, and apply online.")) }
            p { a.button href="/login" { (ctx.t("ログイン", "Log in")) } }
            p { a href="/apply" { (ctx.t("ログインせずに手続を探す", "Find procedures without logging in")) } }
            p { a href="/documents/verify" { (ctx.t("市区町村が交付した証明書を検証する（どなたでも）", "Verify a document a municipality issued (anyone)")) } }
        };
        return layout(&ctx, ctx.t("マイナポータル", "Myna Portal"), body);
    };
    let unread = p.store.unread(&s.code, myna_node::now_secs()).await.unwrap_or(0);
    let body = html! {
        p { (ctx.t("ログインしています。", "You are logged in.")) }
        ul.cards {
            li { a href="/me" { (ctx.t("わたしの情報", "My information")) } p { (ctx.t("行政機関が持つあなたの情報", "What agencies hold about you")) } }
            li { a href="/history" { (ctx.t("やりとり履歴", "Exchange history")) } p { (ctx.t("あなたの情報のやりとりの記録（検証付き）", "Every exchange of your information, verified")) } }
            li { a href="/notices" { (ctx.t("お知らせ", "Notices")) } p { (ctx.t("未読", "Unread")) ": " (unread) } }
            li { a href="/apply" { (ctx.t("申請（ぴったりサービス）", "Apply online")) } p { (ctx.t("手続の検索と電子申請", "Find a procedure and apply")) } }
            li { a href="/applications" { (ctx.t("申請状況", "My applications")) } p { (ctx.t("申請の受付状況", "Status of what you applied for")) } }
            li { a href="/accounts" { (ctx.t("公金受取口座", "Public-fund account")) } p { (ctx.t("給付金を受け取る口座の登録・変更", "Where benefits are paid")) } }
            li { a href="/connections" { (ctx.t("連携サービス", "Connected services")) } p { (ctx.t("あなたが許可した民間サービス", "Private services you allowed")) } }
        }
    };
    layout(&ctx, ctx.t("マイナポータル", "Myna Portal"), body)
}

/// Inline SVG markup made by a library we trust (the QR code).
pub fn trusted_svg(svg: String) -> PreEscaped<String> {
    PreEscaped(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_way_back_stays_on_the_portal() {
        for (next, want) in [
            (Some("/history?from=2026-01-01"), "/history?from=2026-01-01"),
            (Some("/apply/cc-1"), "/apply/cc-1"),
            (None, "/"),
            (Some("https://evil.example/"), "/"),
            (Some("//evil.example/x"), "/"),
            (Some("/\\evil.example/x"), "/"),
            // A tab (sent as %09 and decoded by the query parser) is dropped by browsers,
            // which then read `//localhost:7999/x`: another host.
            (Some("/\t/localhost:7999/x"), "/"),
            (Some("/\n/evil.example"), "/"),
            (Some("relative"), "/"),
        ] {
            assert_eq!(local_path(next), want, "{next:?}");
        }
    }

    #[test]
    fn query_values_are_percent_encoded_except_path_characters() {
        assert_eq!(encode("/apply?x=1&y=山"), "/apply%3Fx%3D1%26y%3D%E5%B1%B1");
    }
}
