//! The benefit system's API (the edge over [`Benefits`]): clerks by their staff sessions (or
//! the municipality's own business system by its token), checked before a body is read; and
//! the route on the municipality's agency node where the hub delivers residents' replies.

use std::sync::{Arc, RwLock};

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post, put},
};
use myna_link::{AgencyKind, PushKind, Reply};
use myna_linkage::agency::{Agency, CLERK, Clerk, HUB_ONLY, clerk_gate};
use myna_node::{
    ApiError, ApiJson,
    access::{Access, Table, rule},
    jose,
};
use myna_zengin::AccountKind;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::{Approved, BenefitError, Benefits, Determined, Notified, Returned, rule::Definition};

type S = State<Arc<Benefits>>;

impl From<BenefitError> for ApiError {
    fn from(e: BenefitError) -> Self {
        match e {
            BenefitError::Invalid { field, reason } => ApiError::unprocessable(field, reason),
            e @ BenefitError::NotFound(_) => ApiError::not_found(e.to_string()),
            BenefitError::Stage(m) => ApiError::conflict("stage", m),
            BenefitError::Agency(e) => e.into(),
            BenefitError::Transfer(e) => ApiError::unprocessable("file", e.to_string()),
            BenefitError::Store(e) => ApiError::store(e),
        }
    }
}

/// Who may call which route of the benefit system.
pub const TABLE: Table = Table {
    node: "a municipality's benefit system",
    rules: &[
        rule("GET", "/v1/benefits", CLERK),
        rule("POST", "/v1/benefits", CLERK),
        rule("GET", "/v1/benefits/{id}", CLERK),
        rule("POST", "/v1/benefits/{id}/run", CLERK),
        rule("GET", "/v1/benefits/{id}/payments", CLERK),
        rule("PUT", "/v1/benefits/{id}/payments/{person}/account", CLERK),
        rule("POST", "/v1/benefits/{id}/approve", CLERK),
        rule("GET", "/v1/benefits/{id}/transfer", CLERK),
        rule("POST", "/v1/benefits/{id}/returns", CLERK),
        rule("POST", "/v1/staff/challenge", Access::Public("a challenge for a staff card to sign; stateless")),
        rule("POST", "/v1/staff/login", Access::InRequest("the staff card's signature over the challenge")),
        rule("GET", "/", Access::Page("the sign-in page, open; the benefits once signed in")),
        rule("POST", "/login/card", Access::Page("a staff card, signed on the demo's staff card reader")),
        rule("POST", "/logout", PAGE),
        rule("POST", "/benefits", PAGE),
        rule("GET", "/benefits/{id}", PAGE),
        rule("GET", "/benefits/{id}/transfer", PAGE),
        rule("POST", "/benefits/{id}/returns", PAGE),
        rule("POST", "/benefits/{id}/payments/{person}/account", PAGE),
        rule("POST", "/benefits/{id}/{step}", PAGE),
        rule("GET", "/certificates", PAGE),
        rule("POST", "/certificates/issue", PAGE),
        rule("POST", "/certificates/withdraw", PAGE),
        rule("GET", "/seals", PAGE),
        rule("POST", "/seals/{resident}", PAGE),
        rule("POST", "/seals/{resident}/end", PAGE),
        rule("GET", "/seals/{resident}/impression.png", PAGE),
        rule("GET", "/verify", Access::Page("the issuer's verification page, open to anyone")),
        rule("POST", "/verify", Access::Page("a document's PDF or code checked, open to anyone; it changes nothing")),
        rule(
            "GET",
            "/v1/documents/keys",
            Access::Public("the municipality's public document key, for anyone verifying a document"),
        ),
        rule("GET", "/v1/documents/offering", JLIS_ONLY),
        rule("POST", "/v1/documents", JLIS_ONLY),
        rule("GET", "/intake", PAGE),
        rule("POST", "/intake/read", PAGE),
        rule("POST", "/intake/enrol", PAGE),
        rule("GET", "/links", PAGE),
        rule("POST", "/links/correct", PAGE),
        rule("POST", "/links/dismiss", PAGE),
        rule("GET", "/moves", PAGE),
        rule("POST", "/moves/in", PAGE),
        rule("POST", "/moves/renew", PAGE),
        rule("POST", "/moves/within", PAGE),
        rule("GET", "/static/tokens.css", Access::Page("the design tokens, open")),
        rule("GET", "/static/site.css", Access::Page("the style sheet, open")),
        rule("GET", "/static/benefits.js", Access::Page("the pages' script, open")),
        rule("GET", "/static/verify.js", Access::Page("the verification page's script, open")),
    ],
};

