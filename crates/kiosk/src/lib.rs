//! A store's multi-copy machine for コンビニ交付 (issue 21): a node of its own kind, named by its
//! certificate (`kiosk:<store>`). The person puts the card on the reader and types the 4-digit
//! PIN; the card signs the kiosk's challenge with its user-authentication key; J-LIS's
//! issuance centre checks that signature and the card's status and answers what the holder's
//! municipality offers; the person chooses the document and its options, sees the fee,
//! confirms, and the PDF comes back to print. The kiosk keeps nothing: no card data, no
//! document; the one-time session lives at the centre.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use axum::{
    Form, Router,
    extract::{State, rejection::FormRejection},
    http::{HeaderMap, StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
};
use base64ct::{Base64, Encoding};
use maud::{DOCTYPE, Markup, html};
use myna_issuance::{DocKind, Offering, Options};
use myna_jlis::kiosk::{KioskOrder, KioskSession};
use myna_node::{
    ClientAuth, Metrics, NodeIdentity, RunningNode,
    access::{Access, Table, rule},
    web::{Fields, field, same_origin, static_file},
};
use myna_pki::{CertKind, login::ChallengeBook, reader::CardReader};

/// The kiosk's pages, all open (it stands in a store; the card is the credential).
pub const TABLE: Table = Table {
    node: "the kiosk",
    rules: &[
        rule("GET", "/", Access::Page("the kiosk's start screen, open")),
        rule("POST", "/start", Access::Page("the card and its PIN, checked by J-LIS")),
        rule("POST", "/issue", Access::Page("an order in a session J-LIS opened for this kiosk")),
        rule("GET", "/static/tokens.css", Access::Page("the design tokens, open")),
        rule("GET", "/static/site.css", Access::Page("the style sheet, open")),
    ],
};

struct Kiosk {
    id: String,
    jlis: String,
    client: reqwest::Client,
    reader: Arc<dyn CardReader>,
    challenges: Mutex<ChallengeBook>,
}

type S = State<Arc<Kiosk>>;

fn page(title: &str, body: Markup) -> Response {
    Html(
        html! {
            (DOCTYPE)
            html lang="ja" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) " | 証明書交付サービス / Certificates" }
                    link rel="stylesheet" href="/static/tokens.css";
                    link rel="stylesheet" href="/static/site.css";
                }
                body {
                    a.skip href="#main" { "本文へ移動 / Skip to main content" }
                    header.site { span.brand { "行政サービス（証明書交付） " span lang="en" { "Certificates" } } }
                    main #main tabindex="-1" { h1 { (title) } (body) }
                    footer { p { "これは myna のデモ環境です。 / This is a myna demo, not the real system." } }
                }
            }
        }
        .into_string(),
    )
    .into_response()
}

fn error(status: StatusCode, text: &str) -> Response {
    let mut r = page(
        "ご利用いただけません / Not available",
        html! { p.error role="alert" { (text) } p { a href="/" { "最初に戻る / Start again" } } },
    );
    *r.status_mut() = status;
    r
}

async fn start_screen(State(k): S) -> Response {
    let cards = k.reader.cards();
    page(
        "証明書の交付 / Get a certificate",
        html! {
            p { "マイナンバーカードをリーダーに置き、利用者証明用電子証明書の暗証番号（数字4桁）を入力してください。 / Put your My Number Card on the reader and type its 4-digit PIN." }
            form method="post" action="/start" {
                label for="card" { "カード（リーダー） / Card on the reader" }
                select #card name="card" { @for c in &cards { option value=(c.id) { (c.holder) } } }
                label for="pin" { "暗証番号（数字4桁） / PIN (4 digits)" }
                input #pin name="pin" type="password" inputmode="numeric" autocomplete="off" required pattern="[0-9]{4}";
                button #next type="submit" { "次へ / Next" }
            }
        },
    )
}

