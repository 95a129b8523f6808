//! 預貯金口座付番 and 所在確認 from the portal: the resident names the banks by their codes (the
//! confirmation shows their names from the Zengin list; 預金保険機構 refuses one that does not
//! take part), signs the request with the card, and the portal pushes it
//! through the hub to 預金保険機構, which has J-LIS check the signature; the result comes back
//! as a notice.

use std::sync::Arc;

use axum::{
    Form, Router,
    extract::{State, rejection::FormRejection},
    http::StatusCode,
    response::Response,
    routing::{get, post},
};
use maud::html;
use myna_link::{DepositAsk, DepositRequest, PushKind};
use myna_node::{now_secs, web::field};

use crate::{
    Portal,
    page::{Fields, Resident, error_page, layout, resident_form},
    signed_push::{sign_and_push, signing_fields, submitted},
};

const DIC: &str = "deposit_insurance";

async fn page(Resident(ctx, _s): Resident) -> Response {
    let body = html! {
        p { (ctx.t("選んだ金融機関のあなたの口座すべてに、マイナンバーを一度に付番できます。相続や災害のときに、口座のある金融機関を探せるようになります。",
            "Link your number to all your accounts at the banks you choose, at once, so that your accounts can be found after a disaster or by your heirs.")) }
        form method="post" action="/deposits/confirm" {
            (ctx.csrf_field())
            input type="hidden" name="ask" value="link";
            label for="banks" { (ctx.t("付番する金融機関のコード（4桁、複数はカンマ区切り）", "Codes of the banks (4 digits, several separated by commas)")) }
            input #banks name="banks" required;
            button type="submit" { (ctx.t("付番を申し込む", "Ask for the link")) }
        }
        form method="post" action="/deposits/confirm" {
            (ctx.csrf_field())
            input type="hidden" name="ask" value="whereabouts";
            button.secondary #whereabouts type="submit" { (ctx.t("口座の所在を確認する（災害時）", "Find my accounts (after a disaster)")) }
        }
    };
    layout(&ctx, ctx.t("預貯金口座への付番", "Linking your bank accounts"), body)
}

async fn confirm(Resident(ctx, s): Resident, f: Result<Form<Fields>, FormRejection>) -> Response {
    let f = match resident_form(&ctx, &s, f) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let ask = if field(&f, "ask") == Some("whereabouts") {
        DepositAsk::Whereabouts
    } else {
        let codes = myna_zengin::Codes::embedded();
        let banks: Vec<String> = field(&f, "banks")
            .unwrap_or_default()
            .split([',', '、', ' '])
            .map(|b| myna_text::normalize_width(b).trim().to_string())
            .filter(|b| !b.is_empty())
            .collect();
        if banks.is_empty() {
            return error_page(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                "金融機関を選んでください。",
                "Name at least one bank.",
            );
        }
        if let Some(b) = banks.iter().find(|b| codes.bank(b).is_none()) {
            let (ja, en) = (format!("金融機関コード {b} はありません。"), format!("No bank has the code {b}."));
            return error_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &ja, &en);
        }
        DepositAsk::Link { banks }
    };
    let what = match &ask {
        DepositAsk::Link { banks } => {
            let codes = myna_zengin::Codes::embedded();
            let names: Vec<String> =
                banks.iter().map(|b| codes.bank(b).map(|x| x.name.to_string()).unwrap_or_else(|| b.clone())).collect();
            format!("{}: {}", ctx.t("付番する金融機関", "Link at"), names.join("、"))
        }
        DepositAsk::Whereabouts => ctx.t("口座の所在確認", "Find my accounts").to_string(),
    };
    let bytes = DepositRequest { ask, at: now_secs() }.bytes();
    let body = html! {
        p #deposit-what { (what) }
        p { (ctx.t("マイナンバーカードの署名用電子証明書で署名して、預金保険機構へ送ります。", "This is signed with your card and sent to 預金保険機構.")) }
        form method="post" action="/deposits/submit" {
            (signing_fields(&ctx, &s, &bytes))
        }
    };
    layout(&ctx, ctx.t("申込内容の確認", "Check before signing"), body)
}

async fn submit(
    State(p): State<Arc<Portal>>,
    Resident(ctx, s): Resident,
    f: Result<Form<Fields>, FormRejection>,
) -> Response {
    let (f, bytes, _) = match submitted(&ctx, &s, f, DepositRequest::parse) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    if let Err(r) = sign_and_push(&p, &ctx, &s, &f, &bytes, DIC, PushKind::DepositRequest).await {
        return *r;
    }
    let body = html! {
        p.ok role="status" #deposit-done { (ctx.t("預金保険機構が受け付けました。結果はお知らせに届きます。", "預金保険機構 has taken it; the result is in your notices.")) }
        p { a href="/notices" { (ctx.t("お知らせを見る", "See your notices")) } }
    };
    layout(&ctx, ctx.t("預貯金口座への付番", "Linking your bank accounts"), body)
}

pub fn routes() -> Router<Arc<Portal>> {
    Router::new()
        .route("/deposits", get(page))
        .route("/deposits/confirm", post(confirm))
        .route("/deposits/submit", post(submit))
}