/// J-LIS's certificate issuance centre, by its certificate: orders for stores' kiosks.
const JLIS_ONLY: Access = Access::Peers(myna_node::access::JLIS);

const PAGE: Access = Access::Page("a clerk's page session (signed in with the staff card on the home page)");

/// A benefit and where its payments stand.
#[derive(Serialize, ToSchema)]
pub struct BenefitView {
    pub id: String,
    pub definition: Definition,
    /// defined, determined or approved.
    pub stage: String,
    pub created_by: String,
    pub approved_by: Option<String>,
    pub tally: Vec<TallyRow>,
}

/// How many payments are in a status, and their total.
#[derive(Serialize, ToSchema)]
pub struct TallyRow {
    pub status: String,
    pub payments: i64,
    pub yen: i64,
}

#[derive(Serialize, ToSchema)]
pub struct RunView {
    #[schema(value_type = Object)]
    pub determined: Determined,
    #[schema(value_type = Object)]
    pub notified: Notified,
}

#[derive(Serialize, ToSchema)]
pub struct PaymentView {
    pub person: String,
    /// The payment's reference in the transfer file (顧客コード1).
    pub reference: String,
    pub amount: i64,
    pub children: i64,
    pub status: String,
    pub reason: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct GivenAccount {
    pub bank: String,
    pub branch: String,
    /// 1 普通, 2 当座, 4 貯蓄.
    pub kind: String,
    pub number: String,
    /// The holder's name in katakana.
    pub holder: String,
}

#[derive(Deserialize, IntoParams)]
struct Filter {
    /// Only payments in this status.
    status: Option<String>,
}

fn clerk_name(c: &Clerk) -> String {
    c.account().map(|a| format!("staff:{a}")).unwrap_or_else(|| "system".into())
}

async fn view(b: &Benefits, id: &str) -> Result<BenefitView, BenefitError> {
    let (row, definition) = b.benefit(id).await?;
    let tally = b
        .store()
        .tally(id)
        .await?
        .into_iter()
        .map(|(status, payments, yen)| TallyRow { status, payments, yen })
        .collect();
    Ok(BenefitView {
        id: row.id,
        definition,
        stage: row.stage,
        created_by: row.created_by,
        approved_by: row.approved_by,
        tally,
    })
}

/// The benefits defined, newest first.
#[utoipa::path(get, path = "/v1/benefits", responses((status = 200, body = [BenefitView]), (status = 401)))]
async fn list(State(b): S) -> Result<Json<Vec<BenefitView>>, ApiError> {
    let mut out = Vec::new();
    for row in b.store().benefits().await.map_err(BenefitError::from)? {
        out.push(view(&b, &row.id).await?);
    }
    Ok(Json(out))
}

/// Defines a benefit: its name, amount (`{"per": "child"|"person"|"household", "yen"}`),
/// conditions (`non_taxable_household`, `children_under {age}`, `receives {item}`), basis,
/// deadline and payment days. A rule that reads an item the municipality may not is refused.
#[utoipa::path(post, path = "/v1/benefits", request_body = Definition,
    responses((status = 201, body = BenefitView), (status = 400, description = "not JSON"), (status = 401), (status = 415, description = "not sent as application/json"),
        (status = 422, description = "the definition cannot be paid as written, or a field is missing; the reason says why")))]
async fn define(
    State(b): S,
    axum::Extension(clerk): axum::Extension<Clerk>,
    ApiJson(d): ApiJson<Definition>,
) -> Result<(StatusCode, Json<BenefitView>), ApiError> {
    let row = b.define(&d, &clerk_name(&clerk), crate::core::today_jst()).await?;
    Ok((StatusCode::CREATED, Json(view(&b, &row.id).await?)))
}

#[utoipa::path(get, path = "/v1/benefits/{id}", params(("id" = String, Path, description = "the benefit's id (給付番号)")), responses((status = 200, body = BenefitView), (status = 401), (status = 404)))]
async fn one(State(b): S, Path(id): Path<String>) -> Result<Json<BenefitView>, ApiError> {
    Ok(Json(view(&b, &id).await?))
}

/// Determines the eligible households from the municipality's records and tells each
/// recipient (their account asked through the hub). Resumable: run again, it tells only
/// those not yet told.
#[utoipa::path(post, path = "/v1/benefits/{id}/run", params(("id" = String, Path, description = "the benefit's id (給付番号)")), responses((status = 200, body = RunView), (status = 401), (status = 404),
    (status = 409, description = "approved already"), (status = 502, description = "the hub or the registry failed; run again")))]
