//! The facility's card reader, the patient's side (顔認証付きカードリーダーの画面): the patient
//! places the card, checks it is them (the PIN, or the face match), and chooses on this screen
//! what to share; the staff's reception page only receives the result. In a facility this is
//! the reader's own screen; in the demo it is a page of the facility's terminal, with the demo
//! cards standing in for the card on the reader and a stand-in for the camera.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
};

use axum::{
    Form,
    extract::{State, rejection::FormRejection},
    http::StatusCode,
    response::Response,
};
use base64ct::{Base64, Encoding};
use maud::{Markup, html};
use myna_health::{Consent, IdentityCheck};
use myna_node::web::{Fields, field};

use crate::{
    FaceMatcher, Health, StandInFace,
    reception::{ReceptionAnswer, ReceptionRequest},
    web::{Desk, error, page, staff_form},
};

/// One check-in at the reader, for the staff's page.
#[derive(Clone)]
pub struct CheckIn {
    /// Japan time, `HH:MM`.
    pub at: String,
    pub name: String,
    pub answer: ReceptionAnswer,
}

/// The day's check-ins of each facility (the last 200), kept in memory: the reception record
/// itself is in the health node's store; this is the staff's queue.
#[derive(Default)]
pub struct CheckIns(Mutex<HashMap<String, VecDeque<CheckIn>>>);

const KEPT: usize = 200;

impl CheckIns {
    fn add(&self, facility: &str, c: CheckIn) {
        if let Ok(mut m) = self.0.lock() {
            let q = m.entry(facility.to_owned()).or_default();
            q.push_front(c);
            q.truncate(KEPT);
        }
    }

    /// Newest first.
    pub fn of(&self, facility: &str) -> Vec<CheckIn> {
        self.0.lock().ok().and_then(|m| m.get(facility).map(|q| q.iter().cloned().collect())).unwrap_or_default()
    }

    pub fn find(&self, facility: &str, reception: &str) -> Option<ReceptionAnswer> {
        let m = self.0.lock().ok()?;
        m.get(facility)?.iter().find(|c| c.answer.reception == reception).map(|c| c.answer.clone())
    }
}

fn consent_box(name: &str, ja: &str, en: &str) -> Markup {
    html! {
        div.field {
            input id=(name) type="checkbox" name=(name) value="yes";
            " " label for=(name) { (ja) " / " span lang="en" { (en) } }
        }
    }
}

