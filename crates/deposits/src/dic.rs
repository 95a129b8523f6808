//! 預金保険機構's node: an agency node of kind `deposit_insurance` that takes a resident's signed
//! request from the portal (through the hub: it learns its own code for them, never the
//! portal's), has J-LIS check the signature and name the person, and asks the banks; and a
//! bank's query for an heir, answered only once the death is recorded at J-LIS.

use std::{net::SocketAddr, sync::Arc};

use axum::{Extension, Json, Router, extract::State, response::Response, routing::post};
use base64ct::{Base64, Encoding as _};
use myna_link::{AgencyKind, DepositAsk, DepositRequest, Enrolment, PersonFacts, PushKind, SignedInstruction};
use myna_linkage::agency::{self, Agency, AgencyConfig, HUB_ONLY, NoticeSend};
use myna_node::{
    ApiError, ApiJson, NodeIdentity, Peer,
    access::{Access, Peers, Table, rule},
    jose, now_secs,
};
use myna_store::{Db, Migration, Schema, WriteQuery as _};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::bank::{Held, Linked, Linking, WhereaboutsQuery};

pub const SCHEMA: Schema = Schema {
    role: "deposit_insurance",
    migrations: &[Migration {
        version: 1,
        name: "what was asked of the banks, for whom, by whom",
        steps: &["CREATE TABLE deposit_log (
            code TEXT NOT NULL,
            what TEXT NOT NULL,
            bank TEXT NOT NULL,
            result TEXT NOT NULL,
            asked_by TEXT NOT NULL,
            at BIGINT NOT NULL
        )"],
    }],
};

const BANKS: Peers = Peers {
    who: "a bank (its certificate names it bank:<4-digit bank code>)",
    may: |id| id.as_str().strip_prefix("bank:").is_some_and(|c| c.len() == 4 && c.bytes().all(|b| b.is_ascii_digit())),
    example: "bank:0005",
    not: "municipality:131016",
};

pub const TABLE: Table =
    Table { node: "預金保険機構's node", rules: &[rule("POST", "/v1/whereabouts", Access::Peers(BANKS))] };

/// How old a signed request may be when it arrives.
const FRESH_SECS: i64 = 600;

pub struct Dic {
    pub agency: Arc<Agency>,
    /// The banks that take part: (code, their node's URL).
    banks: Vec<(String, String)>,
    db: Db,
}

/// An account at a bank, as the answer lists it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Found {
    pub bank: String,
    pub bank_name: String,
    #[serde(flatten)]
    pub held: Held,
}

/// A bank's query for an heir (相続時の所在確認).
#[derive(Deserialize, ToSchema)]
pub struct HeirQuery {
    /// The deceased's individual number (12 digits), from the heir's documents.
    pub number: String,
    /// The deceased's name, date of birth (`YYYY-MM-DD`) and last address, from the same
    /// documents (住民票の除票): J-LIS links the number only if they are its resident's.
    pub name: String,
    pub birth: String,
    pub address: String,
    /// The bank's record of the heir's application (its number).
    pub case: String,
}

#[derive(Serialize, ToSchema)]
pub struct HeirAnswer {
    pub accounts: Vec<Found>,
}

fn bank_name(code: &str) -> String {
    myna_zengin::Codes::embedded().bank(code).map(|b| b.name.to_string()).unwrap_or_else(|| code.to_string())
}

