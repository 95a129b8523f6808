//! A push benefit end to end on real nodes (J-LIS, the hub, a municipality, the account
//! registry and a portal's inbox), over households of the population model: the right
//! households and no others, each recipient's account asked through the hub, notices with a
//! decline offered, a decline through the portal's push, the transfer file written and read
//! back, a returned transfer told to the resident; each step run twice changes nothing.

use std::collections::{BTreeMap, BTreeSet};

use myna_benefits::{
    rule::{Amount, Condition, Definition, until_march_after},
    status,
};
use myna_link::{NoticeText, PushKind, Reply, ReplyAnswer};
use myna_linkage::agency;
use myna_population::livelihood::{self, Holder};
use myna_testnet::{TestNet, any, db};
use myna_zengin::{AccountKind, Requester, Transfer, returns};
use time::Duration;

const CITY: &str = "municipality:131016";
const SEED: u64 = 77;

fn payer() -> Requester {
    Requester {
        code: "1310160001".into(),
        name: "チヨダク".into(),
        bank: ("0001".into(), "".into()),
        branch: ("001".into(), "".into()),
        kind: AccountKind::Current,
        number: "1234567".into(),
    }
}

#[tokio::test]
async fn a_push_benefit_pays_the_right_households_once() {
    let today = myna_benefits::today_jst();
    let store = myna_jlis::store::RegistryStore::open(db().await, || [5; 32]).await.unwrap();

    // Every household of 千代田区 the population model makes, until 600 households and eight
    // the benefit must pay have come: all of them loaded, not a selection.
    let mut g = myna_population::Generator::within(SEED, today, &["131016"]).unwrap();
    let kids_of = |h: &livelihood::Household| {
        h.members.iter().filter(|m| today <= until_march_after(m.person.birth, 18)).count() as u64
    };
    let (mut chosen, mut all_people, mut eligible) = (Vec::new(), Vec::new(), 0);
    while chosen.len() < 600 || eligible < 8 {
        assert!(chosen.len() < 20_000, "the model has non-taxable households with children");
        let people = g.next_household();
        let key = chosen.len() as u64;
        let h = livelihood::household(SEED, key, today, people.iter().map(livelihood::Person::from).collect());
        eligible += usize::from(h.non_taxable() && kids_of(&h) > 0);
        chosen.push((people.len(), h));
        all_people.extend(people);
    }
    let base = store.reserve_households(chosen.len() as u64).await.unwrap();
    let loaded = store.load(&all_people, base, today).await.unwrap();
    let mut numbers = Vec::new();
    let mut at = 0;
    for (len, _) in &chosen {
        numbers.push(
            loaded[at..at + len]
                .iter()
                .zip(&all_people[at..at + len])
                .map(|(r, new)| myna_jlis::link_items_of(new, &format!("{:012}", r.number.value())))
                .collect::<Vec<_>>(),
        );
        at += len;
    }
    let net = TestNet::over("benefits", store).await;
    let cell: myna_benefits::routes::Cell = Default::default();
    let city = {
        let (cell, db) = (cell.clone(), db().await);
        agency::start_with(db, &net.identity(CITY), any(), net.config("千代田区"), move |a| {
            myna_benefits::routes::inbox(cell, Default::default(), a)
        })
        .await
        .unwrap()
    };
    let registry = myna_accounts::start(
        db().await,
        &net.identity("account_registry"),
        any(),
        net.config("公金受取口座登録システム"),
    )
    .await
    .unwrap();
    for a in [&city.agency, &registry.agency.agency] {
        a.register().await.unwrap();
    }
    let (portal, inbox) = net.portal().await;

    // Each member enrolled at the city with its copies, and at the registry with the account
    // the model gives them.
    let (mut people_city, mut copies, mut people_reg, mut accounts) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (hi, ((_, h), nums)) in chosen.iter().zip(&numbers).enumerate() {
        for c in livelihood::copies(h) {
            if c.holder == Holder::Municipality("131016".into()) {
                copies.push((format!("h{hi:04}m{}", c.member), c.item.to_string(), c.data));
            }
        }
        for (mi, m) in h.members.iter().enumerate() {
            let person = format!("h{hi:04}m{mi}");
            people_city.push((person.clone(), nums[mi].clone()));
            if let Some(a) = &m.account {
                people_reg.push((person.clone(), nums[mi].clone()));
                accounts.push((person, a.clone(), m.person.kana.clone()));
            }
        }
    }
    city.agency.enrol_batch(&people_city).await.unwrap();
    city.agency.put_copies(&copies).await.unwrap();
    let reg_codes = registry.agency.agency.enrol_batch(&people_reg).await.unwrap();
    let code_of: BTreeMap<String, String> =
        people_reg.iter().zip(&reg_codes).map(|((p, _), c)| (p.clone(), c.clone().unwrap())).collect();
    let entries: Vec<(&str, myna_accounts::Request<'_>, &str)> = accounts
        .iter()
        .map(|(p, a, kana)| {
            (code_of[p].as_str(), (a.bank, a.branch, a.kind, a.number.as_str(), kana.as_str()), kana.as_str())
        })
        .collect();
    for r in registry.registry.register_many(&entries, &myna_accounts::Channel::Portal, 1).await.unwrap() {
        r.unwrap();
    }

    // What the model says: each non-taxable household with children, paid ¥50,000 a child,
    // to the parent who receives the child allowance (or the head).
    let mut expected = BTreeMap::new();
    for (hi, (_, h)) in chosen.iter().enumerate() {
        if !(h.non_taxable() && kids_of(h) > 0) {
            continue;
        }
        let who = h
            .members
            .iter()
            .position(|m| m.child_allowance.is_some())
            .or_else(|| h.members.iter().position(|m| m.person.relationship == myna_registry::Relationship::Head))
            .unwrap();
        expected.insert(format!("h{hi:04}m{who}"), 50_000 * kids_of(h) as i64);
    }
    assert_eq!(expected.len(), eligible);

    for url in myna_testkit::fresh_urls().await {
        inbox.lock().unwrap().clear();
        let b = myna_benefits::start(
            myna_store::Db::open(&url).await.unwrap(),
            city.agency.clone(),
            &net.identity("benefits-131016"),
            any(),
            (payer(), "https://portal.test"),
            (cell.clone(), None),
            None,
        )
        .await
        .unwrap()
        .benefits;
        let mut def = Definition {
            name: "子育て世帯生活支援特別給付金".into(),
            amount: Amount::Child { yen: 50_000 },
            rule: vec![Condition::NonTaxableHousehold, Condition::ChildrenUnder { age: 18 }],
            basis: today,
            decline_by: today,
            pay_on: today + Duration::days(7),
        };
        // A rule that reads what the municipality may not is refused.
        def.rule.push(Condition::Receives { item: myna_link::InfoItem::PensionBenefit });
        let e = b.define(&def, "staff:c1", today).await.unwrap_err().to_string();
        assert!(e.contains("pension_benefit"), "{url}: {e}");
        def.rule.pop();
        let id = b.define(&def, "staff:c1", today).await.unwrap().id;

        let d = b.determine(&id).await.unwrap();
        assert_eq!((d.eligible, d.total), (eligible, expected.values().sum::<i64>() as u64), "{url}");
        assert_eq!(d.households, chosen.len(), "{url}: every household placed");
        let got: BTreeMap<String, i64> =
            b.store().payments(&id, &[], 0, 1000).await.unwrap().into_iter().map(|p| (p.person, p.amount)).collect();
        assert_eq!(got, expected, "{url}: the model's households, and no others");
        assert_eq!(b.determine(&id).await.unwrap().eligible, eligible, "{url}: determined again, the same");

        let n = b.notify(&id).await.unwrap();
        assert_eq!(n.with_account + n.without_account, eligible, "{url}");
        assert_eq!(b.notify(&id).await.unwrap().with_account, 0, "{url}: nobody told twice");
        let told = inbox.lock().unwrap().clone();
        assert_eq!(told.len(), eligible, "{url}");
        let offers: Vec<_> = told.iter().filter(|(_, t)| t.reply.is_some()).collect();
        assert_eq!(offers.len(), n.with_account, "{url}: a decline offered with each account");
        assert!(offers.iter().all(|(_, t)| t.body.contains("****") && t.title.contains('¥')), "{url}: {offers:?}");
        assert!(told.iter().filter(|(_, t)| t.reply.is_none()).all(|(_, t)| t.body.contains("kurashi-20")));
        // The accounts were asked through the hub: in the city's own record of exchanges.
        let asked = city.agency.exchanges(Some(1000)).await.unwrap();
        let account_asks =
            asked.iter().filter(|x| x.item == "public_fund_account" && x.task == "special_benefit").count();
        assert!(account_asks >= eligible, "{url}: {account_asks}");

        // The first with an account declines through the portal (a push the hub translates).
        let (portal_code, offer) = offers[0].clone();
        let offer = offer.reply.unwrap();
        assert_eq!(offer.about, id);
        portal.store.enrol(&portal_code, &portal_code, 1).await.ok();
        let reply = Reply { about: id.clone(), answer: ReplyAnswer::Decline, at: myna_node::now_secs() };
        let plain = serde_json::to_vec(&reply).unwrap();
        portal.push(&portal_code, &CITY.parse().unwrap(), PushKind::BenefitReply, &plain, 0).await.unwrap();
        // Again (a resend): accepted, nothing more.
        portal.push(&portal_code, &CITY.parse().unwrap(), PushKind::BenefitReply, &plain, 0).await.unwrap();
        let declined = b.store().payments(&id, &[status::DECLINED], 0, 10).await.unwrap();
        assert_eq!(declined.len(), 1, "{url}");

        // One without an account gives one on a form; the clerk enters it.
        let without = b.store().payments(&id, &[status::NO_ACCOUNT], 0, 10).await.unwrap();
        if let Some(p) = without.first() {
            let e = b.give_account(&id, &p.person, ("0002", "001", AccountKind::Ordinary, "1", "ア"), "staff:c1").await;
            assert!(e.unwrap_err().to_string().contains("0002"), "{url}: no such bank");
            b.give_account(
                &id,
                &p.person,
                ("0001", "001", AccountKind::Ordinary, "7777777", "ヤマダ ハナコ"),
                "staff:c1",
            )
            .await
            .unwrap();
        }

        // Not before the deadline; then once, each recipient told the decision once.
        assert!(b.approve(&id, "staff:c2", today).await.unwrap_err().to_string().contains("decline until"));
        let before_decision = inbox.lock().unwrap().len();
        let a = b.approve(&id, "staff:c2", today + Duration::days(1)).await.unwrap();
        let decisions: Vec<NoticeText> = inbox.lock().unwrap()[before_decision..].iter().map(|x| x.1.clone()).collect();
        assert_eq!(decisions.len(), a.payments + a.unpayable, "{url}");
        assert_eq!(decisions.iter().filter(|t| t.title.contains("支給決定")).count(), a.payments, "{url}");
        let open = n.with_account - 1 + usize::from(!without.is_empty());
        assert_eq!((a.payments, a.declined), (open, 1), "{url}: {a:?}");
        assert_eq!(a.unpayable, without.len().saturating_sub(1), "{url}");
        assert_eq!(b.approve(&id, "staff:c2", today + Duration::days(2)).await.unwrap(), a, "{url}: approved once");
        assert_eq!(inbox.lock().unwrap().len(), before_decision + decisions.len(), "{url}: nobody told twice");
        let e = portal.push(&portal_code, &CITY.parse().unwrap(), PushKind::BenefitReply, &plain, 0).await;
        assert!(e.is_ok() || e.unwrap_err().to_string().contains("deadline"), "{url}: a late decline changes nothing");

        let file = b.transfer_file(&id).await.unwrap();
        assert_eq!(b.transfer_file(&id).await.unwrap(), file, "{url}: the same file each time");
        let t = Transfer::read(&file).unwrap();
        assert_eq!((t.payments.len(), t.total()), (a.payments, a.total), "{url}");
        assert_eq!(t.on, (def.pay_on.month() as u8, def.pay_on.day()));
        let in_file: BTreeSet<u64> = t.payments.iter().map(|p| p.amount).collect();
        assert!(in_file.iter().all(|x| x % 50_000 == 0));

        // The bank returns one: its recipient is told; taking the file again changes nothing.
        let first = t.payments[0].reference.clone();
        let result = returns::mark(&file, &[(&first, returns::Unpaid::NoAccount)]).unwrap();
        let before = inbox.lock().unwrap().len();
        let r = b.returns(&id, &result).await.unwrap();
        assert_eq!((r.paid, r.returned), (a.payments - 1, 1), "{url}");
        assert_eq!(b.returns(&id, &result).await.unwrap(), Default::default(), "{url}");
        let after = inbox.lock().unwrap().clone();
        assert_eq!(after.len(), before + 1, "{url}");
        assert!(after.last().unwrap().1.body.contains("該当口座なし"), "{url}");
        assert!(b.returns(&id, &file).await.is_err(), "{url}: a transfer is not a result file");

        // A second benefit whose run is cut off part way (its task dropped, as a killed node's
        // would be): run again, every recipient is told, and each is paid once.
        let id2 = b.define(&def, "staff:c1", today).await.unwrap().id;
        b.determine(&id2).await.unwrap();
        let cut = tokio::time::timeout(std::time::Duration::from_millis(40), b.notify(&id2)).await;
        let left = b.store().payments(&id2, &[status::PENDING], 0, 1000).await.unwrap().len();
        assert!(cut.is_ok() || left > 0, "{url}: the run was cut with some left");
        b.notify(&id2).await.unwrap();
        assert!(b.store().payments(&id2, &[status::PENDING], 0, 1000).await.unwrap().is_empty(), "{url}: all told");
        let a2 = b.approve(&id2, "staff:c2", today + Duration::days(1)).await.unwrap();
        let t2 = Transfer::read(&b.transfer_file(&id2).await.unwrap()).unwrap();
        let refs: BTreeSet<&str> = t2.payments.iter().map(|p| p.reference.as_str()).collect();
        assert_eq!((refs.len(), t2.payments.len()), (a2.payments, a2.payments), "{url}: each paid once");
    }
}
