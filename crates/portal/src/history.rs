//! やりとり履歴: every exchange about the resident in the hub's log, newest first, filterable
//! by period, agency and item. Each entry's inclusion proof is checked against the hub's
//! signed tree head, and that head against the last one the portal checked (a consistency
//! proof): a log rewritten behind the residents' backs would fail here, on the page.

use std::sync::Arc;

use axum::{
    Router,
    extract::{Query, State},
    http::StatusCode,
    response::Response,
    routing::get,
};
use maud::html;
use myna_link::{Entry, InfoItem, Outcome, TreeHead, audit, merkle};
use myna_linkage::hub::{PersonRecords, PersonRequest, ProofView};
use myna_node::{now_secs, post_jws};
use serde::Deserialize;

use crate::{
    Portal, PortalError,
    page::{Ctx, Resident, error_page, layout},
};

/// One record as the page shows it.
pub struct Checked {
    pub index: u64,
    pub entry: Entry,
    /// The inclusion proof against the signed head held.
    pub proven: Result<(), String>,
}

/// What the check of the log as a whole found.
pub struct LogCheck {
    pub head: TreeHead,
    /// The earlier head this one was proven consistent with (size), if any.
    pub consistent_with: Option<u64>,
    pub checked_at: i64,
}

impl Portal {
    /// The resident's records from the hub, each proof checked, and the head proven
    /// consistent with the last one checked.
    pub async fn history(
        &self,
        code: &str,
        proof: &myna_link::LoginProof,
    ) -> Result<(Vec<Checked>, LogCheck), PortalError> {
        let hub: myna_link::AgencyId = myna_linkage::hub::HUB_ID.parse().map_err(PortalError::internal)?;
        let code = code.parse().map_err(PortalError::internal)?;
        let jws = self.agency.sign_for(&hub, PersonRequest { code, presence: proof.clone() })?;
        let text = post_jws(self.agency.client(), &format!("{}/v1/log/person", self.agency.hub_url()), jws).await?;
        let recs: PersonRecords = self.agency.open_from_hub::<PersonRecords>(&text)?.body;
        let head = audit::open_head(self.agency.trust(), &recs.head_signed, &hub, Some(&recs.head), now_secs())?;
        let mut out = Vec::new();
        for r in recs.records {
            let (entry, proven) =
                audit::check_record(&r.entry, r.index, &head, &r.proof).map_err(PortalError::malformed)?;
            out.push(Checked { index: r.index, entry, proven });
        }
        out.sort_by(|a, b| b.entry.at.cmp(&a.entry.at).then(b.index.cmp(&a.index)));
        let check = self.check_consistency(&head).await?;
        Ok((out, check))
    }

    /// The head against the last one this portal proved, which it then keeps.
    async fn check_consistency(&self, head: &TreeHead) -> Result<LogCheck, PortalError> {
        let now = now_secs();
        let consistent_with = match self.store.last_head(crate::store::HeadOf::Hub).await? {
            None => None,
            Some((size, root, at, _)) => {
                let before = TreeHead { size, root, at };
                let proof = match audit::proof_needed(&before, head)? {
                    None => Vec::new(),
                    Some((from, to)) => {
                        let url = format!("{}/v1/log/consistency?from={from}&to={to}", self.agency.hub_url());
                        let p: ProofView = myna_node::get_json(self.agency.client(), &url).await?;
                        p.proof
                            .iter()
                            .map(|h| merkle::hash_from_hex(h))
                            .collect::<Result<_, _>>()
                            .map_err(PortalError::malformed)?
                    }
                };
                audit::check_extends(&before, head, &proof)?;
                Some(size)
            }
        };
        self.store.save_head(crate::store::HeadOf::Hub, head.size, &head.root, (head.at, now)).await?;
        Ok(LogCheck { head: head.clone(), consistent_with, checked_at: now })
    }
}

/// A Unix time in Japan time, to the minute.
pub fn jst(secs: i64) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    time::OffsetDateTime::from_unix_timestamp(secs)
        .map(|t| t.to_offset(myna_node::JST).format(&f).unwrap_or_default())
        .unwrap_or_default()
}