fn form_of(headers: &HeaderMap, form: Result<Form<Fields>, FormRejection>) -> Result<Fields, Box<Response>> {
    let Ok(Form(f)) = form else {
        return Err(Box::new(error(StatusCode::BAD_REQUEST, "送信内容を読めません。 / Unreadable form.")));
    };
    if !same_origin(headers) {
        return Err(Box::new(error(StatusCode::FORBIDDEN, "この画面から操作してください。 / Use this screen.")));
    }
    Ok(f)
}

/// The card signs the kiosk's challenge; J-LIS checks it and opens the session.
async fn card(State(k): S, headers: HeaderMap, form: Result<Form<Fields>, FormRejection>) -> Response {
    let f = match form_of(&headers, form) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let (card, pin) = (field(&f, "card").unwrap_or_default(), field(&f, "pin").unwrap_or_default());
    let mut random = [0u8; 16];
    if aws_lc_rs::rand::fill(&mut random).is_err() {
        return error(StatusCode::SERVICE_UNAVAILABLE, "乱数を得られません。 / No random source.");
    }
    let challenge = match k.challenges.lock().map(|mut b| b.issue(random, myna_node::now_secs())) {
        Ok(Ok(c)) => c,
        _ => {
            return error(StatusCode::SERVICE_UNAVAILABLE, "しばらくしてからお試しください。 / Try again in a moment.");
        }
    };
    let signed = match k.reader.sign(card, CertKind::UserAuth, pin, &challenge.digest()) {
        Ok(s) => s,
        // The card's own words: a wrong PIN with the tries left, a locked card.
        Err(e) => return error(StatusCode::UNAUTHORIZED, &format!("カードを確認できません / The card says: {e}")),
    };
    let proof = myna_link::LoginProof {
        challenge: challenge.text(),
        certificate: Base64::encode_string(&signed.certificate),
        signature: Base64::encode_string(&signed.signature),
    };
    let url = format!("{}/v1/kiosk/sessions", k.jlis);
    let session: KioskSession = match myna_node::post_json(&k.client, &url, &proof).await {
        Ok(s) => s,
        Err(myna_node::CallError::Refused { message, .. }) => return error(StatusCode::FORBIDDEN, &message),
        Err(e) => return error(StatusCode::BAD_GATEWAY, &format!("証明書交付センターに接続できません / {e}")),
    };
    let offering: Offering = match serde_json::from_value(session.offering) {
        Ok(o) => o,
        Err(e) => return error(StatusCode::BAD_GATEWAY, &format!("市区町村の案内を読めません / {e}")),
    };
    let at = time::OffsetDateTime::now_utc();
    let municipality = myna_text::address::Gazetteer::embedded()
        .by_code(&session.municipality)
        .map_or_else(|| session.municipality.clone(), |m| format!("{}{}", m.pref, m.full_name()));
    page(
        "証明書を選ぶ / Choose the certificate",
        html! {
            p #municipality { "お住まいの市区町村（" (municipality) "）が交付する証明書と手数料です。 / What your municipality issues here, and the fee of each." }
            form method="post" action="/issue" {
                input type="hidden" name="session" value=(session.session);
                fieldset {
                    legend { "証明書 / Certificate" }
                    @for (i, d) in offering.documents.iter().enumerate() {
                        @let fee = offering.kiosk_fee(d.kind, &Options { year: Some(myna_issuance::assessed_year(at)), ..Options::default() }, at);
                        input id={"kind-" (d.kind.id())} type="radio" name="kind" value=(d.kind.id()) checked[i == 0];
                        label for={"kind-" (d.kind.id())} {
                            (d.kind.ja()) " — " (myna_text::yen(u64::from(d.kiosk_fee)))
                            @if let Err(r) = fee { " （" (r.to_string()) "）" }
                        }
                        br;
                    }
                }
                fieldset {
                    legend { "記載事項（住民票の写し） / What to print" }
                    input #household type="checkbox" name="household" value="yes"; label for="household" { "世帯全員 / The whole household" }
                    br;
                    input #relationship type="checkbox" name="relationship" value="yes"; label for="relationship" { "続柄 / Relationship" }
                    br;
                    input #number type="checkbox" name="number" value="yes"; label for="number" { "個人番号 / Individual number" }
                }
                p { "この内容で交付します。手数料をお支払いのうえ、印刷された証明書をお受け取りください。 / Confirm to pay the fee and print." }
                button #confirm type="submit" { "確認して交付 / Confirm and print" }
            }
        },
    )
}