impl Dic {
    async fn log(&self, code: &str, what: &str, bank: &str, result: &str, by: &str) -> Result<(), ApiError> {
        sqlx::query("INSERT INTO deposit_log (code, what, bank, result, asked_by, at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(code)
            .bind(what)
            .bind(bank)
            .bind(result)
            .bind(by)
            .bind(now_secs())
            .write(&self.db)
            .await?;
        Ok(())
    }

    async fn post<B: Serialize, A: for<'de> Deserialize<'de>>(&self, url: &str, body: &B) -> Result<A, ApiError> {
        let r = self.agency.client().post(url).json(body).send().await;
        let r = r.map_err(|e| ApiError::bad_gateway("bank_unreachable", format!("{url}: {e}")))?;
        if !r.status().is_success() {
            return Err(ApiError::bad_gateway("bank_refused", format!("{url}: {}", r.status())));
        }
        r.json().await.map_err(|e| ApiError::bad_gateway("bank_answer", format!("{url}: {e}")))
    }

    /// Every participating bank's accounts linked to the person.
    async fn find(&self, code: &str, f: &PersonFacts, by: &str) -> Result<Vec<Found>, ApiError> {
        let mut out = Vec::new();
        for (bank, url) in &self.banks {
            let held: Vec<Held> =
                self.post(&format!("{url}/v1/whereabouts"), &WhereaboutsQuery { number: f.number.clone() }).await?;
            self.log(code, "whereabouts", bank, &format!("{} accounts", held.len()), by).await?;
            out.extend(held.into_iter().map(|held| Found { bank: bank.clone(), bank_name: bank_name(bank), held }));
        }
        Ok(out)
    }

    /// Tells the resident in the portal (they are known here by this node's code).
    async fn tell(&self, code: &str, title: String, body: String) -> Result<(), ApiError> {
        if self.agency.store.person_of(code).await?.is_none() {
            self.agency.store.enrol(code, code, now_secs()).await?;
        }
        self.agency
            .notify(&NoticeSend { person: code.to_string(), title, body, deliver_at: None, reply: None })
            .await?;
        Ok(())
    }
}

fn listing(found: &[Found]) -> String {
    if found.is_empty() {
        return "付番された口座は見つかりませんでした。 / No linked accounts were found.".into();
    }
    found
        .iter()
        .map(|f| format!("・{} 支店{} {}", f.bank_name, f.held.branch, f.held.account))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The resident's request, pushed by the portal.
async fn take(State(d): State<Arc<Dic>>, body: String) -> Result<Response, ApiError> {
    let (env, plain) = d.agency.open_push(&body)?;
    let f = &env.body;
    if f.kind != PushKind::DepositRequest || f.sender.kind().ok() != Some(AgencyKind::Portal) {
        return Err(ApiError::unprocessable("kind", "預金保険機構 takes residents' requests, from the portal"));
    }
    let signed: SignedInstruction =
        serde_json::from_slice(&plain).map_err(|e| ApiError::unprocessable("request", e.to_string()))?;
    let bytes = Base64::decode_vec(&signed.message).map_err(|_| ApiError::unprocessable("message", "not base64"))?;
    let r = DepositRequest::parse(&bytes).map_err(|e| ApiError::unprocessable("message", e))?;
    if (now_secs() - r.at).abs() > FRESH_SECS {
        return Err(ApiError::unprocessable("at", "the request was signed more than 10 minutes ago: sign it again"));
    }
    if let DepositAsk::Link { banks } = &r.ask
        && let Some(b) = banks.iter().find(|b| !d.banks.iter().any(|(c, _)| c == *b))
    {
        return Err(ApiError::unprocessable("banks", format!("bank {b} does not take part in 預貯金口座付番")));
    }
    let issued = d.agency.obtain(Enrolment::Signed(signed)).await?;
    let code = f.code.to_string();
    if issued.code.to_string() != code {
        return Err(ApiError::forbidden("not_the_signer", "the card that signed is not the resident the portal names"));
    }
    let facts = issued.facts.ok_or_else(|| ApiError::bad_gateway("no_facts", "J-LIS named no person"))?;
    let kana = issued.reading.unwrap_or_default();
    match r.ask {
        DepositAsk::Link { banks } => {
            let mut lines = Vec::new();
            for b in &banks {
                let Some((_, url)) = d.banks.iter().find(|(c, _)| c == b) else { continue };
                let l = Linking { number: facts.number.clone(), kana: kana.clone(), birth: facts.birth.clone() };
                let linked: Linked = d.post(&format!("{url}/v1/linking"), &l).await?;
                d.log(&code, "link", b, &format!("{} accounts", linked.linked), "resident").await?;
                lines.push(format!("・{}: {}口座", bank_name(b), linked.linked));
            }
            let body = format!(
                "ご指定の金融機関で、あなたの口座にマイナンバーを付番しました。\n{}\n口座が0の金融機関では、登録の氏名・生年月日の口座が見つかりませんでした。\n\nYour number is linked to your accounts at the banks you chose.",
                lines.join("\n")
            );
            d.tell(&code, "預貯金口座への付番の結果".into(), body).await?;
        }
        DepositAsk::Whereabouts => {
            let found = d.find(&code, &facts, "resident").await?;
            let body = format!(
                "マイナンバーが付番された口座の所在です。\n{}\n\nThe accounts linked to your number.",
                listing(&found)
            );
            d.tell(&code, "預貯金口座の所在確認の結果".into(), body).await?;
        }
    }
    Ok(jose(d.agency.acknowledge(&env)?))
}

/// A bank's query for an heir: the accounts at every participating bank linked to the
/// deceased's number; refused while J-LIS records them alive.
#[utoipa::path(post, path = "/v1/whereabouts", request_body = HeirQuery, responses((status = 200, body = HeirAnswer), (status = 400, description = "not JSON"),
    (status = 403, description = "the death is not recorded"), (status = 404, description = "J-LIS holds no resident with this number"),
    (status = 415, description = "not sent as application/json"), (status = 422, description = "a field is missing"), (status = 502, description = "J-LIS, the hub or a bank failed")))]