async fn run(State(b): S, Path(id): Path<String>) -> Result<Json<RunView>, ApiError> {
    let determined = b.determine(&id).await?;
    let notified = b.notify(&id).await?;
    Ok(Json(RunView { determined, notified }))
}

#[utoipa::path(get, path = "/v1/benefits/{id}/payments", params(("id" = String, Path, description = "the benefit's id (給付番号)"), Filter), responses((status = 200, body = [PaymentView]), (status = 400, description = "a bad query"), (status = 401),
    (status = 422, description = "no such status")))]
async fn payments(
    State(b): S,
    Path(id): Path<String>,
    Query(f): Query<Filter>,
) -> Result<Json<Vec<PaymentView>>, ApiError> {
    let statuses: Vec<&str> = f.status.as_deref().into_iter().collect();
    let known = crate::core::status::ALL;
    if let Some(s) = statuses.first()
        && !known.contains(s)
    {
        return Err(ApiError::unprocessable("status", format!("{s:?} is none of {}", known.join(", "))));
    }
    let rows = b.store().payments(&id, &statuses, 0, 10_000).await.map_err(BenefitError::from)?;
    Ok(Json(
        rows.into_iter()
            .map(|p| PaymentView {
                person: p.person,
                reference: format!("{:010}", p.seq),
                amount: p.amount,
                children: p.children,
                status: p.status,
                reason: p.reason,
            })
            .collect(),
    ))
}

/// The account a recipient without one gave on a form (ぴったりサービス or paper).
#[utoipa::path(put, path = "/v1/benefits/{id}/payments/{person}/account", request_body = GivenAccount,
    params(("id" = String, Path, description = "the benefit's id (給付番号)"), ("person" = String, Path, description = "the municipality's own reference for the recipient")),
    responses((status = 204), (status = 400, description = "not JSON"), (status = 401), (status = 404, description = "no such benefit"), (status = 409, description = "no open payment to this person"),
        (status = 415, description = "not sent as application/json"), (status = 422, description = "no such bank, branch or number")))]
async fn give_account(
    State(b): S,
    axum::Extension(clerk): axum::Extension<Clerk>,
    Path((id, person)): Path<(String, String)>,
    ApiJson(a): ApiJson<GivenAccount>,
) -> Result<StatusCode, ApiError> {
    let kind = a
        .kind
        .chars()
        .next()
        .and_then(AccountKind::from_digit)
        .ok_or_else(|| ApiError::unprocessable("kind", "1 (普通), 2 (当座) or 4 (貯蓄)"))?;
    b.give_account(&id, &person, (&a.bank, &a.branch, kind, &a.number, &a.holder), &clerk_name(&clerk)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Approves the payments after the deadline: accounts asked again, the transfer fixed.
#[utoipa::path(post, path = "/v1/benefits/{id}/approve", params(("id" = String, Path, description = "the benefit's id (給付番号)")), responses((status = 200, body = Object), (status = 401), (status = 404, description = "no such benefit"),
    (status = 409, description = "before the deadline, or notices not all sent"), (status = 502, description = "the hub or the registry failed; approve again")))]
async fn approve(
    State(b): S,
    axum::Extension(clerk): axum::Extension<Clerk>,
    Path(id): Path<String>,
) -> Result<Json<Approved>, ApiError> {
    Ok(Json(b.approve(&id, &clerk_name(&clerk), crate::core::today_jst()).await?))
}

/// The 総合振込 file for the paying bank (Shift_JIS, 120-byte records with CR LF).
#[utoipa::path(get, path = "/v1/benefits/{id}/transfer", params(("id" = String, Path, description = "the benefit's id (給付番号)")), responses((status = 200, content_type = "application/octet-stream"), (status = 401), (status = 404, description = "no such benefit"),
    (status = 409, description = "not approved")))]
async fn transfer(State(b): S, Path(id): Path<String>) -> Result<Response, ApiError> {
    let file = b.transfer_file(&id).await?;
    let name = format!("attachment; filename=\"sogo-furikomi-{id}.txt\"");
    Ok(([(header::CONTENT_TYPE, "application/octet-stream".to_string()), (header::CONTENT_DISPOSITION, name)], file)
        .into_response())
}

