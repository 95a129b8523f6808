//! 本人確認情報の提供状況: who looked the resident up at J-LIS (4-item lookups, number
//! verifications, reads of the record), for which task and case, read from J-LIS's access
//! log with the resident's login (J-LIS answers only for the person whose card signed it).

use std::sync::Arc;

use axum::{Router, extract::State, http::StatusCode, response::Response, routing::get};
use maud::html;
use myna_link::{AccessEntry, AccessLogAnswer, AccessLogRequest, LoginProof, TreeHead, audit, merkle};

use crate::{
    Portal, PortalError,
    history::{jst, task_label},
    page::{Ctx, Resident, error_page, layout},
};

/// The resident's entries as checked: each with whether it is proven in J-LIS's signed tree,
/// and the head, consistent with the one checked before.
pub struct IdentityLog {
    pub entries: Vec<(AccessEntry, bool)>,
    pub head: TreeHead,
    /// The size of the head checked before, which this one extends.
    pub consistent_with: Option<u64>,
}

impl Portal {
    /// The signed-in resident's entries of J-LIS's access log, newest first, each checked
    /// against the head J-LIS signed, and that head against the last one checked (a log that
    /// shrank, forked or was rewritten is refused with the alarm).
    pub async fn identity_log(&self, proof: &LoginProof) -> Result<IdentityLog, PortalError> {
        use crate::store::HeadOf;
        let before = self.store.last_head(HeadOf::Jlis).await?.map(|(size, root, at, _)| TreeHead { size, root, at });
        let url = format!("{}/v1/access-log", self.jlis_url.trim_end_matches('/'));
        let req = AccessLogRequest { proof: proof.clone(), since: before.as_ref().map(|h| h.size) };
        let a: AccessLogAnswer = myna_node::post_json(&self.jlis, &url, &req).await?;
        let jlis: myna_link::AgencyId = myna_linkage::hub::JLIS_ID.parse().map_err(PortalError::internal)?;
        let head = audit::open_head(self.agency.trust(), &a.signed, &jlis, Some(&a.head), myna_node::now_secs())?;
        let consistent_with = match &before {
            None => None,
            Some(b) => {
                let proof = a.consistency.iter().map(|h| merkle::hash_from_hex(h)).collect::<Result<Vec<_>, _>>();
                audit::check_extends(b, &head, &proof.map_err(PortalError::malformed)?)?;
                Some(b.size)
            }
        };
        self.store.save_head(HeadOf::Jlis, head.size, &head.root, (head.at, myna_node::now_secs())).await?;
        let root = merkle::hash_from_hex(&head.root).map_err(PortalError::malformed)?;
        let mut entries = Vec::with_capacity(a.records.len());
        for r in &a.records {
            let entry: AccessEntry = serde_json::from_str(&r.leaf).map_err(PortalError::malformed)?;
            let proven =
                r.proof.iter().map(|h| merkle::hash_from_hex(h)).collect::<Result<Vec<_>, _>>().ok().is_some_and(|p| {
                    merkle::verify_inclusion(r.leaf.as_bytes(), r.index, head.size, &root, &p).is_ok()
                });
            entries.push((entry, proven));
        }
        Ok(IdentityLog { entries, head, consistent_with })
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
        "move_notice" => (
            "転出証明書情報の事前通知（転入先へ）",
            "Move-out certificate information sent ahead to the new municipality",
        ),
        "move_within" => ("転居予約の確認", "Move reservation checked"),
        "inspection" => ("マイナンバー情報総点検（ひも付けの確認）", "Inspection of the number's links"),
        "identity" => {
            ("本人確認情報の提供（電子署名による申請）", "Identity information given for a signed application")
        }
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
    let log = match p.identity_log(&s.proof).await {
        Ok(l) => l,
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
            (ctx.t("にあります。この記録は J-LIS が照会ごとに回答前に記録し、改ざんを検知できる形（署名付きの木構造）で保管しています。",
                ". J-LIS records each of these before it answers, in a tamper-evident log (a signed Merkle tree).")) }
        @let proven = log.entries.iter().filter(|(_, ok)| *ok).count();
        p #identity-proof role="status" {
            (ctx.t("J-LIS の署名付きツリーヘッド（", "J-LIS's signed tree head ("))
            (log.head.size) (ctx.t("件）を確認し、", " entries) checked; "))
            (proven) "/" (log.entries.len())
            (ctx.t("件の記録がそこに含まれることを証明で確認しました。", " of your entries proven to be in it."))
            @if let Some(before) = log.consistent_with {
                " " (ctx.t("前回確認した", "It extends the log of ")) (before)
                (ctx.t("件の記録から改ざんされずに追記されています。", " entries checked before, unaltered."))
            }
        }
        p { (log.entries.len()) (ctx.t("件", " entries")) }
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
                    @for (e, ok) in &log.entries {
                        tr.unproven[!*ok] {
                            td { (jst(e.at)) }
                            td { (caller_name(&names, &e.caller, &ctx)) }
                            td { (action_label(&ctx, &e.action)) }
                            td { (purpose_label(&ctx, &p.table, &e.task)) }
                            td { (e.case_ref) @if !*ok { " " strong { (ctx.t("（証明が合いません）", "(proof does not match)")) } } }
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