/// The reader's screen: place the card, check it is you, choose what to share.
pub async fn reader_page(State(h): State<Arc<Health>>, Desk(f, s): Desk) -> Response {
    let Some(cards) = h.cards.as_ref() else {
        return error(StatusCode::NOT_FOUND, "デモ用カードリーダーがありません。", "No demo card reader.", true);
    };
    // Cards are numbered, not named: the screen is the patient's, facing the waiting room.
    let cards = cards.cards();
    let body = html! {
        p { "カードをカードリーダーに置いて、画面の案内に従ってください。" br; span lang="en" { "Place your card on the reader and follow the screen." } }
        form method="post" action="/reader" {
            input type="hidden" name="csrf" value=(s.csrf);
            label for="card-id" { "① カードを置く（デモのカード） / Place your card (demo cards)" }
            select #card-id name="card" required {
                @for (i, c) in cards.iter().enumerate() { option value=(c.id) { "デモのカード " (i + 1) " / Demo card " (i + 1) } }
            }
            fieldset {
                legend { "② 本人確認の方法 / How to check it is you" }
                div.choice { input #m-pin type="radio" name="method" value="pin" checked; " " label for="m-pin" { "暗証番号を入力 / PIN" } }
                div.choice { input #m-face type="radio" name="method" value="face"; " " label for="m-face" { "顔認証を行う / Face match" } }
                label for="pin" { "暗証番号（4桁） / PIN (4 digits)" }
                input #pin type="password" name="pin" inputmode="numeric" autocomplete="off" maxlength="4";
                label for="camera" { "顔認証のカメラ画像（代用） / Camera image (stand-in)" }
                select #camera name="camera" aria-describedby="face-note" {
                    option value="same" { "カードの本人 / The card's holder" }
                    option value="other" { "別の人 / Someone else" }
                }
                p #face-note { small { (StandInFace.describe()) } }
            }
            fieldset {
                legend { "③ 情報提供への同意 / What you agree to share with this facility" }
                p { small { "同意しない項目は空欄のまま。過去の健診情報は40歳以上の方にのみ伺います。 / Leave unchecked to refuse. Checkups are asked only of patients 40 and over." } }
                (consent_box("checkups", "過去の健診情報", "past checkups"))
                (consent_box("medication", "薬剤情報", "medication"))
                (consent_box("treatment", "診療情報", "treatment"))
                (consent_box("limit", "限度額情報（高額療養費制度）", "high-cost-care limit"))
            }
            div.field { input #register type="checkbox" name="register" value="yes"; " " label for="register" { "健康保険証の利用登録も行う / Also register the card for insurance use" } }
            p { button type="submit" { "受付する / Check in" } }
        }
    };
    page("カードリーダー / Card reader", Some((&f, &s.csrf)), body)
}

/// The patient's check-in: the face match or the PIN unlocks the card's key, the card signs
/// the node's challenge, and the consents are the patient's own choices on this screen.
pub async fn read_card(
    State(h): State<Arc<Health>>,
    Desk(f, s): Desk,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let form = match staff_form(&s, form) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let (Some(cards), Some(face_pin)) = (h.cards.clone(), h.face_pin.clone()) else {
        return error(StatusCode::NOT_FOUND, "デモ用カードリーダーがありません。", "No demo card reader.", true);
    };
    let back = |status, ja: &str, en: &str| error(status, ja, en, true);
    let card = field(&form, "card").unwrap_or_default().to_string();
    let face = field(&form, "method") == Some("face");
    if face {
        let camera = if field(&form, "camera") == Some("same") { card.as_bytes() } else { b"someone else".as_slice() };
        if !matches!(StandInFace.matches(card.as_bytes(), camera), Ok(true)) {
            return back(
                StatusCode::UNAUTHORIZED,
                "顔認証できませんでした。暗証番号で本人確認してください。",
                "The face did not match. Check with the PIN instead.",
            );
        }
    }
    let challenge = match h.issue_challenge(&f.code) {
        Ok(c) => c,
        Err(e) => {
            let e = myna_node::ApiError::from(e);
            return back(e.status, &e.message, &e.message);
        }
    };
    let Ok(parsed) = myna_pki::login::Challenge::parse(&challenge.challenge) else {
        return back(StatusCode::INTERNAL_SERVER_ERROR, "チャレンジが不正です。", "Bad challenge.");
    };
    // After a face match the reader unlocks the key itself; the demo stands in for that with
    // the demo cards' PIN.
    let pin = if face { face_pin.as_str() } else { field(&form, "pin").unwrap_or_default() };
    let (sig, cert) = match cards.sign(&card, myna_pki::CertKind::UserAuth, pin, &parsed.digest()) {
        Ok(s) => (s.signature, s.certificate),
        Err(e) => {
            return back(
                StatusCode::UNAUTHORIZED,
                &format!("カードが署名しませんでした: {e}"),
                &format!("The card did not sign: {e}"),
            );
        }
    };
    let yes = |k: &str| field(&form, k) == Some("yes");
    let req = ReceptionRequest {
        challenge: challenge.challenge,
        certificate: Base64::encode_string(&cert),
        signature: Base64::encode_string(&sig),
        method: if face { IdentityCheck::Face } else { IdentityCheck::Pin },
        consent: Consent {
            checkups: yes("checkups"),
            medication: yes("medication"),
            treatment: yes("treatment"),
            limit: yes("limit"),
        },
        register: yes("register"),
    };
    let a = match h.receive(&f, &req).await {
        Ok(a) => a,
        Err(e) => {
            let e = myna_node::ApiError::from(e);
            return back(e.status, &e.message, &e.message);
        }
    };
    let now = time::OffsetDateTime::now_utc().to_offset(myna_node::JST);
    let name = a.eligibility["name"].as_str().unwrap_or("—").to_string();
    h.web.1.add(&f.code, CheckIn { at: format!("{:02}:{:02}", now.hour(), now.minute()), name, answer: a });
    let body = html! {
        div.result role="status" {
            h2 { "受付が完了しました / You are checked in" }
            p { "お名前が呼ばれるまでお待ちください。 / Please wait to be called." }
        }
        p { a href="/reader" { "次の方 / Next patient" } }
    };
    page("カードリーダー / Card reader", Some((&f, &s.csrf)), body)
}
