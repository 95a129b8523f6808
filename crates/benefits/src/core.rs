//! A benefit's run, step by step, each step durable before the next: determine who is
//! eligible, ask each recipient's account through the hub and tell them, take declines until
//! the deadline, approve (accounts asked again) into the 総合振込 file, take the bank's
//! returns.

use std::sync::Arc;

use myna_link::{AgencyId, InfoItem, Outcome, PermissionTable, Reply, ReplyAnswer, ReplyOffer, TaskId};
use myna_linkage::agency::{Agency, NoticeSend, QueryRequest};
use myna_node::now_secs;
use myna_store::Db;
use myna_zengin::{AccountKind, Payment, Requester, Transfer, returns};
use serde_json::{Value, json};
use time::Date;

use crate::{
    BenefitError,
    facts::{Gather, ITEMS},
    rule::{Definition, TASK},
    store::{BenefitRow, BenefitStore, PaymentRow},
};

/// A payment's statuses, in the order a payment goes through them.
pub mod status {
    /// Found eligible; not yet told.
    pub const PENDING: &str = "pending";
    /// Told, with the account it will be paid into.
    pub const NOTIFIED: &str = "notified";
    /// Told, without an account: asked to register one or to apply with one.
    pub const NO_ACCOUNT: &str = "no_account";
    /// The resident declined (受給拒否).
    pub const DECLINED: &str = "declined";
    /// At approval, still no account to pay into.
    pub const UNPAYABLE: &str = "unpayable";
    /// In the transfer file.
    pub const IN_TRANSFER: &str = "in_transfer";
    /// The bank paid it.
    pub const PAID: &str = "paid";
    /// The bank could not pay it (振込不能).
    pub const RETURNED: &str = "returned";
    pub const ALL: &[&str] = &[PENDING, NOTIFIED, NO_ACCOUNT, DECLINED, UNPAYABLE, IN_TRANSFER, PAID, RETURNED];
}
use status::*;

/// Payments a page, and notices sent at once.
const PAGE: u32 = 500;
const AT_ONCE: usize = 16;

