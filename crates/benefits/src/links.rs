//! The clerks' page of suspect number links (マイナンバー情報総点検), on the municipality's
//! office system behind the same staff sign-in: the records the inspection found linked to
//! another resident's number, each corrected with the person's right number (J-LIS links it
//! only with the municipality's own items of them; both residents are told and their
//! やりとり履歴 marked) or dismissed with a reason.

use axum::{
    Form,
    extract::{State, rejection::FormRejection},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use maud::html;
use myna_link::inspection::{Correction, Dismissal};
use myna_node::web::{Fields, field};

use crate::pages::{Desk, S, checked, error, page};

fn status_ja(s: &str) -> &'static str {
    match s {
        "open" => "未確認 / open",
        "relinked" => "訂正中 / being corrected",
        "corrected" => "訂正済み / corrected",
        "dismissed" => "誤りなし / dismissed",
        _ => "?",
    }
}

pub(crate) async fn queue(State(w): S, desk: Desk) -> Response {
    let list = match w.benefits.agency().suspects().await {
        Ok(l) => l,
        Err(e) => return error(StatusCode::BAD_GATEWAY, &e.reason(), &e.reason()),
    };
    let open = list.iter().filter(|s| s.status == "open" || s.status == "relinked").count();
    let body = html! {
        p { "点検で、別の方のマイナンバーに紐付いていると分かった記録です。本人に番号を確認し（またはカードから読み取り）、正しい番号で紐付け直すか、誤りでない理由を記録してください。 / Records the inspection found linked to another resident's number. Confirm the number with the person, then re-link with the right one, or record why the link is right." }
        p #open-count role="status" { "未処理 / Open: " (open) }
        @if list.is_empty() { p #no-suspects { "点検で見つかった記録はありません。 / The inspection found nothing to check." } }
        @for (i, s) in list.iter().enumerate() {
            section.suspect aria-labelledby={ "suspect-" (i) } {
                h2 id={ "suspect-" (i) } { (s.person) "：" (s.items.name) }
                dl {
                    dt { "当機関の4情報 / Our 4 items" }
                    dd { (s.items.name) "、" (s.items.birth) "、" (s.items.sex.as_deref().unwrap_or("—")) "、" (s.items.address) }
                    dt { "見つかったこと / Found" }
                    dd { @if s.other_in_household { "同じ世帯の別の方の番号（家族の取り違え） / A household member's number (family swap)" } @else { "別の方の番号 / Another resident's number" } }
                    dt { "点検 / Inspection" } dd { (s.case) }
                    dt { "状態 / Status" } dd.status { (status_ja(&s.status)) @if let Some(n) = &s.note { "（" (n) "）" } @if let Some(c) = &s.closed_by { " — " (c) } }
                }
                @if s.status == "open" || s.status == "relinked" {
                    form method="post" action="/links/correct" {
                        input type="hidden" name="csrf" value=(desk.1);
                        input type="hidden" name="person" value=(s.person);
                        label for={ "number-" (i) } { "正しい個人番号（12桁） / The right individual number (12 digits)" }
                        input id={ "number-" (i) } name="number" inputmode="numeric" autocomplete="off" required;
                        button type="submit" { "紐付けを訂正する / Correct the link" }
                    }
                }
                @if s.status == "open" {
                    form method="post" action="/links/dismiss" {
                        input type="hidden" name="csrf" value=(desk.1);
                        input type="hidden" name="person" value=(s.person);
                        label for={ "reason-" (i) } { "誤りでない理由 / Why the link is right" }
                        input id={ "reason-" (i) } name="reason" required;
                        button.secondary type="submit" { "誤りなしとする / Dismiss" }
                    }
                }
            }
        }
    };
    page("紐付けの点検 / Suspect number links", Some(&desk), body)
}

/// The clerk's form, checked: the person it is about, and the fields.
fn form_of(
    headers: &HeaderMap,
    desk: &Desk,
    form: Result<Form<Fields>, FormRejection>,
) -> Result<(String, Fields), Box<Response>> {
    let f = checked(headers, desk, form)?;
    let person = field(&f, "person").unwrap_or_default().to_string();
    Ok((person, f))
}

pub(crate) async fn correct(
    State(w): S,
    desk: Desk,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let (person, f) = match form_of(&headers, &desk, form) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let number: String = field(&f, "number").unwrap_or_default().chars().filter(|c| !c.is_whitespace()).collect();
    match w.benefits.agency().correct(&person, &Correction { number }, &desk.0.account).await {
        Ok(done) => page(
            "紐付けを訂正しました / Link corrected",
            Some(&desk),
            html! {
                p.ok role="status" #corrected { (person) "：正しい方に紐付け直しました。誤った紐付けのもとでの" (done.marked) "件のやりとりを両方の方のやりとり履歴に表示し、お二人にお知らせしました。 / Re-linked to the right person; the " (done.marked) " exchanges made under the wrong link are marked in both people's histories, and both were told." }
                p { a href="/links" { "一覧へ戻る / Back to the list" } }
            },
        ),
        Err(e) => error(StatusCode::UNPROCESSABLE_ENTITY, &e.reason(), &e.reason()),
    }
}

pub(crate) async fn dismiss(
    State(w): S,
    desk: Desk,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let (person, f) = match form_of(&headers, &desk, form) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let reason = field(&f, "reason").unwrap_or_default().to_string();
    match w.benefits.agency().dismiss(&person, &Dismissal { reason }, &desk.0.account).await {
        Ok(()) => page(
            "誤りなしとしました / Dismissed",
            Some(&desk),
            html! {
                p.ok role="status" #dismissed { (person) "：紐付けに誤りなしと記録しました。 / Recorded as right." }
                p { a href="/links" { "一覧へ戻る / Back to the list" } }
            },
        ),
        Err(e) => error(StatusCode::UNPROCESSABLE_ENTITY, &e.reason(), &e.reason()),
    }
}