/// A `YYYY-MM-DD` date as Unix seconds at the start of that day in Japan.
pub fn day_start(s: &str) -> Option<i64> {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(s, &f).ok()?;
    Some(d.midnight().assume_offset(myna_node::JST).unix_timestamp())
}

#[derive(Deserialize, Default)]
struct Filter {
    from: Option<String>,
    to: Option<String>,
    agency: Option<String>,
    item: Option<String>,
}

fn outcome(ctx: &Ctx, o: Outcome) -> &'static str {
    match o {
        Outcome::Delivered => ctx.t("提供", "provided"),
        Outcome::NotHeld => ctx.t("該当なし", "not held"),
        Outcome::Refused => ctx.t("拒否", "refused"),
        Outcome::Failed => ctx.t("失敗", "failed"),
    }
}

fn item_label(ctx: &Ctx, id: &str) -> String {
    match id.parse::<InfoItem>() {
        Ok(i) => (if ctx.en { crate::myinfo::item_en(i) } else { i.name_ja() }).to_string(),
        Err(_) if id == "notice" => ctx.t("お知らせ", "Notice").to_string(),
        Err(_) if id == "eligibility" => ctx.t("医療保険の資格情報", "Health insurance eligibility").to_string(),
        Err(_) if id == "pmh" => ctx.t("PMHの記録", "PMH record").to_string(),
        Err(_) if id == "card_registration" => ctx.t("カードの利用登録", "Card registration").to_string(),
        Err(_) if id == "move_out" => ctx.t("転出届", "Move-out notice").to_string(),
        Err(_) if id == "move_in" => ctx.t("転入予約", "Move-in reservation").to_string(),
        Err(_) if id == "move_within" => ctx.t("転居予約", "Move reservation (same municipality)").to_string(),
        Err(_) if id == "account_registration" => ctx.t("公金受取口座の登録", "Public-fund account").to_string(),
        Err(_) if id == "deposit_request" => ctx.t("預貯金口座付番の申出", "Bank account linking").to_string(),
        Err(_) if id == "benefit_reply" => ctx.t("給付金への回答", "Reply about a benefit").to_string(),
        Err(_) if id == myna_link::LINK_CORRECTION => ctx.t("紐付けの訂正", "Link correction").to_string(),
        Err(_) => id.to_string(),
    }
}

pub(crate) fn task_label(ctx: &Ctx, table: &myna_link::PermissionTable, task: &str) -> String {
    let named = table.rows().iter().find(|r| r.task.as_str() == task).map(|r| r.task_name.clone());
    match (task, named) {
        ("self_information", _) => {
            ctx.t("自己情報表示（マイナポータル）", "Self-information (Myna Portal)").to_string()
        }
        ("notice", _) => ctx.t("お知らせの送付", "Sending a notice").to_string(),
        ("online_eligibility_confirmation", _) => ctx
            .t("オンライン資格確認（資格情報の登録）", "Online eligibility confirmation (eligibility registered)")
            .to_string(),
        ("public_medical_hub", _) => ctx
            .t("PMH（公費・予防接種・妊婦健診の登録）", "Public medical hub (subsidy, vaccination, maternal records)")
            .to_string(),
        ("card_insurance_registration", _) => {
            ctx.t("健康保険証の利用登録", "Card registered for health insurance").to_string()
        }
        ("moving_one_stop", _) => ctx.t("引越しワンストップ（転出届・転入予約）", "Moving one-stop").to_string(),
        (myna_link::LINK_CORRECTION, _) => {
            ctx.t("マイナンバー情報総点検（紐付けの訂正）", "My Number link inspection (a link corrected)").to_string()
        }
        (_, Some(n)) if !ctx.en => n,
        _ => task.replace('_', " "),
    }
}

