//! Intake from the card (券面事項入力補助), on the municipality's office system: the clerk
//! puts the person's card on the counter's reader, the person types the 4-digit PIN, and the
//! number and the 4 items come from the card as J-LIS signed them — nothing typed, so no digit
//! can be miswritten (seed 001's remedy). The clerk sees what was read, then enrols the
//! person under the office's own reference; J-LIS still checks the items against the register.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use axum::{
    Form,
    extract::{State, rejection::FormRejection},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use maud::html;
use myna_link::face::CardFace;
use myna_node::web::{Fields, field};

use crate::pages::{Desk, S, Web, checked, error, page};

/// How long a read waits for the clerk's confirmation, and how many may wait at once.
const HOLD: Duration = Duration::from_secs(600);
const HELD_MAX: usize = 256;

/// Face data read at the counter and waiting for the clerk's confirmation. It holds the whole
/// number, so it stays here rather than in the page: the page carries a random handle, good
/// for the clerk who read the card, once, for ten minutes.
#[derive(Default)]
pub(crate) struct Pending(Mutex<HashMap<String, Held>>);

struct Held {
    account: String,
    person: String,
    face: String,
    at: Instant,
}

impl Pending {
    fn put(&self, account: &str, person: &str, face: String) -> Option<String> {
        let mut held = self.0.lock().ok()?;
        held.retain(|_, h| h.at.elapsed() < HOLD);
        if held.len() >= HELD_MAX {
            let oldest = held.iter().min_by_key(|(_, h)| h.at).map(|(k, _)| k.clone())?;
            held.remove(&oldest);
        }
        let handle = myna_link::MessageId::random().as_str().to_string();
        let h = Held { account: account.into(), person: person.into(), face, at: Instant::now() };
        held.insert(handle.clone(), h);
        Some(handle)
    }

    /// The person and the face data under `handle`, if this clerk read them in the last ten
    /// minutes; taken, so a second confirmation finds nothing.
    fn take(&self, handle: &str, account: &str) -> Option<(String, String)> {
        let mut held = self.0.lock().ok()?;
        let h = held.remove(handle)?;
        (h.account == account && h.at.elapsed() < HOLD).then_some((h.person, h.face))
    }
}

/// The number as the clerk's screen shows it: the last 4 digits only (the full number goes to
/// J-LIS from the signed face data, never through the form).
fn masked(number: &str) -> String {
    let tail: String = number.chars().skip(number.chars().count().saturating_sub(4)).collect();
    format!("•••• •••• {tail}")
}

fn sex_ja(s: Option<&str>) -> &'static str {
    match s {
        Some("male") => "男 / male",
        Some("female") => "女 / female",
        _ => "—",
    }
}

fn reader(w: &Web) -> Result<&std::sync::Arc<dyn myna_pki::reader::CardReader>, Box<Response>> {
    w.moving.as_deref().and_then(|m| m.reader()).ok_or_else(|| {
        Box::new(error(
            StatusCode::NOT_FOUND,
            "窓口にカードリーダーがありません。",
            "There is no card reader at this counter.",
        ))
    })
}

pub(crate) async fn form(State(w): S, desk: Desk) -> Response {
    let cards = match reader(&w) {
        Ok(r) => r.cards(),
        Err(r) => return *r,
    };
    let body = html! {
        p { "本人のマイナンバーカードをリーダーに置き、本人が券面事項入力補助用の暗証番号（数字4桁）を入力します。個人番号と基本4情報はカードから読み取り、手入力しません。 / Put the person's card on the reader and let them type the 4-digit PIN of its face data. The number and the 4 items are read from the card, not typed." }
        form method="post" action="/intake/read" aria-labelledby="intake-h" {
            h2 #intake-h { "カードの読み取り / Read the card" }
            input type="hidden" name="csrf" value=(desk.1);
            label for="person" { "宛名番号など当庁の整理番号 / Our reference for the person" }
            input #person name="person" autocomplete="off" required pattern="[A-Za-z0-9_-]{1,64}";
            label for="card" { "カード / Card" }
            select #card name="card" { @for c in &cards { option value=(c.id) { (c.holder) " (" (c.id) ")" } } }
            label for="pin" { "暗証番号（本人が入力、数字4桁） / PIN (typed by the holder, 4 digits)" }
            input #pin name="pin" type="password" inputmode="numeric" autocomplete="off" required pattern="[0-9]{4}";
            button type="submit" { "読み取る / Read" }
        }
    };
    page("カードから読み取って登録 / Enrol from the card", Some(&desk), body)
}