/// The bank's result file (the transfer with each record's result): returned payments are
/// marked and their recipients told.
#[utoipa::path(post, path = "/v1/benefits/{id}/returns", params(("id" = String, Path, description = "the benefit's id (給付番号)")), request_body(content = String, content_type = "application/octet-stream"),
    responses((status = 200, body = Object), (status = 401), (status = 404, description = "no such benefit"), (status = 409, description = "not approved"),
        (status = 413, description = "over 64 MiB"), (status = 422, description = "the file is broken, or not this benefit's"), (status = 502, description = "a notice could not be sent; take the file again")))]
async fn returns(State(b): S, Path(id): Path<String>, body: Bytes) -> Result<Json<Returned>, ApiError> {
    Ok(Json(b.returns(&id, &body).await?))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "myna benefit system (給付システム)",
        description = "A municipality's push-type benefits: define a benefit by its rule, run it (the eligible households from the municipality's records, each recipient's public-fund account through the hub, a notice with a way to decline), approve after the deadline, the 総合振込 file, the bank's returns. Errors are {\"error\": {\"code\", \"message\"}}."
    ),
    paths(
        list,
        define,
        one,
        run,
        payments,
        give_account,
        approve,
        transfer,
        returns,
        crate::counter::keys,
        crate::counter::offering,
        crate::counter::order,
        myna_rp::staff::staff_challenge,
        myna_rp::staff::staff_login
    ),
    components(schemas(
        BenefitView,
        RunView,
        PaymentView,
        GivenAccount,
        myna_rp::ChallengeView,
        myna_rp::LoginBody,
        myna_rp::staff::StaffSession
    ))
)]
struct Doc;

pub fn openapi_json() -> String {
    TABLE.document(&Doc::openapi().to_json().unwrap_or_default())
}

/// The benefit system's API; clerks sign in with the municipality's staff cards. The node
/// puts it and the pages behind [`TABLE`].
pub fn routes(b: Arc<Benefits>, agency: Arc<Agency>) -> Router {
    let api = Router::new()
        .route("/v1/benefits", get(list).post(define))
        .route("/v1/benefits/{id}", get(one))
        .route("/v1/benefits/{id}/run", post(run))
        .route("/v1/benefits/{id}/payments", get(payments))
        .route("/v1/benefits/{id}/payments/{person}/account", put(give_account))
        .route("/v1/benefits/{id}/approve", post(approve))
        .route("/v1/benefits/{id}/transfer", get(transfer))
        .route("/v1/benefits/{id}/returns", post(returns).layer(axum::extract::DefaultBodyLimit::max(64 << 20)))
        .route_layer(axum::middleware::from_fn_with_state(agency.clone(), clerk_gate))
        .with_state(b);
    api.merge(myna_rp::staff::routes(agency.staff.clone()))
}

/// Where the benefit system is, once started (the agency's inbox is served before it is).
pub type Cell = Arc<RwLock<Option<Arc<Benefits>>>>;

/// The route on the municipality's agency node where the hub delivers what the portal pushes
/// for a resident: a reply to a notice (a benefit declined), taken by the benefit system, and
/// a move application, taken by the moving desk; acknowledged once stored.
pub fn inbox(cell: Cell, moving: myna_moving::Cell, agency: Arc<Agency>) -> Router {
    Router::new()
        .route("/v1/inbox", post(take))
        .route_layer(axum::middleware::from_fn_with_state(HUB_ONLY, myna_node::only_peers))
        .with_state((cell, moving, agency))
}

async fn take(
    State((cell, moving, agency)): State<(Cell, myna_moving::Cell, Arc<Agency>)>,
    body: String,
) -> Result<Response, ApiError> {
    let (env, plain) = agency.open_push(&body)?;
    let f = &env.body;
    let sender = f.sender.kind().map_err(|e| ApiError::unprocessable("sender", e.to_string()))?;
    if myna_moving::takes(f.kind) {
        myna_moving::take(&moving, sender, f.kind, &f.code.to_string(), &plain).await?;
        return Ok(jose(agency.acknowledge(&env)?));
    }
    if f.kind != PushKind::BenefitReply || sender != AgencyKind::Portal {
        return Err(ApiError::unprocessable(
            "kind",
            "a municipality takes residents' replies and move applications, from the portal",
        ));
    }
    let reply: Reply = serde_json::from_slice(&plain).map_err(|e| ApiError::unprocessable("reply", e.to_string()))?;
    let b = cell.read().ok().and_then(|b| b.clone()).ok_or_else(|| {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "starting", "the benefit system is starting; the hub retries")
    })?;
    b.reply(&f.code.to_string(), &reply).await?;
    Ok(jose(agency.acknowledge(&env)?))
}