async fn heir(
    State(d): State<Arc<Dic>>,
    Extension(peer): Extension<Option<Peer>>,
    ApiJson(q): ApiJson<HeirQuery>,
) -> Result<Json<HeirAnswer>, ApiError> {
    let case = q.case.trim();
    if case.is_empty() || case.len() > 64 {
        return Err(ApiError::unprocessable("case", "the bank's record of the heir's application (1–64 characters)"));
    }
    let items = myna_link::LinkItems {
        number: q.number.clone(),
        name: q.name.clone(),
        birth: q.birth.clone(),
        sex: None,
        address: q.address.clone(),
    };
    let issued = d.agency.obtain(Enrolment::Items(items)).await?;
    let facts = issued.facts.ok_or_else(|| ApiError::bad_gateway("no_facts", "J-LIS named no person"))?;
    if !facts.deceased {
        return Err(ApiError::forbidden(
            "not_deceased",
            "J-LIS records no death for this person: heirs ask only after it",
        ));
    }
    let by = format!("{} case:{case}", peer.map(|p| p.0.to_string()).unwrap_or_default());
    let accounts = d.find(&issued.code.to_string(), &facts, &by).await?;
    Ok(Json(HeirAnswer { accounts }))
}

#[derive(OpenApi)]
#[openapi(paths(heir), components(schemas(HeirQuery, HeirAnswer, Found, Held)))]
struct Doc;

pub struct Started {
    pub agency: agency::Started,
    pub dic: Arc<Dic>,
}

/// Starts 預金保険機構's node on `addr`, with the participating `banks` (code, URL).
pub async fn start(
    db: Db,
    identity: &NodeIdentity,
    addr: SocketAddr,
    config: AgencyConfig,
    banks: Vec<(String, String)>,
) -> Result<Started, String> {
    db.migrate(&SCHEMA).await.map_err(|e| e.to_string())?;
    let cell: Arc<std::sync::OnceLock<Arc<Dic>>> = Arc::default();
    let (c, log_db) = (cell.clone(), db.clone());
    let routes = move |a: Arc<Agency>| {
        let d = Arc::new(Dic { agency: a, banks, db: log_db });
        let _ = c.set(d.clone());
        let inbox = Router::new()
            .route("/v1/inbox", post(take))
            .route_layer(axum::middleware::from_fn_with_state(HUB_ONLY, myna_node::only_peers))
            .with_state(d.clone());
        let api = Router::new()
            .route("/v1/whereabouts", post(heir))
            .route_layer(axum::middleware::from_fn_with_state(TABLE, myna_node::access::authorize))
            .with_state(d);
        inbox.merge(api)
    };
    let doc = TABLE.document(&Doc::openapi().to_json().unwrap_or_default());
    let agency =
        agency::start_documented(db, identity, addr, config, routes, Some(doc)).await.map_err(|e| e.to_string())?;
    let dic = cell.get().cloned().ok_or("the node did not start its routes")?;
    Ok(Started { agency, dic })
}