pub struct Benefits {
    agency: Arc<Agency>,
    store: BenefitStore,
    table: PermissionTable,
    payer: Requester,
    registry: AgencyId,
    /// Myna Portal's address, for the links in notices.
    portal: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Determined {
    pub households: usize,
    pub eligible: usize,
    pub total: u64,
    /// People the records could not place in a household.
    pub unplaced: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Notified {
    pub with_account: usize,
    pub without_account: usize,
}

/// A recipient told: their payment's new status, the account, the notice's log index.
struct Told {
    person: String,
    status: &'static str,
    account: Option<String>,
    notice: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Approved {
    pub payments: usize,
    pub total: u64,
    pub unpayable: usize,
    pub declined: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Returned {
    pub paid: usize,
    pub returned: usize,
}

fn ymd(d: Date) -> String {
    myna_text::wareki(d.year(), d.month() as u8, d.day())
}

/// The last second of `d` in Japan (UTC+9).
fn end_of_day_jst(d: Date) -> i64 {
    d.midnight().assume_utc().unix_timestamp() + 86_400 - 9 * 3_600 - 1
}

/// Today in Japan.
pub fn today_jst() -> Date {
    time::OffsetDateTime::from_unix_timestamp(now_secs() + 9 * 3_600).map(|t| t.date()).unwrap_or(time::Date::MIN)
}

/// An account as a notice shows it: bank, branch, kind and the last three digits.
fn masked(a: &Value) -> String {
    let s = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let number = s("number");
    let tail: String = number.chars().skip(number.chars().count().saturating_sub(3)).collect();
    format!("{} {} {} ****{tail}", s("bank_name"), s("branch_name"), s("kind"))
}

impl Benefits {
    /// Opens the benefit system of the municipality whose node is `agency`, paying from
    /// `payer`'s account; `portal` is Myna Portal's address for the links in its notices.
    pub async fn open(db: Db, agency: Arc<Agency>, payer: Requester, portal: &str) -> Result<Self, BenefitError> {
        let table = PermissionTable::shipped().map_err(|e| BenefitError::invalid("table", e))?;
        let registry = "account_registry".parse().map_err(|e| BenefitError::invalid("registry", e))?;
        Ok(Self {
            store: BenefitStore::open(db).await?,
            agency,
            table,
            payer,
            registry,
            portal: portal.trim_end_matches('/').to_string(),
        })
    }

    pub fn store(&self) -> &BenefitStore {
        &self.store
    }

    /// The municipality's staff sign-in (its clerks' cards).
    pub fn staff(&self) -> &myna_rp::staff::StaffLogin {
        &self.agency.staff
    }

    /// The municipality's node on the network (its links, its suspect queue).
    pub fn agency(&self) -> &Arc<Agency> {
        &self.agency
    }

    /// The municipality's id on the network.
    pub fn municipality(&self) -> &AgencyId {
        &self.agency.id
    }

    /// A new benefit, checked (see [`Definition::check`]); `by` is the clerk's account.
    pub async fn define(&self, def: &Definition, by: &str, today: Date) -> Result<BenefitRow, BenefitError> {
        def.check(&self.table, today)?;
        let text = serde_json::to_string(def).map_err(|e| BenefitError::invalid("definition", e))?;
        let now = now_secs();
        // Random, so two benefits defined in the same second (or the same one twice) differ.
        let id = format!("{}-{}", def.basis.to_string().replace('-', ""), myna_node::web::random_hex::<6>());
        if id.ends_with('-') {
            return Err(BenefitError::invalid("id", "no random source"));
        }
        self.store.create(&id, &text, by, now).await?;
        self.benefit(&id).await.map(|(row, _)| row)
    }

    pub async fn benefit(&self, id: &str) -> Result<(BenefitRow, Definition), BenefitError> {
        let row = self.store.benefit(id).await?.ok_or_else(|| BenefitError::NotFound(id.to_string()))?;
        let def: Definition =
            serde_json::from_str(&row.definition).map_err(|e| BenefitError::invalid("definition", e))?;
        Ok((row, def))
    }

    /// Finds the eligible households from the municipality's own records, a page of people at
    /// a time, and keeps one payment each. Run again, it keeps the first determination.
    pub async fn determine(&self, id: &str) -> Result<Determined, BenefitError> {
        let (row, def) = self.benefit(id).await?;
        let mut gather = Gather::default();
        let mut after = String::new();
        loop {
            let (rows, last) = self.agency.store.holdings(&after, 5_000).await?;
            for (person, item, body) in rows {
                let Ok(item) = item.parse::<InfoItem>() else { continue };
                if !ITEMS.contains(&item) {
                    continue;
                }
                let Ok(v) = serde_json::from_str::<Value>(&body) else { continue };
                gather.add(&person, item, &v);
            }
            match last {
                Some(l) => after = l,
                None => break,
            }
        }
        let (households, unplaced) = gather.households();
        let awards: Vec<(String, u64, u32)> =
            households.iter().filter_map(|h| def.award(h)).map(|a| (a.person, a.amount, a.children)).collect();
        let total = awards.iter().map(|a| a.1).sum();
        if row.stage == "defined" {
            self.store.determine(id, &awards, now_secs()).await?;
        }
        let kept = self.store.tally(id).await?;
        let eligible = kept.iter().map(|t| t.1 as usize).sum();
        let total = if row.stage == "defined" { total } else { kept.iter().map(|t| t.2 as u64).sum() };
        Ok(Determined { households: households.len(), eligible, total, unplaced: unplaced.len() })
    }

    /// The recipient's public-fund account through the hub (the exchange is in their
    /// やりとり履歴): `None` when none is registered or it is held for review.
    async fn account(&self, id: &str, person: &str) -> Result<Option<Value>, BenefitError> {
        let q = QueryRequest {
            person: person.to_string(),
            task: TaskId::try_from(TASK.to_string()).map_err(|e| BenefitError::invalid("task", e))?,
            item: InfoItem::PublicFundAccount,
            provider: self.registry.clone(),
            purpose: format!("給付金 {id}"),
            version: None,
            presence: None,
        };
        let r = self.agency.ask(&q).await?;
        Ok(match (r.outcome, r.data) {
            (Outcome::Delivered, Some(v)) if v.get("payable").and_then(Value::as_bool) == Some(true) => Some(v),
            _ => None,
        })
    }

    /// Tells every eligible resident not yet told: the amount, the payment day and the
    /// account (masked), with a way to decline until the deadline; or, without an account,
    /// how to give one. Sent a few at a time; each payment's status written once its notice
    /// is in the hub's log, so a run cut short resumes with those not yet told.
    pub async fn notify(&self, id: &str) -> Result<Notified, BenefitError> {
        let (row, def) = self.benefit(id).await?;
        if row.stage != "determined" {
            return Err(BenefitError::Stage(format!(
                "benefit {id} is {}: notices follow the determination",
                row.stage
            )));
        }
        let mut done = Notified::default();
        loop {
            let page = self.store.payments(id, &[PENDING], 0, PAGE).await?;
            if page.is_empty() {
                break;
            }
            for chunk in page.chunks(AT_ONCE) {
                let told = futures_util::future::join_all(chunk.iter().map(|p| self.tell(id, &def, p))).await;
                let told = told.into_iter().collect::<Result<Vec<Told>, _>>()?;
                let changes: Vec<_> = told
                    .iter()
                    .map(|t| (t.person.as_str(), t.status, t.account.as_deref(), Some(t.notice), None))
                    .collect();
                // Each recipient's status written once their notice is in the hub's log, a
                // chunk to a transaction.
                self.store.change_many(id, &changes, &[PENDING], now_secs()).await?;
                for t in &told {
                    if t.account.is_some() {
                        done.with_account += 1;
                    } else {
                        done.without_account += 1;
                    }
                }
            }
        }
        Ok(done)
    }

    /// One payment's notice, sent; answers what to record of it.
    async fn tell(&self, id: &str, def: &Definition, p: &PaymentRow) -> Result<Told, BenefitError> {
        let account = self.account(id, &p.person).await?;
        let amount = myna_text::yen(p.amount as u64);
        let kids = if p.children > 0 { format!("（お子さま{}人分）", p.children) } else { String::new() };
        let until = ymd(def.decline_by);
        let (body, reply) = match &account {
            Some(a) => (
                format!(
                    "{name}として{amount}{kids}を、{pay}に次の口座へお振り込みします。申請は要りません。\n振込先: {acct}\n\
                     受け取らない場合は{until}までにこのお知らせの「受け取らない」を押してください。口座を変えるときは、同じ日までにマイナポータルで公金受取口座を変更してください。\n\
                     お問い合わせの際は給付番号 {id} をお伝えください。\n\n\
                     {amount} will be paid into the account above on {pay_en} without an application. To decline, press \"Decline\" on this notice by {until_en}; to use another account, change your public-fund account by then.",
                    name = def.name,
                    pay = ymd(def.pay_on),
                    acct = masked(a),
                    pay_en = def.pay_on,
                    until_en = def.decline_by,
                ),
                Some(ReplyOffer {
                    about: id.to_string(),
                    answer: ReplyAnswer::Decline,
                    until: end_of_day_jst(def.decline_by),
                }),
            ),
            None => (
                format!(
                    "{name}として{amount}{kids}を支給します。公金受取口座が登録されていないため、{until}までに次のどちらかをしてください。\n\
                     ・マイナポータルで公金受取口座を登録する\n\
                     ・振込先口座を届け出る: {portal}/apply/{muni}/kurashi-20?benefit={id}\n\
                     受け取らない場合は何もしなくて構いません。給付番号 {id}\n\n\
                     You are to receive {amount}. No public-fund account is registered: register one in Myna Portal, or give an account with the form above, by {until_en}.",
                    name = def.name,
                    portal = self.portal,
                    muni = self.agency.id.to_string().trim_start_matches("municipality:"),
                    until_en = def.decline_by,
                ),
                None,
            ),
        };
        let notice = NoticeSend {
            person: p.person.clone(),
            title: format!("{}のお知らせ（{amount}）", def.name),
            body,
            deliver_at: None,
            reply,
        };
        let sent = self.agency.notify(&notice).await?;
        let (status, account) = match &account {
            Some(a) => (NOTIFIED, Some(json!({"source": "registry", "account": a}).to_string())),
            None => (NO_ACCOUNT, None),
        };
        Ok(Told { person: p.person.clone(), status, account, notice: sent.record as i64 })
    }

    /// A resident's reply through the portal (by this municipality's code for them): a
    /// decline before the deadline and before approval stops the payment.
    pub async fn reply(&self, code: &str, reply: &Reply) -> Result<(), BenefitError> {
        let ReplyAnswer::Decline = reply.answer;
        let person = self
            .agency
            .store
            .person_of(code)
            .await?
            .ok_or_else(|| BenefitError::invalid("code", "the resident is not known here"))?;
        let (row, def) = self.benefit(&reply.about).await?;
        if row.stage == "approved" || reply.at > end_of_day_jst(def.decline_by) {
            return Err(BenefitError::Stage(format!("the deadline to decline benefit {} has passed", reply.about)));
        }
        let change = (person.as_str(), DECLINED, None, None, Some("受給拒否（本人）"));
        if !self.store.change(&reply.about, change, &[PENDING, NOTIFIED, NO_ACCOUNT], now_secs()).await? {
            let why = match self.store.payment(&reply.about, &person).await? {
                Some(p) if p.status == DECLINED => return Ok(()),
                Some(p) => format!("its payment is {}", p.status),
                None => "the resident is not its recipient".into(),
            };
            return Err(BenefitError::Stage(format!("benefit {} cannot be declined: {why}", reply.about)));
        }
        Ok(())
    }

    /// An account a recipient without one gave on a form (ぴったりサービス or paper), entered by
    /// the clerk `by`: checked as the registry checks one (Zengin codes, number); used instead
    /// of asking the registry again at approval.
    pub async fn give_account(
        &self,
        id: &str,
        person: &str,
        (bank, branch, kind, number, holder): (&str, &str, AccountKind, &str, &str),
        by: &str,
    ) -> Result<(), BenefitError> {
        let codes = myna_zengin::Codes::embedded();
        let a = myna_zengin::Account::new(codes, (bank, branch), kind, number, holder)
            .map_err(|e| BenefitError::invalid("account", e))?;
        let v = json!({"source": "application", "entered_by": by, "account": {
            "bank": a.bank, "bank_name": codes.bank(&a.bank).map(|b| b.name).unwrap_or_default(),
            "branch": a.branch, "branch_name": codes.branch(&a.bank, &a.branch).map(|b| b.name).unwrap_or_default(),
            "kind": a.kind.name_ja(), "number": a.number, "holder": a.holder, "payable": true}});
        let text = v.to_string();
        let change = (person, NOTIFIED, Some(text.as_str()), None, Some("口座届出"));
        if !self.store.change(id, change, &[NO_ACCOUNT, NOTIFIED], now_secs()).await? {
            return Err(BenefitError::Stage(format!("benefit {id} has no open payment to {person}")));
        }
        Ok(())
    }

    /// After the deadline, the clerk `by` approves: each payment's account asked again (the
    /// resident may have changed it), those with none marked unpayable, the rest put in the
    /// transfer file, all in one transaction. Approving again changes nothing.
    pub async fn approve(&self, id: &str, by: &str, today: Date) -> Result<Approved, BenefitError> {
        let (row, def) = self.benefit(id).await?;
        if row.stage == "defined" {
            return Err(BenefitError::Stage(format!("benefit {id} is not determined yet")));
        }
        if row.stage == "determined" {
            if today <= def.decline_by {
                return Err(BenefitError::Stage(format!(
                    "residents may decline until {}: approve after it",
                    def.decline_by
                )));
            }
            if !self.store.payments(id, &[PENDING], 0, 1).await?.is_empty() {
                return Err(BenefitError::Stage("some residents are not told yet: send the notices first".into()));
            }
            let mut changes: Vec<(String, &'static str, Option<String>, Option<&'static str>)> = Vec::new();
            let mut after = 0;
            loop {
                let page = self.store.payments(id, &[NOTIFIED, NO_ACCOUNT], after, PAGE).await?;
                let Some(last) = page.last() else { break };
                after = last.seq;
                for chunk in page.chunks(AT_ONCE) {
                    let asked = futures_util::future::join_all(chunk.iter().map(|p| self.account_now(id, p))).await;
                    for (p, now) in chunk.iter().zip(asked) {
                        changes.push(match now? {
                            Some(v) => (p.person.clone(), IN_TRANSFER, Some(v.to_string()), None),
                            None => (p.person.clone(), UNPAYABLE, None, Some("公金受取口座の登録も口座の届出もない")),
                        });
                    }
                }
            }
            let borrowed: Vec<_> =
                changes.iter().map(|(p, s, a, r)| (p.as_str(), *s, a.as_deref(), None, *r)).collect();
            self.store.approve(id, &borrowed, by, now_secs()).await?;
        }
        // Each recipient told the decision (支給決定), resumed where a run stopped.
        self.tell_decisions(id, &def).await?;
        let tally = self.store.tally(id).await?;
        let of =
            |s: &str| tally.iter().filter(|t| t.0 == s).map(|t| (t.1 as usize, t.2 as u64)).next().unwrap_or((0, 0));
        let paid = [IN_TRANSFER, PAID, RETURNED].iter().map(|s| of(s)).fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        Ok(Approved { payments: paid.0, total: paid.1, unpayable: of(UNPAYABLE).0, declined: of(DECLINED).0 })
    }

    /// The account a payment is to be paid into at approval: one the recipient gave on a form,
    /// else the registry's now (asked again: it may have changed since the notice).
    async fn account_now(&self, id: &str, p: &PaymentRow) -> Result<Option<Value>, BenefitError> {
        let given = p
            .account
            .as_deref()
            .and_then(|a| serde_json::from_str::<Value>(a).ok())
            .filter(|v| v["source"] == "application");
        match given {
            Some(v) => Ok(Some(v)),
            None => Ok(self.account(id, &p.person).await?.map(|a| json!({"source": "registry", "account": a}))),
        }
    }

    /// The decision notices: the amount, the day and the account it will be paid into; or,
    /// with no account to pay into, how to give one.
    async fn tell_decisions(&self, id: &str, def: &Definition) -> Result<(), BenefitError> {
        loop {
            let page = self.store.undecided(id, PAGE).await?;
            if page.is_empty() {
                return Ok(());
            }
            for chunk in page.chunks(AT_ONCE) {
                let sent = futures_util::future::join_all(chunk.iter().map(|p| self.decision(id, def, p))).await;
                let mut told = Vec::with_capacity(chunk.len());
                for (p, r) in chunk.iter().zip(sent) {
                    told.push((p.person.as_str(), r?));
                }
                self.store.decided(id, &told).await?;
            }
        }
    }

    async fn decision(&self, id: &str, def: &Definition, p: &PaymentRow) -> Result<i64, BenefitError> {
        let amount = myna_text::yen(p.amount as u64);
        let account = p.account.as_deref().and_then(|a| serde_json::from_str::<Value>(a).ok());
        let (title, body) = match (p.status.as_str(), account) {
            (IN_TRANSFER, Some(a)) => (
                format!("{}の支給決定のお知らせ（{amount}）", def.name),
                format!(
                    "{name}の支給が決定しました。{amount}を{pay}に次の口座へお振り込みします。\n振込先: {acct}\n給付番号 {id}\n\n\
                     The payment of {amount} is decided: it reaches the account above on {pay_en}.",
                    name = def.name,
                    pay = ymd(def.pay_on),
                    acct = masked(&a["account"]),
                    pay_en = def.pay_on,
                ),
            ),
            _ => (
                format!("{}を支給できません", def.name),
                format!(
                    "{name}（{amount}）は、期限までに振込先の口座がなかったため、まだ支給できません。振込先口座を届け出てください: {portal}/apply/{muni}/kurashi-20?benefit={id}\n給付番号 {id}\n\n\
                     {amount} could not be paid: no account was given by the deadline. Give one with the form above.",
                    name = def.name,
                    portal = self.portal,
                    muni = self.agency.id.to_string().trim_start_matches("municipality:"),
                ),
            ),
        };
        let notice = NoticeSend { person: p.person.clone(), title, body, deliver_at: None, reply: None };
        Ok(self.agency.notify(&notice).await?.record as i64)
    }

    /// The approved benefit's 総合振込 file (read back before it is answered): every payment
    /// approved, in reference order; the same file each time it is asked for.
    pub async fn transfer_file(&self, id: &str) -> Result<Vec<u8>, BenefitError> {
        let (row, def) = self.benefit(id).await?;
        if row.stage != "approved" {
            return Err(BenefitError::Stage(format!("benefit {id} is not approved yet")));
        }
        let mut payments = Vec::new();
        let mut after = 0;
        loop {
            let page = self.store.payments(id, &[IN_TRANSFER, PAID, RETURNED], after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for p in &page {
                payments.push(to_payment(p)?);
            }
        }
        let t = Transfer { requester: self.payer.clone(), on: (def.pay_on.month() as u8, def.pay_on.day()), payments };
        Ok(t.write()?)
    }

    /// The bank's result file for the benefit's transfer: each payment paid or returned, and
    /// each returned one's recipient told why and what to do. Taking it again changes nothing.
    pub async fn returns(&self, id: &str, file: &[u8]) -> Result<Returned, BenefitError> {
        let (row, def) = self.benefit(id).await?;
        if row.stage != "approved" {
            return Err(BenefitError::Stage(format!("benefit {id} has no transfer yet")));
        }
        let (t, results) = returns::read(file)?;
        if t.requester.code != self.payer.code {
            return Err(BenefitError::invalid("file", "the result file is for another payer (依頼人コード)"));
        }
        let mut out = Returned::default();
        let by_seq: std::collections::HashMap<i64, PaymentRow> = {
            let mut m = std::collections::HashMap::new();
            let mut after = 0;
            loop {
                let page = self.store.payments(id, &[], after, PAGE).await?;
                let Some(last) = page.last() else { break };
                after = last.seq;
                m.extend(page.into_iter().map(|p| (p.seq, p)));
            }
            m
        };
        for r in results {
            let seq: i64 = r.payment.reference.parse().unwrap_or(0);
            let Some(p) = by_seq.get(&seq) else {
                return Err(BenefitError::invalid(
                    "file",
                    format!("reference {} is no payment of {id}", r.payment.reference),
                ));
            };
            if r.payment.amount != p.amount as u64 {
                return Err(BenefitError::invalid(
                    "file",
                    format!("reference {}: the amount is not the one paid", r.payment.reference),
                ));
            }
            match r.unpaid {
                None => {
                    if self.store.change(id, (&p.person, PAID, None, None, None), &[IN_TRANSFER], now_secs()).await? {
                        out.paid += 1;
                    }
                }
                Some(why) => {
                    let reason = format!("振込不能: {}", why.name_ja());
                    let change = (p.person.as_str(), RETURNED, None, None, Some(reason.as_str()));
                    if !self.store.change(id, change, &[IN_TRANSFER], now_secs()).await? {
                        continue;
                    }
                    out.returned += 1;
                    let notice = NoticeSend {
                        person: p.person.clone(),
                        title: format!("{}を振り込めませんでした", def.name),
                        body: format!(
                            "{name}（{amount}）を登録の口座へ振り込めませんでした（{ja}）。口座の内容を確かめ、公金受取口座を登録し直すか、振込先口座を届け出てください: {portal}/apply/{muni}/kurashi-20?benefit={id}\n給付番号 {id}\n\n\
                             The payment of {amount} could not be made ({en}). Check your account and register it again, or give another with the form above.",
                            name = def.name,
                            amount = myna_text::yen(p.amount as u64),
                            ja = why.name_ja(),
                            en = why.name_en(),
                            portal = self.portal,
                            muni = self.agency.id.to_string().trim_start_matches("municipality:"),
                        ),
                        deliver_at: None,
                        reply: None,
                    };
                    self.agency.notify(&notice).await?;
                }
            }
        }
        Ok(out)
    }
}

/// A payment of the transfer file from its row (the account as approved).
fn to_payment(p: &PaymentRow) -> Result<Payment, BenefitError> {
    let v: Value = p
        .account
        .as_deref()
        .and_then(|a| serde_json::from_str(a).ok())
        .ok_or_else(|| BenefitError::invalid("account", format!("payment {} has no account", p.seq)))?;
    let a = &v["account"];
    let s = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let kind = match s("kind").as_str() {
        "当座" => AccountKind::Current,
        "貯蓄" => AccountKind::Savings,
        _ => AccountKind::Ordinary,
    };
    Ok(Payment {
        bank: (s("bank"), String::new()),
        branch: (s("branch"), String::new()),
        kind,
        number: s("number"),
        payee: s("holder"),
        amount: p.amount as u64,
        reference: format!("{:010}", p.seq),
    })
}
