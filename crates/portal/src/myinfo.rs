//! わたしの情報: what agencies hold about the signed-in resident, fetched through the linkage
//! network as the portal's self-information function (task `self_information`). The portal
//! asks every agency in the hub's directory for each item its kind can provide; items an
//! agency does not hold are left out, failures are shown with their reason. Results are kept
//! for a minute per resident, so moving between pages does not query the country again.

use myna_link::LoginProof;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{Router, extract::State, response::Response, routing::get};
use maud::{Markup, html};
use myna_link::InfoItem;
use myna_linkage::{
    agency::QueryRequest,
    hub::{DirectoryEntry, SELF_INFORMATION},
};
use myna_node::now_secs;
use serde_json::Value;

use crate::{
    Portal,
    page::{Ctx, Resident, layout},
};

pub(crate) const FRESH_SECS: i64 = 60;

#[derive(Clone, Debug)]
pub struct Held {
    pub item: InfoItem,
    pub agency: String,
    pub agency_name: String,
    pub result: Result<Value, String>,
}

/// Per resident code: when fetched, and what.
type Fetched = (i64, Arc<Vec<Held>>);

#[derive(Default)]
pub struct Cache {
    fetched: Mutex<HashMap<String, Fetched>>,
    /// The health node's answer per resident (健康・医療), with when it was fetched: every
    /// fetch is an exchange in the resident's history, so moving between its pages and
    /// downloads reuses one.
    pub(crate) medical: Mutex<HashMap<String, (i64, Arc<myna_health::MedicalView>)>>,
    /// The hub's directory: it changes when a node registers.
    directory: Timed<Vec<DirectoryEntry>>,
    /// J-LIS's list of issuers' keys, for checking documents: it changes when a
    /// municipality's key is registered.
    pub(crate) issuer_keys: Timed<myna_issuance::KeyList>,
}

/// What another node answered, with when: used again for [`FRESH_SECS`].
pub(crate) struct Timed<T>(Mutex<Option<(i64, Arc<T>)>>);

impl<T> Default for Timed<T> {
    fn default() -> Self {
        Self(Mutex::new(None))
    }
}

impl<T> Timed<T> {
    /// The value kept, if it was read less than [`FRESH_SECS`] before `now`.
    pub(crate) fn fresh(&self, now: i64) -> Option<Arc<T>> {
        let kept = self.0.lock().ok()?.clone()?;
        (now - kept.0 < FRESH_SECS).then_some(kept.1)
    }

    pub(crate) fn keep(&self, now: i64, value: T) -> Arc<T> {
        let value = Arc::new(value);
        if let Ok(mut c) = self.0.lock() {
            *c = Some((now, value.clone()));
        }
        value
    }
}

pub fn item_en(item: InfoItem) -> &'static str {
    match item {
        InfoItem::ResidentRecord => "Resident record",
        InfoItem::LocalTax => "Local tax",
        InfoItem::PublicAssistance => "Public assistance",
        InfoItem::ChildRearingAllowance => "Child-rearing allowance",
        InfoItem::ChildAllowance => "Child allowance",
        InfoItem::SpecialChildAllowance => "Special child allowance",
        InfoItem::Disability => "Disability",
        InfoItem::EmploymentInsurance => "Employment insurance",
        InfoItem::PensionBenefit => "Pension benefits",
        InfoItem::MedicalInsurance => "Health insurance eligibility",
        InfoItem::PublicFundAccount => "Public-fund receipt account",
        InfoItem::MedicalInformation => "Medical information",
    }
}

impl Portal {
    /// The hub's directory (every agency's id and name), read at most once a minute.
    pub async fn directory(&self) -> Result<Arc<Vec<DirectoryEntry>>, String> {
        let now = now_secs();
        if let Some(d) = self.myinfo.directory.fresh(now) {
            return Ok(d);
        }
        let url = format!("{}/v1/agencies", self.agency.hub_url());
        let r = self
            .agency
            .client()
            .get(url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| e.to_string())?;
        Ok(self.myinfo.directory.keep(now, r.json().await.map_err(|e| e.to_string())?))
    }

    /// Agencies' names by id, for pages (empty when the hub cannot be reached).
    pub async fn agency_names(&self) -> HashMap<String, String> {
        self.directory()
            .await
            .map(|d| d.iter().map(|a| (a.id.to_string(), a.name.clone())).collect())
            .unwrap_or_default()
    }

    /// The resident's information, from the cache if fresh.
    /// `proof` is the resident's login, which the hub needs to answer (the portal asks only
    /// for a resident who is signed in).
    /// Forgets the self-information read for `code`, so the next page asks the agencies again
    /// (after the resident changed what one holds).
    pub(crate) fn forget_information(&self, code: &str) {
        if let Ok(mut c) = self.myinfo.fetched.lock() {
            c.remove(code);
        }
    }

