//! 引越しワンストップ in the portal: one application, signed once with the card, sent to the
//! municipality the resident leaves (the 転出届) and to the one they move to (the 転入予約),
//! each on its own node. Where the resident now lives is read from the signing certificate
//! they sign with (it carries the registered address), not typed.

use std::sync::Arc;

use axum::{
    Form, Router,
    extract::{Query, State, rejection::FormRejection},
    http::StatusCode,
    response::Response,
    routing::{get, post},
};
use base64ct::{Base64, Encoding as _};
use maud::html;
use myna_link::{MoveApplication, Movers, PushKind};
use myna_node::{now_secs, web::field};
use myna_registry::{Address, moving::keeper};

use crate::{
    Portal,
    page::{Ctx, Fields, Resident, error_page, layout, resident_form},
    signed_push::{push, sign, signing_fields, submitted},
};

/// How the destination's municipality is called on the page: the designated city for a ward.
fn municipality_name(a: &Address) -> String {
    let n = a.normalized();
    let city = if keeper(a) != a.lg_code() {
        n.city.split_inclusive('市').next().unwrap_or(&n.city).to_string()
    } else {
        n.city.clone()
    };
    format!("{}{}", n.pref, city)
}

fn form(ctx: &Ctx, f: &Fields, problem: Option<&str>) -> maud::Markup {
    let v = |k: &str| field(f, k).unwrap_or_default().to_string();
    let named = field(f, "who") == Some("named");
    html! {
        @if let Some(p) = problem { p.error role="alert" #moving-problem { (p) } }
        p { (ctx.t("一つの申請で、転出元の市区町村に転出届を、転入先の市区町村に転入予約を送ります。転入先の窓口へは一度だけ来てください。",
            "One application sends the move-out notice to the municipality you leave and a move-in reservation to the one you move to; you visit the new one once.")) }
        form method="post" action="/moving/confirm" {
            (ctx.csrf_field())
            fieldset {
                legend { (ctx.t("引越しする人", "Who moves")) }
                label { input type="radio" name="who" value="household" checked[!named]; " " (ctx.t("世帯全員", "My whole household")) }
                label { input type="radio" name="who" value="named" checked[named]; " " (ctx.t("自分と次の人", "Me and the people named below")) }
                label for="names" { (ctx.t("一緒に引越しする世帯員の氏名（1行に1人）", "Household members moving with you (one per line)")) }
                textarea #names name="names" { (v("names")) }
            }
            label for="to" { (ctx.t("新しい住所", "New address")) }
            input #to name="to" required maxlength="200" autocomplete="street-address" value=(v("to"));
            label for="on" { (ctx.t("転出予定日（14日後まで）", "Moving out on (at most 14 days ahead)")) }
            input #on name="on" type="date" required value=(v("on"));
            label for="visit" { (ctx.t("転入先への来庁予定日", "When you will visit the new municipality")) }
            input #visit name="visit" type="date" required value=(v("visit"));
            label for="contact" { (ctx.t("連絡先（電話番号またはメール）", "Contact (telephone or e-mail)")) }
            input #contact name="contact" required maxlength="100" autocomplete="tel" value=(v("contact"));
            button type="submit" { (ctx.t("確認する", "Review")) }
        }
    }
}

/// The form, prefilled from the query where a moving service handed the resident over
/// (`/moving?to=…&on=…&visit=…&contact=…`): what it carries is only shown, never sent
/// before the resident reviews and signs it.
async fn page(Resident(ctx, _s): Resident, Query(q): Query<Vec<(String, String)>>) -> Response {
    let known = ["to", "on", "visit", "contact", "who", "names"];
    let f: Fields = q.into_iter().filter(|(k, v)| known.contains(&k.as_str()) && v.chars().count() <= 200).collect();
    layout(&ctx, ctx.t("引越しの手続", "Moving"), form(&ctx, &f, None))
}

/// The application the form describes, or what to fix.
fn application(f: &Fields) -> Result<(MoveApplication, Address), String> {
    let movers = if field(f, "who") == Some("named") {
        let names = field(f, "names")
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect();
        Movers::Named { names }
    } else {
        Movers::Household
    };
    let to = Address::parse(field(f, "to").unwrap_or_default()).map_err(|e| format!("新しい住所: {e}"))?;
    let day = |k: &str| -> Result<String, String> {
        let v = field(f, k).unwrap_or_default();
        myna_registry::parse_date(v).map(|d| d.to_string()).map_err(|e| format!("{k}: {e}"))
    };
    let app = MoveApplication {
        movers,
        to: to.line(),
        on: day("on")?,
        visit: day("visit")?,
        contact: field(f, "contact").unwrap_or_default().trim().to_string(),
        at: now_secs(),
    };
    MoveApplication::parse(&app.bytes())?;
    app.planned(myna_node::today_jst(), myna_registry::moving::ADVANCE_DAYS).map_err(|e| format!("転出予定日: {e}"))?;
    Ok((app, to))
}

async fn confirm(Resident(ctx, s): Resident, f: Result<Form<Fields>, FormRejection>) -> Response {
    let f = match resident_form(&ctx, &s, f) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let (app, to) = match application(&f) {
        Ok(x) => x,
        Err(why) => {
            let mut r = layout(&ctx, ctx.t("引越しの手続", "Moving"), form(&ctx, &f, Some(&why)));
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return r;
        }
    };
    let who = match &app.movers {
        Movers::Household => ctx.t("世帯全員", "The whole household").to_string(),
        Movers::Named { names } if names.is_empty() => ctx.t("本人のみ", "Only you").to_string(),
        Movers::Named { names } => format!("{}、{}", ctx.t("本人", "You"), names.join("、")),
    };
    let bytes = app.bytes();
    let body = html! {
        dl.review {
            dt { (ctx.t("引越しする人", "Who moves")) } dd #move-who { (who) }
            dt { (ctx.t("新しい住所", "New address")) } dd #move-to { (app.to) }
            dt { (ctx.t("転入先", "Moving to")) } dd #move-city { (municipality_name(&to)) }
            dt { (ctx.t("転出予定日", "Moving out on")) } dd { (app.on) }
            dt { (ctx.t("来庁予定日", "Visit on")) } dd { (app.visit) }
            dt { (ctx.t("連絡先", "Contact")) } dd { (app.contact) }
        }
        p { (ctx.t("署名用電子証明書で署名して、転出元に転出届を、転入先に転入予約を送ります。",
            "Signed with your card, this goes to the municipality you leave as the move-out notice and to the new one as a reservation.")) }
        form method="post" action="/moving/submit" { (signing_fields(&ctx, &s, &bytes)) }
        p { a href="/moving" { (ctx.t("入力をやり直す", "Start again")) } }
    };
    layout(&ctx, ctx.t("申請内容の確認", "Check before signing"), body)
}

async fn submit(
    State(p): State<Arc<Portal>>,
    Resident(ctx, s): Resident,
    f: Result<Form<Fields>, FormRejection>,
) -> Response {
    let (f, bytes, app) = match submitted(&ctx, &s, f, MoveApplication::parse) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let signed = match sign(&p, &ctx, &s, &f, &bytes) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    // Where the resident lives now: the address in the certificate that signed.
    let here = Base64::decode_vec(&signed.certificate)
        .ok()
        .and_then(|der| myna_pki::CardCert::parse(&der).ok())
        .and_then(|c| c.holder)
        .and_then(|h| Address::parse(&h.address).ok());
    let (Some(here), Ok(to)) = (here, Address::parse(&app.to)) else {
        return error_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            "署名用電子証明書から現住所を読めません。",
            "The signing certificate names no address.",
        );
    };
    let (from, dest) = (keeper(&here), keeper(&to));
    if from == dest {
        // A 転居: one reservation, to the municipality itself.
        if let Err(r) = push(&p, &ctx, &s, &signed, &format!("municipality:{from}"), PushKind::MoveWithin).await {
            return *r;
        }
        let body = html! {
            ul #move-status {
                li #move-within-status { (municipality_name(&here)) "：" (ctx.t("転居予約を受け付けました。来庁予定日", "move reservation taken; visit on")) " " (app.visit) }
            }
            p { (ctx.t("来庁予定日に、マイナンバーカードを持って窓口へお越しください。結果はお知らせに届きます。",
                "Bring your card to the counter on the day; results come as notices.")) }
            p { a href="/notices" { (ctx.t("お知らせを見る", "See your notices")) } }
        };
        return layout(&ctx, ctx.t("引越しの手続", "Moving"), body);
    }
    if let Err(r) = push(&p, &ctx, &s, &signed, &format!("municipality:{from}"), PushKind::MoveOut).await {
        return *r;
    }
    let reserved = push(&p, &ctx, &s, &signed, &format!("municipality:{dest}"), PushKind::MoveIn).await;
    // What follows the move, from ぴったりサービス: at the old municipality what ends there
    // (受給事由消滅の届出), at the new one the rest of its 引越し procedures; each form is
    // prefilled from the resident's information as any application is.
    let ends = |id: &str| id == "kosodate-04";
    let event = Some(myna_pittari::LifeEvent::Hikkoshi);
    let mut follow: Vec<_> =
        p.catalogue.search(Some(&from), event, "").into_iter().filter(|o| ends(&o.procedure.id)).collect();
    follow.extend(p.catalogue.search(Some(&dest), event, "").into_iter().filter(|o| !ends(&o.procedure.id)));
    let body = html! {
        ul #move-status {
            li #move-out-status { (municipality_name(&here)) "：" (ctx.t("転出届を受け付けました", "move-out notice taken")) }
            @match &reserved {
                Ok(()) => li #move-in-status { (municipality_name(&to)) "：" (ctx.t("転入予約を受け付けました。来庁予定日", "reservation taken; visit on")) " " (app.visit) }
                Err(_) => li #move-in-status { (municipality_name(&to)) "：" (ctx.t("転入予約を送れませんでした。もう一度送ってください。", "the reservation could not be sent; send it again.")) }
            }
        }
        p { (ctx.t("転入先では、マイナンバーカードを持って窓口へお越しください。結果はお知らせに届きます。",
            "Bring your card to the new municipality; results come as notices.")) }
        @if !follow.is_empty() {
            h2 #follow-h { (ctx.t("引越しに伴う手続", "What follows the move")) }
            ul #follow-up aria-labelledby="follow-h" {
                @for o in &follow {
                    li { a href={ "/apply/" (o.municipality) "/" (o.procedure.id) } { (o.procedure.name.get(ctx.en)) } " " small { (o.municipality_name) } }
                }
            }
        }
        p { a href="/notices" { (ctx.t("お知らせを見る", "See your notices")) } }
    };
    layout(&ctx, ctx.t("引越しの手続", "Moving"), body)
}

pub fn routes() -> Router<Arc<Portal>> {
    Router::new()
        .route("/moving", get(page))
        .route("/moving/confirm", post(confirm))
        .route("/moving/submit", post(submit))
}