async fn issue(State(k): S, headers: HeaderMap, form: Result<Form<Fields>, FormRejection>) -> Response {
    let f = match form_of(&headers, form) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let Some(kind) = field(&f, "kind").and_then(DocKind::parse) else {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "証明書を選んでください。 / Choose a certificate.");
    };
    let yes = |n: &str| field(&f, n) == Some("yes");
    let options = Options {
        household: yes("household"),
        relationship: yes("relationship"),
        number: yes("number"),
        year: (kind == DocKind::TaxIncome).then(|| myna_issuance::assessed_year(time::OffsetDateTime::now_utc())),
        ..Options::default()
    };
    let order = KioskOrder {
        session: field(&f, "session").unwrap_or_default().to_string(),
        kind: kind.id().to_string(),
        options: serde_json::to_value(options).unwrap_or_default(),
    };
    let bytes = match myna_node::post_for_bytes(&k.client, &format!("{}/v1/kiosk/documents", k.jlis), &order).await {
        Ok(b) => b,
        Err(myna_node::CallError::Refused { message, .. }) => return error(StatusCode::UNPROCESSABLE_ENTITY, &message),
        Err(e) => return error(StatusCode::BAD_GATEWAY, &format!("証明書交付センターに接続できません / {e}")),
    };
    let name = format!("attachment; filename=\"{}-{}.pdf\"", kind.id(), k.id.replace(':', "-"));
    ([(header::CONTENT_TYPE, "application/pdf".to_string()), (header::CONTENT_DISPOSITION, name)], bytes)
        .into_response()
}

#[derive(utoipa::OpenApi)]
#[openapi(info(
    title = "myna kiosk (コンビニ交付)",
    description = "A store's multi-copy machine: pages only; it calls J-LIS's issuance centre with its certificate."
))]
struct Doc;

/// Starts the kiosk on `addr`, with its reader, calling J-LIS at `jlis`.
/// `id` is the name in its certificate (`kiosk:<store>`), which its challenges carry.
pub async fn start(
    identity: &NodeIdentity,
    id: &str,
    addr: SocketAddr,
    jlis: &str,
    reader: Arc<dyn CardReader>,
) -> Result<RunningNode, String> {
    use utoipa::OpenApi as _;
    let id = id.to_string();
    let client = identity.client().map_err(|e| e.to_string())?;
    let kiosk = Arc::new(Kiosk {
        challenges: Mutex::new(ChallengeBook::new(&id, 120, 10_000)),
        id,
        jlis: jlis.to_string(),
        client,
        reader,
    });
    let app = Router::new()
        .route("/", get(start_screen))
        .route("/start", post(card))
        .route("/issue", post(issue))
        .route(
            "/static/tokens.css",
            get(|| async { static_file(myna_node::web::TOKENS_CSS, "text/css; charset=utf-8") }),
        )
        .route("/static/site.css", get(|| async { static_file(myna_node::web::SITE_CSS, "text/css; charset=utf-8") }))
        .layer(axum::middleware::map_response(myna_node::web::security_headers))
        .with_state(kiosk)
        .route_layer(axum::middleware::from_fn_with_state(TABLE, myna_node::access::authorize));
    let doc = TABLE.document(&Doc::openapi().to_json().unwrap_or_default());
    myna_node::serve_with(app, doc, Metrics::new("kiosk"), identity, addr, ClientAuth::Optional)
        .await
        .map_err(|e| e.to_string())
}
