//! 公金受取口座の登録: the resident registers, changes or removes the account public funds are
//! paid into. The form is checked here against the Zengin code list (a bank or branch that does
//! not exist is refused at once); what the resident confirms is signed with the card's signing
//! key and pushed through the hub to the account registry, which has J-LIS check the signature,
//! name the signer and give the reading of their name the holder's must match. The account as
//! the registry holds it is read back through the hub, like any of the resident's information.

use std::sync::Arc;

use axum::{
    Form, Router,
    extract::{State, rejection::FormRejection},
    http::StatusCode,
    response::Response,
    routing::{get, post},
};
use maud::html;
use myna_link::{AccountAction, AccountInstruction, InfoItem, PushKind};
use myna_node::{now_secs, web::field};
use myna_zengin::{Account, AccountKind, Codes};
use serde_json::Value;

use crate::{
    Portal,
    page::{Ctx, Fields, Resident, layout, resident_form},
    signed_push::{sign_and_push, signing_fields, submitted},
};

/// The account registry's id on the network.
const REGISTRY: &str = "account_registry";

fn form(ctx: &Ctx, values: &Fields, problem: Option<String>) -> maud::Markup {
    let v = |k: &str| field(values, k).unwrap_or_default().to_string();
    html! {
        @if let Some(m) = &problem { p.error role="alert" #account-problem { (m) } }
        form method="post" action="/accounts/confirm" novalidate {
            (ctx.csrf_field())
            input type="hidden" name="action" value="register";
            label for="bank" { (ctx.t("金融機関コード（4桁）", "Bank code (4 digits)")) }
            input #bank name="bank" inputmode="numeric" maxlength="4" required value=(v("bank"));
            label for="branch" { (ctx.t("支店コード（3桁）", "Branch code (3 digits)")) }
            input #branch name="branch" inputmode="numeric" maxlength="3" required value=(v("branch"));
            label for="kind" { (ctx.t("預金種目", "Account type")) }
            select #kind name="kind" {
                @for (d, ja, en) in [("1", "普通", "Ordinary"), ("2", "当座", "Current"), ("4", "貯蓄", "Savings")] {
                    option value=(d) selected[v("kind") == d] { (ctx.t(ja, en)) }
                }
            }
            label for="number" { (ctx.t("口座番号（7桁まで）", "Account number (up to 7 digits)")) }
            input #number name="number" inputmode="numeric" maxlength="7" required value=(v("number"));
            label for="holder" { (ctx.t("口座名義（カナ）", "Account holder (katakana)")) }
            input #holder name="holder" required maxlength="30" value=(v("holder"));
            button type="submit" { (ctx.t("入力内容を確認する", "Check and continue")) }
        }
    }
}

/// The account the registry holds for the resident, read through the hub.
async fn current(p: &Portal, s: &crate::session::Session) -> Result<Option<Value>, String> {
    let held = p.my_information(&s.code, &s.proof).await?;
    Ok(held.iter().filter(|h| h.item == InfoItem::PublicFundAccount).find_map(|h| h.result.clone().ok()))
}

async fn page(State(p): State<Arc<Portal>>, Resident(ctx, s): Resident) -> Response {
    let now = current(&p, &s).await;
    let body = html! {
        p { (ctx.t("給付金などの公金を受け取る口座を、お一人一つ登録できます。登録した口座は、給付を行う行政機関が情報連携で確認し、申請の際に口座を届け出る手間がなくなります。",
            "You may register one account for receiving public funds. Agencies paying a benefit read it through the network, so you need not give it again.")) }
        section aria-labelledby="now-h" {
            h2 #now-h { (ctx.t("登録されている口座", "Your registered account")) }
            @match &now {
                Ok(Some(a)) => {
                    dl.review #account {
                        dt { (ctx.t("金融機関", "Bank")) } dd { (a["bank_name"].as_str().unwrap_or_default()) " (" (a["bank"].as_str().unwrap_or_default()) ")" }
                        dt { (ctx.t("支店", "Branch")) } dd { (a["branch_name"].as_str().unwrap_or_default()) " (" (a["branch"].as_str().unwrap_or_default()) ")" }
                        dt { (ctx.t("預金種目", "Type")) } dd { (a["kind"].as_str().unwrap_or_default()) }
                        dt { (ctx.t("口座番号", "Number")) } dd { (a["number"].as_str().unwrap_or_default()) }
                        dt { (ctx.t("口座名義", "Holder")) } dd { (a["holder"].as_str().unwrap_or_default()) }
                        dt { (ctx.t("状態", "Status")) } dd #account-status {
                            @if a["payable"] == true { (ctx.t("登録済み", "Registered")) }
                            @else { (ctx.t("確認中（同じ口座が別の方にも登録されています）", "Under review: the same account is registered to someone else too")) }
                        }
                    }
                    form method="post" action="/accounts/confirm" {
                        (ctx.csrf_field())
                        input type="hidden" name="action" value="remove";
                        button.secondary #remove type="submit" { (ctx.t("登録を抹消する", "Remove the registration")) }
                    }
                }
                Ok(None) => p #no-account { (ctx.t("登録されていません。", "No account is registered.")) },
                Err(e) => p.error role="alert" { (ctx.t("登録の状況を確認できませんでした: ", "Could not read your registration: ")) (e) },
            }
        }
        section aria-labelledby="new-h" {
            h2 #new-h { (ctx.t("口座を登録・変更する", "Register or change the account")) }
            (form(&ctx, &Fields::new(), None))
        }
    };
    layout(&ctx, ctx.t("公金受取口座の登録", "Public-fund account"), body)
}