async fn page(State(p): State<Arc<Portal>>, Resident(ctx, s): Resident, Query(f): Query<Filter>) -> Response {
    let (records, check) = match p.history(&s.code, &s.proof).await {
        Ok(x) => x,
        Err(e) => {
            return error_page(
                &ctx,
                StatusCode::BAD_GATEWAY,
                &format!("やりとり履歴を検証できませんでした: {e}"),
                &format!("The exchange history could not be verified: {e}"),
            );
        }
    };
    let names = p.agency_names().await;
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_string());
    let from = f.from.as_deref().filter(|s| !s.is_empty()).and_then(day_start);
    let to = f.to.as_deref().filter(|s| !s.is_empty()).and_then(day_start).map(|t| t + 86_400);
    let agency = f.agency.as_deref().filter(|s| !s.is_empty());
    let item = f.item.as_deref().filter(|s| !s.is_empty());
    let shown: Vec<&Checked> = records
        .iter()
        .filter(|r| from.is_none_or(|t| r.entry.at / 1000 >= t) && to.is_none_or(|t| r.entry.at / 1000 < t))
        .filter(|r| agency.is_none_or(|a| r.entry.requester.as_str() == a || r.entry.provider.as_str() == a))
        .filter(|r| item.is_none_or(|i| r.entry.item == i))
        .collect();
    let bad = records.iter().filter(|r| r.proven.is_err()).count();
    let mut agencies: Vec<&str> =
        records.iter().flat_map(|r| [r.entry.requester.as_str(), r.entry.provider.as_str()]).collect();
    agencies.sort_unstable();
    agencies.dedup();
    let mut items: Vec<&str> = records.iter().map(|r| r.entry.item.as_str()).collect();
    items.sort_unstable();
    items.dedup();
    // Exchanges an agency made under a wrong link, named by its correction's entry: marked,
    // never hidden (the log is append-only).
    let corrections: Vec<&Checked> =
        records.iter().filter(|r| r.entry.task == myna_link::LINK_CORRECTION && r.proven.is_ok()).collect();
    let mislinked: std::collections::HashSet<u64> =
        corrections.iter().flat_map(|r| r.entry.concerns.iter().copied()).collect();
    let body = html! {
        p { a href="/history/identity" { (ctx.t("本人確認情報の提供状況（J-LIS への照会）", "Identity information provided by J-LIS (lookups)")) } }
        p { (ctx.t("あなたの情報が、いつ、どの機関から、どの機関へ、何のために提供されたかの記録です。記録は情報提供ネットワークの改ざんできないログから取得し、このページを開くたびに検証しています。",
            "When your information went from which agency to which, and why. The records come from the linkage network's tamper-evident log and are verified every time this page opens.")) }
        @if !corrections.is_empty() {
            section.notice #mislinks role="status" aria-labelledby="mislinks-h" {
                h2 #mislinks-h { (ctx.t("誤った紐付けの訂正", "Wrong links corrected")) }
                @for c in &corrections {
                    p { (jst(c.entry.at / 1000)) " " (name(c.entry.requester.as_str())) ": " (c.entry.reason.as_deref().unwrap_or_default()) }
                }
                @if !mislinked.is_empty() {
                    p { (ctx.t("誤った紐付けのもとで行われたやりとりには、下の表で「誤った紐付け」と表示しています。",
                        "Exchanges made under a wrong link are marked \"wrong link\" in the table below.")) }
                }
            }
        }
        section.verify aria-labelledby="verify-h" {
            h2 #verify-h { (ctx.t("検証結果", "Verification")) }
            @if bad == 0 {
                p.ok #proofs-ok { (ctx.t("すべての記録（", "All ")) (records.len()) (ctx.t("件）がログに含まれていることを確認しました。", " records are proven to be in the log.")) }
            } @else {
                p.error role="alert" { (bad) (ctx.t("件の記録を検証できませんでした。", " records could not be proven.")) }
            }
            p #consistency {
                (ctx.t("ログの大きさ ", "Log size ")) (check.head.size) (ctx.t("件、署名日時 ", " entries, signed at ")) (jst(check.head.at / 1000)) ". "
                @match check.consistent_with {
                    Some(n) => { (ctx.t("以前に確認したログ（", "Proven consistent with the earlier head (")) (n) (ctx.t("件時点）と矛盾しないことを ", " entries) at ")) (jst(check.checked_at)) (ctx.t(" に確認しました。", ".")) }
                    None => { (ctx.t("このログを初めて確認しました（", "First check of this log (")) (jst(check.checked_at)) (ctx.t("）。次回からは過去の記録と矛盾しないかを確認します。", "); from now on each view proves it extends this one.")) }
                }
            }
        }
        form.filter method="get" action="/history" {
            fieldset {
                legend { (ctx.t("絞り込み", "Filter")) }
                label for="from" { (ctx.t("開始日", "From")) } input #from type="date" name="from" value=[f.from.as_deref()];
                label for="to" { (ctx.t("終了日", "To")) } input #to type="date" name="to" value=[f.to.as_deref()];
                label for="agency" { (ctx.t("機関", "Agency")) }
                select #agency name="agency" {
                    option value="" { (ctx.t("すべて", "All")) }
                    @for a in &agencies { option value=(a) selected[agency == Some(*a)] { (name(a)) } }
                }
                label for="item" { (ctx.t("情報の種類", "Information")) }
                select #item name="item" {
                    option value="" { (ctx.t("すべて", "All")) }
                    @for i in &items { option value=(i) selected[item == Some(*i)] { (item_label(&ctx, i)) } }
                }
                button type="submit" { (ctx.t("絞り込む", "Apply filter")) }
            }
        }
        p { (shown.len()) (ctx.t("件を表示", " shown")) }
        div.table-wrap {
            table #history {
                caption { (ctx.t("やりとりの記録（新しい順）", "Exchanges, newest first")) }
                thead { tr {
                    th scope="col" { (ctx.t("日時", "When")) }
                    th scope="col" { (ctx.t("照会した機関", "Asked by")) }
                    th scope="col" { (ctx.t("提供した機関", "Provided by")) }
                    th scope="col" { (ctx.t("事務", "Purpose")) }
                    th scope="col" { (ctx.t("情報", "Information")) }
                    th scope="col" { (ctx.t("結果", "Result")) }
                    th scope="col" { (ctx.t("検証", "Proof")) }
                } }
                tbody {
                    @for r in &shown {
                        tr.mislinked[mislinked.contains(&r.index)] {
                            td { (jst(r.entry.at / 1000)) }
                            td { (name(r.entry.requester.as_str())) }
                            td { (name(r.entry.provider.as_str())) }
                            td { (task_label(&ctx, &p.table, &r.entry.task)) }
                            td { (item_label(&ctx, &r.entry.item)) }
                            td {
                                (outcome(&ctx, r.entry.outcome)) @if let Some(why) = &r.entry.reason { br; small { (why) } }
                                @if mislinked.contains(&r.index) { br; strong.mislink { (ctx.t("誤った紐付け（訂正済み）", "wrong link (corrected)")) } }
                            }
                            td {
                                @match &r.proven {
                                    Ok(()) => span.ok { "✓ " (ctx.t("検証済", "proven")) " #" (r.index) },
                                    Err(e) => span.error { "✗ " (e) },
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    layout(&ctx, ctx.t("やりとり履歴", "Exchange history"), body)
}

pub fn routes() -> Router<Arc<Portal>> {
    Router::new().route("/history", get(page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_japan_and_a_day_filter_starts_at_japanese_midnight() {
        // 2026-04-01 00:00 JST is 2026-03-31 15:00 UTC.
        let start = day_start("2026-04-01").unwrap();
        assert_eq!(start, 1_774_969_200);
        assert_eq!(jst(start), "2026-04-01 00:00");
        assert_eq!(jst(start - 60), "2026-03-31 23:59", "a minute before is the day before, in Japan");
        assert_eq!(day_start("2026-02-30"), None, "no such day");
        assert_eq!(day_start("1 April"), None);
    }
}