pub(crate) async fn read(
    State(w): S,
    desk: Desk,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let f = match checked(&headers, &desk, form) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let r = match reader(&w) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    let (person, card, pin) = (
        field(&f, "person").unwrap_or_default(),
        field(&f, "card").unwrap_or_default(),
        field(&f, "pin").unwrap_or_default(),
    );
    // The card says what went wrong (a wrong PIN with the tries left, a locked face, no data).
    let signed = match r.face(card, pin) {
        Ok(s) => s,
        Err(e) => return error(StatusCode::UNPROCESSABLE_ENTITY, &format!("カードを読み取れません：{e}"), &e),
    };
    let face = match w.benefits.agency().read_face(&signed) {
        Ok(face) => face,
        Err(e) => return error(StatusCode::UNPROCESSABLE_ENTITY, &e.reason(), &e.reason()),
    };
    let Some(handle) = w.intake.put(&desk.0.account, person, signed) else {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "読み取った内容を保持できません。",
            "The read could not be held.",
        );
    };
    let body = html! {
        p.ok role="status" #face-read { "カードから読み取りました。J-LISの署名を確認済みです。 / Read from the card; J-LIS's signature checked." }
        (face_list(&face))
        form method="post" action="/intake/enrol" {
            input type="hidden" name="csrf" value=(desk.1);
            input type="hidden" name="read" value=(handle);
            button type="submit" { "この内容で登録する / Enrol with these" }
        }
        p { a href="/intake" { "やり直す / Start again" } }
    };
    page("読み取った内容 / What the card says", Some(&desk), body)
}

fn face_list(face: &CardFace) -> maud::Markup {
    html! {
        dl #face {
            dt { "個人番号 / Individual number" } dd #face-number { (masked(&face.items.number)) }
            dt { "氏名 / Name" } dd #face-name { (face.items.name) }
            dt { "生年月日 / Date of birth" } dd #face-birth { (face.items.birth) }
            dt { "性別 / Sex" } dd { (sex_ja(face.items.sex.as_deref())) }
            dt { "住所 / Address" } dd #face-address { (face.items.address) }
        }
    }
}

pub(crate) async fn enrol(
    State(w): S,
    desk: Desk,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let f = match checked(&headers, &desk, form) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let Some((person, signed)) = w.intake.take(field(&f, "read").unwrap_or_default(), &desk.0.account) else {
        let (ja, en) = (
            "読み取りの有効期限が切れたか、すでに登録しました。カードをもう一度読み取ってください。",
            "This read has expired or was already used: read the card again.",
        );
        return error(StatusCode::CONFLICT, ja, en);
    };
    match w.benefits.agency().enrol_by_card(&person, &signed).await {
        Ok((face, _code)) => page(
            "登録しました / Enrolled",
            Some(&desk),
            html! {
                p.ok role="status" #enrolled { (person) "：" (face.items.name) "さんを、カードから読み取った個人番号で登録しました（J-LISが4情報を確認済み）。 / Enrolled with the number read from the card; J-LIS checked the 4 items." }
                (face_list(&face))
                p { a href="/intake" { "続けて登録する / Enrol another" } }
            },
        ),
        Err(e) => error(StatusCode::UNPROCESSABLE_ENTITY, &e.reason(), &e.reason()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_read_is_confirmed_once_and_only_by_the_clerk_who_read_it() {
        let p = super::Pending::default();
        let h = p.put("clerk1", "p1", "a.b.c".into()).unwrap();
        assert_eq!(p.take(&h, "clerk2"), None, "another clerk");
        let h = p.put("clerk1", "p1", "a.b.c".into()).unwrap();
        assert_eq!(p.take(&h, "clerk1"), Some(("p1".to_string(), "a.b.c".to_string())));
        assert_eq!(p.take(&h, "clerk1"), None, "taken once");
        for i in 0..300 {
            p.put("clerk1", &format!("p{i}"), String::new()).unwrap();
        }
        assert!(p.0.lock().unwrap().len() <= super::HELD_MAX);
    }

    #[test]
    fn the_screen_shows_only_the_last_four_digits() {
        assert_eq!(super::masked("123456789018"), "•••• •••• 9018");
    }
}
