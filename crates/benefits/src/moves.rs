//! The arrivals page of the municipality's moving desk (引越しワンストップ), on the office
//! system beside the benefits and behind the same staff sign-in: who J-LIS says is moving
//! here, with the 転出証明書情報 notified in advance and the 転入予約 each sent, and one step
//! to complete the 転入 at the visit.

use axum::{
    Form,
    extract::{State, rejection::FormRejection},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use maud::html;
use myna_moving::ResidentView;
use myna_node::web::{Fields, field};

use crate::pages::{Desk, S, Web, checked, error, page};

fn date_ja(iso: &str) -> String {
    myna_registry::parse_date(iso)
        .map(|d| myna_text::wareki(d.year(), d.month() as u8, d.day()))
        .unwrap_or_else(|_| iso.to_string())
}

pub(crate) async fn arrivals(State(w): S, desk: Desk) -> Response {
    let Some(m) = &w.moving else {
        return error(StatusCode::NOT_FOUND, "転入の受付はありません。", "This system has no moving desk.");
    };
    let list = match m.arrivals().await {
        Ok(l) => l,
        Err(e) => return error(StatusCode::BAD_GATEWAY, &e.to_string(), &e.to_string()),
    };
    let departures = m.departures().await.unwrap_or_default();
    let within = match m.within().await {
        Ok(l) => l,
        Err(e) => return error(StatusCode::BAD_GATEWAY, &e.to_string(), &e.to_string()),
    };
    let today = crate::today_jst().to_string();
    let body = html! {
        p { (m.name()) "：転出証明書情報の事前通知（住基ネット）と転入予約 / Advance notices from J-LIS and reservations" }
        @if list.is_empty() { p #no-arrivals { "転入予定の方はいません。 / No one is moving here." } }
        @for (i, a) in list.iter().enumerate() {
            section.arrival aria-labelledby={ "arrival-" (i) } {
                h2 id={ "arrival-" (i) } {
                    @match &a.reservation {
                        Some((id, _)) => { "転入予約 " (id) }
                        None => { "事前通知（予約なし） / Notice without a reservation" }
                    }
                }
                @if let Some((_, app)) = &a.reservation {
                    dl {
                        dt { "来庁予定日 / Visit" } dd { (date_ja(&app.visit)) }
                        dt { "連絡先 / Contact" } dd { (app.contact) }
                    }
                }
                table {
                    caption { "転出証明書情報 / Move-out certificate information" }
                    thead { tr {
                        th scope="col" { "氏名 / Name" } th scope="col" { "生年月日 / Birth" } th scope="col" { "続柄 / Relationship" }
                        th scope="col" { "個人番号 / Number" } th scope="col" { "転出元 / From" } th scope="col" { "転出先 / To" } th scope="col" { "転出予定日 / Leaving" }
                    } }
                    tbody {
                        @for n in &a.people {
                            tr {
                                td { (n.resident.name) br; small { (n.resident.kana) } }
                                td { (date_ja(&n.resident.birth)) }
                                td { (n.resident.relationship_ja) }
                                td { (n.resident.number.as_deref().unwrap_or_default()) }
                                td { (n.resident.address) }
                                td { (n.to) }
                                td { (date_ja(&n.on)) " (" (date_ja(&n.lapses_after)) "まで有効)" }
                            }
                        }
                    }
                }
                form method="post" action="/moves/in" {
                    input type="hidden" name="csrf" value=(desk.1);
                    @for n in &a.people { input type="hidden" name="resident" value=(n.resident.code); }
                    label for={ "on-" (i) } { "転入日 / Moved in on" }
                    input id={ "on-" (i) } name="on" type="date" required value=(today);
                    button type="submit" { "転入を完了する / Complete the move-in" }
                }
            }
        }
        @for (i, (id, app, checked)) in within.iter().enumerate() {
            section.arrival aria-labelledby={ "within-" (i) } {
                h2 id={ "within-" (i) } { "転居予約 " (id) }
                dl {
                    dt { "新しい住所 / New address" } dd { (checked.to) }
                    dt { "転居予定日 / Moving on" } dd { (date_ja(&checked.on)) }
                    dt { "来庁予定日 / Visit" } dd { (date_ja(&app.visit)) }
                    dt { "連絡先 / Contact" } dd { (app.contact) }
                    dt { "転居する人 / Who moves" } dd { @for (k, r) in checked.movers.iter().enumerate() { @if k > 0 { "、" } (r.name) } }
                }
                form method="post" action="/moves/within" {
                    input type="hidden" name="csrf" value=(desk.1);
                    input type="hidden" name="id" value=(id);
                    label for={ "within-on-" (i) } { "転居日 / Moved on" }
                    input id={ "within-on-" (i) } name="on" type="date" required value=(today);
                    button type="submit" { "転居を完了する / Complete the move" }
                }
            }
        }
        (renew_form(&desk, &m.cards()))
        h2 #departures-h { "受け付けた転出届 / Move-out notices taken" }
        @if departures.is_empty() { p #no-departures { "まだありません。 / None yet." } }
        @else {
            table aria-labelledby="departures-h" {
                thead { tr { th scope="col" { "転出者 / Who" } th scope="col" { "転出先 / To" } th scope="col" { "転出予定日 / Leaving" } th scope="col" { "連絡先 / Contact" } } }
                tbody #departures {
                    @for (app, done) in &departures {
                        tr {
                            td { @for (k, r) in done.movers.iter().enumerate() { @if k > 0 { "、" } (r.name) } }
                            td { (done.to) }
                            td { (date_ja(&done.on)) }
                            td { (app.contact) }
                        }
                    }
                }
            }
        }
    };
    page("転入・転出の受付 / Arrivals and departures", Some(&desk), body)
}

fn renew_form(desk: &Desk, cards: &[myna_pki::reader::CardInfo]) -> maud::Markup {
    html! {
        @if !cards.is_empty() {
            form method="post" action="/moves/renew" aria-labelledby="renew-h" {
                h2 #renew-h { "署名用電子証明書の発行 / A new signing certificate" }
                input type="hidden" name="csrf" value=(desk.1);
                label for="card" { "カード / Card" }
                select #card name="card" { @for c in cards { option value=(c.id) { (c.holder) " (" (c.id) ")" } } }
                label for="password" { "署名用パスワード（本人が入力） / Signing password (typed by the holder)" }
                input #password name="password" type="password" autocomplete="off" required;
                label for="face_pin" { "券面事項入力補助用の暗証番号（本人が入力、数字4桁） / The face data's PIN (typed by the holder, 4 digits)" }
                input #face_pin name="face_pin" type="password" inputmode="numeric" autocomplete="off" pattern="[0-9]{4}";
                button type="submit" { "新しい証明書を発行する / Issue the new certificate" }
            }
        }
    }
}

/// A clerk's form on the moving desk, checked, and the desk; or the page to answer with.
fn desk_form<'a>(
    w: &'a Web,
    desk: &Desk,
    headers: &HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Result<(&'a myna_moving::Moving, Fields), Box<Response>> {
    let f = checked(headers, desk, form)?;
    let m = w.moving.as_deref().ok_or_else(|| {
        Box::new(error(StatusCode::NOT_FOUND, "転入の受付はありません。", "This system has no moving desk."))
    })?;
    Ok((m, f))
}

/// The page after a 転入 or 転居: who lives where now, and the card's new certificate next
/// (the old one named the old address and J-LIS revoked it).
fn moved(
    desk: &Desk,
    m: &myna_moving::Moving,
    (title, id, said): (&str, &str, &str),
    done: &[ResidentView],
) -> Response {
    let body = html! {
        p.ok role="status" id=(id) { (said) }
        ul { @for r in done { li { (r.name) "：" (r.address) } } }
        p { "旧住所の署名用電子証明書は失効しました。カードをリーダーに置き、本人が署名用パスワードを入力して新しい証明書を発行します。 / The signing certificate with the old address is revoked: put the card on the reader and let its holder type the signing password for a new one." }
        (renew_form(desk, &m.cards()))
        p { a href="/moves" { "転入の受付へ戻る / Back to arrivals" } }
    };
    page(title, Some(desk), body)
}

pub(crate) async fn renew(
    State(w): S,
    desk: Desk,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let (m, f) = match desk_form(&w, &desk, &headers, form) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let card = field(&f, "card").unwrap_or_default();
    let password = field(&f, "password").unwrap_or_default();
    let face_pin = field(&f, "face_pin").filter(|p| !p.is_empty());
    match m.renew_signing(card, password, face_pin, &desk.0.account).await {
        Ok((address, face)) => page(
            "証明書の発行 / Certificate issued",
            Some(&desk),
            html! {
                p.ok role="status" #renewed { "新しい署名用電子証明書をカードに書き込みました。 / The new signing certificate is on the card." }
                p { "証明書の住所 / Its address: " span #renewed-address { (address) } }
                @match &face {
                    Some(Ok(())) => p #face-rewritten { "券面事項入力補助の情報（個人番号と基本4情報）も新しい住所で書き換えました。 / The card's face data (the number and the 4 items) is rewritten with the new address too." },
                    Some(Err(e)) => p.error role="alert" #face-not-rewritten { "券面事項入力補助の情報は書き換えていません：" (e) " / The card's face data was not rewritten: " (e) },
                    None => {},
                }
                p { a href="/moves" { "転入の受付へ戻る / Back to arrivals" } }
            },
        ),
        Err(e) => error(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string(), &e.to_string()),
    }
}

pub(crate) async fn complete_within(
    State(w): S,
    desk: Desk,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let (m, f) = match desk_form(&w, &desk, &headers, form) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let (id, on) = (field(&f, "id").unwrap_or_default(), field(&f, "on").unwrap_or_default());
    match m.complete_within(id, on).await {
        Ok(done) => {
            moved(&desk, m, ("転居完了 / Moved", "moved-within", "転居を記録しました。 / The move is recorded."), &done)
        }
        Err(e) => error(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string(), &e.to_string()),
    }
}

pub(crate) async fn complete(
    State(w): S,
    desk: Desk,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let (m, f) = match desk_form(&w, &desk, &headers, form) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let residents: Vec<String> = f.iter().filter(|(k, _)| k == "resident").map(|(_, v)| v.clone()).collect();
    let on = field(&f, "on").unwrap_or_default();
    match m.complete(&residents, on).await {
        Ok(done) => moved(
            &desk,
            m,
            ("転入完了 / Moved in", "moved-in", "転入を記録しました。 / The move-in is recorded."),
            &done,
        ),
        Err(e) => error(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string(), &e.to_string()),
    }
}