    pub async fn my_information(&self, code: &str, proof: &LoginProof) -> Result<Arc<Vec<Held>>, String> {
        let now = now_secs();
        if let Some((at, v)) = self.myinfo.fetched.lock().ok().and_then(|c| c.get(code).cloned())
            && now - at < FRESH_SECS
        {
            return Ok(v);
        }
        let mut asks = Vec::new();
        for a in self.directory().await?.iter() {
            let id = a.id.clone();
            let Ok(kind) = id.kind() else { continue };
            for &item in InfoItem::ALL {
                // Medical information, only the resident's, has its own page (`health.rs`).
                if self.table.provides(kind, item) {
                    asks.push((item, id.clone(), a.name.clone()));
                }
            }
        }
        let task: myna_link::TaskId = SELF_INFORMATION.parse().map_err(|e: myna_link::TableError| e.to_string())?;
        let queries = asks.into_iter().map(|(item, provider, name)| {
            let q = QueryRequest {
                person: code.to_string(),
                task: task.clone(),
                item,
                provider: provider.clone(),
                purpose: "マイナポータル 自己情報表示".into(),
                version: None,
                presence: Some(proof.clone()),
            };
            async move {
                let result = match self.agency.ask(&q).await {
                    Ok(r) if r.outcome == myna_link::Outcome::Delivered => Some(Ok(r.data.unwrap_or(Value::Null))),
                    Ok(_) => None,
                    Err(e) => Some(Err(e.reason())),
                };
                result.map(|result| Held { item, agency: provider.to_string(), agency_name: name, result })
            }
        });
        let held: Vec<Held> = futures_util::future::join_all(queries).await.into_iter().flatten().collect();
        let held = Arc::new(held);
        if let Ok(mut c) = self.myinfo.fetched.lock() {
            if c.len() > 100_000 {
                c.retain(|_, (at, _)| now - *at < FRESH_SECS);
            }
            c.insert(code.to_string(), (now, held.clone()));
        }
        Ok(held)
    }
}

fn value(ctx: &Ctx, fields: &[myna_link::Field], v: &Value) -> Markup {
    let label = |name: &str| -> String {
        match fields.iter().find(|f| f.name == name) {
            Some(f) if !ctx.en => f.ja.clone(),
            _ => name.replace('_', " "),
        }
    };
    match v {
        Value::Object(m) => html! {
            dl {
                @for (k, x) in m {
                    @let field = fields.iter().find(|f| &f.name == k);
                    dt { (label(k)) }
                    @match (field.is_some_and(|f| f.is_yen()), x.as_u64()) {
                        (true, Some(n)) => dd { (myna_text::yen(n)) },
                        _ => dd { (value(ctx, field.map(|f| f.sub_fields()).unwrap_or_default(), x)) },
                    }
                }
            }
        },
        Value::Array(xs) => html! { ol { @for x in xs { li { (value(ctx, fields, x)) } } } },
        Value::Bool(b) => html! { (if *b { ctx.t("はい", "yes") } else { ctx.t("いいえ", "no") }) },
        Value::String(s) => html! { (s) },
        Value::Number(n) => html! { (n.to_string()) },
        Value::Null => html! { "—" },
    }
}

async fn page(State(p): State<Arc<Portal>>, Resident(ctx, s): Resident) -> Response {
    let title = ctx.t("わたしの情報", "My information");
    let held = match p.my_information(&s.code, &s.proof).await {
        Ok(h) => h,
        Err(e) => {
            return crate::page::error_page(
                &ctx,
                axum::http::StatusCode::BAD_GATEWAY,
                &format!("情報提供ネットワークに接続できません: {e}"),
                &format!("The linkage network could not be reached: {e}"),
            );
        }
    };
    let layouts = &p.agency.layouts;
    let body = html! {
        p { (ctx.t("行政機関が情報提供ネットワークを通じて提供できる、あなたの情報です。各項目に、その情報を持つ機関を示します。この照会もやりとり履歴に記録されます。",
            "What agencies can provide about you through the linkage network, each with the agency that holds it. These lookups are recorded in your exchange history too.")) }
        @if held.is_empty() { p { (ctx.t("表示できる情報はありません。", "No agency holds information about you.")) } }
        @for h in held.iter() {
            section.item aria-labelledby={ "item-" (h.item.id()) "-" (h.agency) } {
                h2 id={ "item-" (h.item.id()) "-" (h.agency) } { (if ctx.en { item_en(h.item) } else { h.item.name_ja() }) }
                p.holder { (ctx.t("保有機関: ", "Held by: ")) (h.agency_name) " (" (h.agency) ")" }
                @match &h.result {
                    Ok(v) => {
                        @let fields = layouts.latest(h.item).and_then(|ver| layouts.fields(h.item, ver).ok()).unwrap_or_default();
                        (value(&ctx, fields, v))
                    }
                    Err(e) => p.error { (ctx.t("取得できませんでした: ", "Could not be fetched: ")) (e) }
                }
            }
        }
    };
    layout(&ctx, title, body)
}

pub fn routes() -> Router<Arc<Portal>> {
    Router::new().route("/me", get(page))
}