/// The instruction the form describes, checked against the code list (the holder's reading is
/// the registry's to check), signed at `at`.
fn instruction(f: &Fields, at: i64) -> Result<(AccountInstruction, Option<Account>), String> {
    let g = |k: &str| field(f, k).unwrap_or_default().trim().to_string();
    if g("action") == "remove" {
        let i = AccountInstruction {
            action: AccountAction::Remove,
            bank: String::new(),
            branch: String::new(),
            kind: String::new(),
            number: String::new(),
            holder: String::new(),
            at,
        };
        return Ok((i, None));
    }
    let kind = g("kind").chars().next().and_then(AccountKind::from_digit).ok_or("預金種目を選んでください")?;
    let a = Account::new(Codes::embedded(), (&g("bank"), &g("branch")), kind, &g("number"), &g("holder"))
        .map_err(|e| e.to_string())?;
    let i = AccountInstruction {
        action: AccountAction::Register,
        bank: a.bank.clone(),
        branch: a.branch.clone(),
        kind: kind.digit().to_string(),
        number: a.number.clone(),
        holder: g("holder"),
        at,
    };
    Ok((i, Some(a)))
}

async fn confirm(Resident(ctx, s): Resident, f: Result<Form<Fields>, FormRejection>) -> Response {
    let f = match resident_form(&ctx, &s, f) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let (i, account) = match instruction(&f, now_secs()) {
        Ok(x) => x,
        Err(why) => {
            let mut r = layout(&ctx, ctx.t("公金受取口座の登録", "Public-fund account"), form(&ctx, &f, Some(why)));
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return r;
        }
    };
    let codes = Codes::embedded();
    let body = html! {
        @match &account {
            Some(a) => {
                p { (ctx.t("次の口座を公金受取口座として登録します。", "You are registering this account for public funds:")) }
                dl.review {
                    dt { (ctx.t("金融機関", "Bank")) } dd #confirm-bank { (codes.bank(&a.bank).map(|b| b.name).unwrap_or_default()) " (" (a.bank) ")" }
                    dt { (ctx.t("支店", "Branch")) } dd { (codes.branch(&a.bank, &a.branch).map(|b| b.name).unwrap_or_default()) " (" (a.branch) ")" }
                    dt { (ctx.t("預金種目", "Type")) } dd { (a.kind.name_ja()) }
                    dt { (ctx.t("口座番号", "Number")) } dd { (a.number) }
                    dt { (ctx.t("口座名義", "Holder")) } dd { (a.holder) }
                }
            }
            None => p { (ctx.t("公金受取口座の登録を抹消します。", "You are removing your public-fund account.")) },
        }
        p { (ctx.t("マイナンバーカードの署名用電子証明書で署名して送ります。口座名義は住民票の氏名の読みと照合されます。",
            "This is signed with your card's signing certificate; the holder's name is checked against the reading of your registered name.")) }
        form method="post" action="/accounts/submit" {
            (signing_fields(&ctx, &s, &i.bytes()))
        }
        p { a href="/accounts" { (ctx.t("入力をやり直す", "Start again")) } }
    };
    layout(&ctx, ctx.t("登録内容の確認", "Check before signing"), body)
}

async fn submit(
    State(p): State<Arc<Portal>>,
    Resident(ctx, s): Resident,
    f: Result<Form<Fields>, FormRejection>,
) -> Response {
    let (f, bytes, _) = match submitted(&ctx, &s, f, AccountInstruction::parse) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    if let Err(r) = sign_and_push(&p, &ctx, &s, &f, &bytes, REGISTRY, PushKind::AccountRegistration).await {
        return *r;
    }
    p.forget_information(&s.code);
    let body = html! {
        p.ok role="status" #account-done { (ctx.t("公金受取口座登録システムが受け付けました。", "The account registry has taken it.")) }
        p { a href="/accounts" { (ctx.t("登録の状況を見る", "See your registration")) } }
    };
    layout(&ctx, ctx.t("公金受取口座の登録", "Public-fund account"), body)
}

pub fn routes() -> Router<Arc<Portal>> {
    Router::new()
        .route("/accounts", get(page))
        .route("/accounts/confirm", post(confirm))
        .route("/accounts/submit", post(submit))
}
