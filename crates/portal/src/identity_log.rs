//! 本人確認情報の提供状況: who looked the resident up at J-LIS (4-item lookups, number
//! verifications, reads of the record), for which task and case, read from J-LIS's access
//! log with the resident's login (J-LIS answers only for the person whose card signed it).

use std::sync::Arc;

use axum::{Router, extract::State, http::StatusCode, response::Response, routing::get};
use maud::html;
use myna_link::{AccessEntry, LoginProof, PresenceCheck};

use crate::{
    Portal, PortalError,
    history::{jst, task_label},
    page::{Ctx, Resident, error_page, layout},
};

impl Portal {
    /// The signed-in resident's entries of J-LIS's access log, newest first.
    pub async fn identity_log(&self, proof: &LoginProof) -> Result<Vec<AccessEntry>, PortalError> {
        let url = format!("{}/v1/access-log", self.jlis_url.trim_end_matches('/'));
        Ok(myna_node::post_json(&self.jlis, &url, &PresenceCheck { proof: proof.clone() }).await?)
    }
}

/// The caller as a resident reads it: the agency's name from the hub's directory, a
/// municipality's from the code list, J-LIS's own hotline by name.
fn caller_name(names: &std::collections::HashMap<String, String>, id: &str, ctx: &Ctx) -> String {
    if let Some(n) = names.get(id) {
        return n.clone();
    }
    if id == "jlis_hotline" {
        return ctx.t("個人番号カードコールセンター（J-LIS）", "My Number Card hotline (J-LIS)").into();
    }
    let municipality = id
        .strip_prefix("municipality:")
        .and_then(|c| myna_text::address::Gazetteer::embedded().by_code(c))
        .map(|m| format!("{}{}", m.pref, m.full_name()));
    municipality.unwrap_or_else(|| id.to_string())
}

fn action_label(ctx: &Ctx, action: &str) -> String {
    let (ja, en) = match action {
        "lookup" => ("基本4情報による照会", "Lookup by the basic 4 items"),
        "verify" => ("個人番号の確認", "Number verification"),
        "record" => ("住民票の記録の参照", "Record read"),
        "history" => ("異動履歴の参照", "History read"),
        "household" => ("世帯の参照", "Household read"),
        other => (other, other),
    };
    ctx.t(ja, en).to_string()
}

fn purpose_label(ctx: &Ctx, table: &myna_link::PermissionTable, task: &str) -> String {
    match task {
        "resident_registry" => ctx.t("住民基本台帳事務", "Keeping the resident register").into(),
        "individual_number_card" => ctx.t("個人番号カードの交付", "Issuing the My Number Card").into(),
        t => task_label(ctx, table, t),
    }
}

async fn page(State(p): State<Arc<Portal>>, Resident(ctx, s): Resident) -> Response {
    let entries = match p.identity_log(&s.proof).await {
        Ok(e) => e,
        Err(e) => {
            return error_page(
                &ctx,
                StatusCode::BAD_GATEWAY,
                &format!("本人確認情報の提供状況を取得できませんでした: {e}"),
                &format!("J-LIS's record of lookups could not be read: {e}"),
            );
        }
    };
    let names = p.agency_names().await;
    let body = html! {
        p { (ctx.t("地方公共団体情報システム機構（J-LIS）があなたの本人確認情報（氏名・生年月日・性別・住所と個人番号）を、いつ、どの機関に、何の事務のために提供したかの記録です。",
            "When J-LIS gave your identity information (name, birth date, sex, address and number) to which organization, and for which task.")) }
        p { (ctx.t("情報提供ネットワークでのやりとりは", "Exchanges over the linkage network are in the "))
            a href="/history" { (ctx.t("やりとり履歴", "exchange history")) }
            (ctx.t("にあります。この記録は J-LIS が照会ごとに回答前に記録したもので、やりとり履歴のような改ざん検知の証明はまだ付いていません。",
                ". J-LIS records each of these before it answers; unlike the exchange history, they do not yet come with proofs against a tamper-evident log.")) }
        p { (entries.len()) (ctx.t("件", " entries")) }
        div.table-wrap {
            table #identity-log {
                caption { (ctx.t("本人確認情報の提供状況（新しい順）", "Identity information provided, newest first")) }
                thead { tr {
                    th scope="col" { (ctx.t("日時", "When")) }
                    th scope="col" { (ctx.t("提供先", "Given to")) }
                    th scope="col" { (ctx.t("照会の種類", "Kind")) }
                    th scope="col" { (ctx.t("事務", "Task")) }
                    th scope="col" { (ctx.t("案件番号", "Case")) }
                } }
                tbody {
                    @for e in &entries {
                        tr {
                            td { (jst(e.at)) }
                            td { (caller_name(&names, &e.caller, &ctx)) }
                            td { (action_label(&ctx, &e.action)) }
                            td { (purpose_label(&ctx, &p.table, &e.task)) }
                            td { (e.case_ref) }
                        }
                    }
                }
            }
        }
    };
    layout(&ctx, ctx.t("本人確認情報の提供状況", "Identity information provided by J-LIS"), body)
}

pub fn routes() -> Router<Arc<Portal>> {
    Router::new().route("/history/identity", get(page))
}
