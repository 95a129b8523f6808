//! 自己情報取得API: an OAuth 2.0 / OpenID Connect provider for private services.
//!
//! Authorization code with PKCE (S256 only), clients registered by the operator with their
//! redirect URIs, allowed scopes and stated purpose; a consent page listing each item and
//! that purpose; codes single-use for 60 s, access tokens 10 min; ID tokens and every data
//! response signed (JWS ES256, keys at `/oauth/jwks`); `sub` is pairwise per client. A
//! grant is checked on every data call, so revoking it on `/connections` takes effect at once.
//!
//! The JWTs are written here (three base64url parts signed by aws-lc-rs) rather than with a
//! JWT crate: the portal only issues them, with one key and one algorithm.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use crate::store::ClientRow;
use aws_lc_rs::{
    rand::SystemRandom,
    signature::{self, EcdsaKeyPair, KeyPair},
};
use axum::{
    Form, Json, Router,
    extract::{Path, Query, State, rejection::FormRejection},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use base64ct::{Base64UrlUnpadded, Encoding};
use maud::html;
use myna_link::InfoItem;
use myna_node::{ApiError, jose, now_secs};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::oauth_params::{basic_credentials, challenge_ok, pkce_matches, redirect_ok, scopes};
use utoipa::ToSchema;

use crate::{
    Portal, PortalError,
    history::jst,
    myinfo::item_en,
    oauth_codes::{Code, Codes, Taken},
    page::{Ctx, Fields, Resident, error_page, field, layout, resident_form},
    session,
};

const CODE_SECS: i64 = 60;
const TOKEN_SECS: i64 = 600;

/// Data scopes: each names an information item a service may read.
pub const SCOPES: &[(&str, InfoItem)] = &[
    ("local_tax", InfoItem::LocalTax),
    ("resident_record", InfoItem::ResidentRecord),
    ("pension_benefit", InfoItem::PensionBenefit),
    ("medical_insurance", InfoItem::MedicalInsurance),
];

fn scope_item(s: &str) -> Option<InfoItem> {
    SCOPES.iter().find(|(n, _)| *n == s).map(|(_, i)| *i)
}

#[derive(Clone)]
struct Token {
    client: String,
    resident: String,
    proof: myna_link::LoginProof,
    scopes: Vec<String>,
    expires: i64,
}

pub struct OAuth {
    key: EcdsaKeyPair,
    kid: String,
    jwk: Value,
    issuer: String,
    codes: Mutex<Codes>,
    tokens: Mutex<HashMap<String, Token>>,
}

impl OAuth {
    pub fn new(key_pem: &str, issuer: &str) -> Result<Self, String> {
        let der = myna_pki::from_pem(key_pem, "PRIVATE KEY").map_err(|e| e.to_string())?;
        let key = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &der)
            .map_err(|e| format!("the portal's key: {e}"))?;
        let public = key.public_key().as_ref().to_vec();
        let (x, y) =
            public.get(1..33).zip(public.get(33..65)).ok_or("the portal's key is not an uncompressed P-256 point")?;
        let kid = hex::encode(&Sha256::digest(&public)[..8]);
        let jwk = json!({"kty": "EC", "crv": "P-256", "x": Base64UrlUnpadded::encode_string(x), "y": Base64UrlUnpadded::encode_string(y), "kid": kid, "use": "sig", "alg": "ES256"});
        Ok(Self {
            key,
            kid,
            jwk,
            issuer: issuer.to_string(),
            codes: Mutex::new(Codes::default()),
            tokens: Mutex::new(HashMap::new()),
        })
    }

    /// A compact JWS (ES256) of `claims`.
    pub fn sign(&self, typ: &str, claims: &Value) -> Result<String, PortalError> {
        let header = json!({"alg": "ES256", "kid": self.kid, "typ": typ});
        let input = format!(
            "{}.{}",
            Base64UrlUnpadded::encode_string(header.to_string().as_bytes()),
            Base64UrlUnpadded::encode_string(claims.to_string().as_bytes())
        );
        let sig = self
            .key
            .sign(&SystemRandom::new(), input.as_bytes())
            .map_err(|_| PortalError::internal("the portal's OpenID key could not sign"))?;
        Ok(format!("{input}.{}", Base64UrlUnpadded::encode_string(sig.as_ref())))
    }
}

impl Portal {
    /// The resident's identifier at one client: unlinkable across clients.
    fn pairwise(&self, client: &str, resident: &str) -> String {
        hex::encode(&Sha256::digest(format!("myna-sub/1|{}|{client}|{resident}", self.public_url).as_bytes())[..16])
    }

    fn client_ok(&self, c: &ClientRow, secret: &str) -> bool {
        aws_lc_rs::constant_time::verify_slices_are_equal(
            hex::encode(Sha256::digest(secret.as_bytes())).as_bytes(),
            c.secret_hash.as_bytes(),
        )
        .is_ok()
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ClientRegistration {
    pub name: String,
    /// Exact redirect URIs (https, or http on localhost for development).
    pub redirect_uris: Vec<String>,
    /// The data scopes it may ask for: local_tax, resident_record, pension_benefit, medical_insurance.
    pub scopes: Vec<String>,
    /// Why the service wants the data, shown to the resident on the consent page.
    pub purpose: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ClientCredentials {
    pub client_id: String,
    /// Shown once; the portal keeps only its hash.
    pub client_secret: String,
}

/// Registers a client (bearer: the operator token).
#[utoipa::path(post, path = "/oauth/clients", tag = "oauth", request_body = ClientRegistration, responses((status = 201, body = ClientCredentials), (status = 401), (status = 422)))]
pub(crate) async fn register(
    State(p): State<Arc<Portal>>,
    headers: HeaderMap,
    axum::Json(r): axum::Json<ClientRegistration>,
) -> Result<(StatusCode, Json<ClientCredentials>), ApiError> {
    p.operator(&headers)?;
    if r.name.trim().is_empty() || r.name.chars().count() > 100 {
        return Err(ApiError::unprocessable("name", "1–100 characters"));
    }
    if r.redirect_uris.is_empty() || !r.redirect_uris.iter().all(|u| redirect_ok(u)) {
        return Err(ApiError::unprocessable(
            "redirect_uris",
            "one or more absolute https URIs (http only on localhost), without a fragment",
        ));
    }
    if let Some(bad) = r.scopes.iter().find(|s| scope_item(s).is_none()) {
        return Err(ApiError::unprocessable(
            "scopes",
            format!("unknown scope {bad:?}; known: local_tax, resident_record, pension_benefit, medical_insurance"),
        ));
    }
    if r.purpose.trim().is_empty() || r.purpose.chars().count() > 300 {
        return Err(ApiError::unprocessable("purpose", "say why the service needs the data (1–300 characters)"));
    }
    let id = format!("c-{}", session::random_hex::<8>());
    let secret = session::random_hex::<24>();
    let row = ClientRow {
        id: id.clone(),
        name: r.name.trim().into(),
        redirect_uris: r.redirect_uris,
        scopes: r.scopes,
        purpose: r.purpose.trim().into(),
        secret_hash: hex::encode(Sha256::digest(secret.as_bytes())),
    };
    p.store.put_client(&row, now_secs()).await?;
    Ok((StatusCode::CREATED, Json(ClientCredentials { client_id: id, client_secret: secret })))
}

#[derive(Deserialize, Default, Clone)]
struct AuthRequest {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    nonce: Option<String>,
}

/// Sends an error back to the client (RFC 6749 §4.1.2.1), once the redirect URI is trusted.
fn to_client(redirect: &str, params: &[(&str, &str)]) -> Response {
    let mut url = match reqwest::Url::parse(redirect) {
        Ok(u) => u,
        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
    };
    url.query_pairs_mut().extend_pairs(params.iter().filter(|(_, v)| !v.is_empty()));
    Redirect::to(url.as_str()).into_response()
}

/// Checks an authorization request.
#[allow(clippy::result_large_err)] // the error is the page or redirect to send, once per request Errors about the client or redirect URI are shown to
/// the resident (never redirected to an unverified place); the rest go back to the client.
async fn validate(p: &Portal, ctx: &Ctx, q: &AuthRequest) -> Result<(ClientRow, Vec<String>), Response> {
    let client = match q.client_id.as_deref() {
        Some(id) => p.store.client(id).await.ok().flatten(),
        None => None,
    };
    let Some(client) = client else {
        return Err(error_page(
            ctx,
            StatusCode::BAD_REQUEST,
            "このサービスはマイナポータルに登録されていません（client_id が不明です）。",
            "This service is not registered with the portal (unknown client_id).",
        ));
    };
    let Some(redirect) = q.redirect_uri.as_deref().filter(|r| client.redirect_uris.iter().any(|u| u == r)) else {
        return Err(error_page(
            ctx,
            StatusCode::BAD_REQUEST,
            "戻り先（redirect_uri）が、このサービスの登録と一致しません。",
            "The redirect_uri does not match the service's registration.",
        ));
    };
    let state = q.state.as_deref().unwrap_or_default();
    let fail = |code: &str, why: &str| {
        Err(to_client(redirect, &[("error", code), ("error_description", why), ("state", state)]))
    };
    if q.response_type.as_deref() != Some("code") {
        return fail("unsupported_response_type", "only response_type=code");
    }
    if !challenge_ok(q.code_challenge.as_deref(), q.code_challenge_method.as_deref()) {
        return fail(
            "invalid_request",
            "PKCE is required: code_challenge (43 characters) with code_challenge_method=S256",
        );
    }
    let (openid, data) = scopes(q.scope.as_deref().unwrap_or_default());
    if !openid {
        return fail("invalid_scope", "the scope must include openid");
    }
    if let Some(bad) = data.iter().find(|s| !client.scopes.contains(s)) {
        return fail("invalid_scope", &format!("{bad} is not a scope this client is registered for"));
    }
    Ok((client, data))
}

fn scope_label(ctx: &Ctx, s: &str) -> String {
    scope_item(s).map(|i| (if ctx.en { item_en(i) } else { i.name_ja() }).to_string()).unwrap_or_else(|| s.to_string())
}

async fn authorize(State(p): State<Arc<Portal>>, Resident(ctx, _): Resident, Query(q): Query<AuthRequest>) -> Response {
    let (client, scopes) = match validate(&p, &ctx, &q).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let body = html! {
        p { strong { (client.name) } (ctx.t(" が、あなたの次の情報の提供を求めています。", " asks for the following information about you.")) }
        p { (ctx.t("利用目的: ", "Purpose: ")) (client.purpose) }
        ul #consent-items { @for s in &scopes { li { (scope_label(&ctx, s)) } } }
        p { (ctx.t("許可すると、情報はマイナポータルが行政機関から取得し、署名を付けてこのサービスに渡します。許可はいつでも「連携サービス」から取り消せます。",
            "If you allow it, the portal fetches the information from the agencies and hands it to this service, signed. You can withdraw this at any time under Connected services.")) }
        form method="post" action="/oauth/authorize" {
            (ctx.csrf_field())
            @for (k, v) in [("client_id", &q.client_id), ("redirect_uri", &q.redirect_uri), ("scope", &q.scope), ("state", &q.state), ("code_challenge", &q.code_challenge), ("nonce", &q.nonce)] {
                @if let Some(v) = v { input type="hidden" name=(k) value=(v); }
            }
            input type="hidden" name="response_type" value="code";
            input type="hidden" name="code_challenge_method" value="S256";
            button type="submit" name="decision" value="allow" { (ctx.t("許可する", "Allow")) }
            " "
            button.secondary type="submit" name="decision" value="deny" { (ctx.t("許可しない", "Do not allow")) }
        }
    };
    let mut r = layout(&ctx, ctx.t("情報提供の同意", "Consent"), body);
    // The form ends in a redirect back to the service: its origin (and only it) is allowed.
    let origin =
        q.redirect_uri.as_deref().and_then(|u| url::Url::parse(u).ok()).map(|u| u.origin().ascii_serialization());
    if let Some(csp) = origin.as_deref().and_then(myna_node::web::csp_with_form_target) {
        r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    r
}

async fn decide(
    State(p): State<Arc<Portal>>,
    Resident(ctx, s): Resident,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let f = match resident_form(&ctx, &s, form) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let get = |k: &str| field(&f, k).map(str::to_string);
    let q = AuthRequest {
        response_type: get("response_type"),
        client_id: get("client_id"),
        redirect_uri: get("redirect_uri"),
        scope: get("scope"),
        state: get("state"),
        code_challenge: get("code_challenge"),
        code_challenge_method: get("code_challenge_method"),
        nonce: get("nonce"),
    };
    let (client, scopes) = match validate(&p, &ctx, &q).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let redirect = q.redirect_uri.clone().unwrap_or_default();
    let state = q.state.clone().unwrap_or_default();
    if field(&f, "decision") != Some("allow") {
        return to_client(
            &redirect,
            &[("error", "access_denied"), ("error_description", "the resident did not allow it"), ("state", &state)],
        );
    }
    if p.store.grant(&s.code, &client.id, &scopes, now_secs()).await.is_err() {
        return error_page(
            &ctx,
            StatusCode::INTERNAL_SERVER_ERROR,
            "同意を記録できませんでした。",
            "Your consent could not be recorded.",
        );
    }
    let code = session::random_hex::<24>();
    if let Ok(mut c) = p.oauth.codes.lock() {
        let now = now_secs();
        c.issue(
            code.clone(),
            Code {
                client: client.id,
                redirect_uri: redirect.clone(),
                scopes,
                challenge: q.code_challenge.unwrap_or_default(),
                resident: s.code.clone(),
                proof: s.proof.clone(),
                nonce: q.nonce,
                expires: now + CODE_SECS,
            },
            now,
        );
    }
    to_client(&redirect, &[("code", &code), ("state", &state)])
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: i64,
    pub scope: String,
    pub id_token: String,
}

fn oauth_error(status: StatusCode, code: &'static str, why: &str) -> Response {
    (status, Json(json!({"error": code, "error_description": why}))).into_response()
}

/// Exchanges a code for tokens (client_secret_post or client_secret_basic; PKCE verifier).
#[utoipa::path(post, path = "/oauth/token", tag = "oauth", request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, body = TokenResponse), (status = 400, description = "invalid_grant, invalid_request"), (status = 401, description = "invalid_client")))]
pub(crate) async fn token(
    State(p): State<Arc<Portal>>,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "a form-encoded body is required");
    };
    if field(&f, "grant_type") != Some("authorization_code") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "only authorization_code");
    }
    let basic = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(basic_credentials);
    let (id, secret) = match basic {
        Some(x) => x,
        None => (
            field(&f, "client_id").unwrap_or_default().to_string(),
            field(&f, "client_secret").unwrap_or_default().to_string(),
        ),
    };
    let client = match p.store.client(&id).await {
        Ok(Some(c)) if p.client_ok(&c, &secret) => c,
        _ => return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "unknown client or wrong secret"),
    };
    // The code is spent whatever happens next.
    let presented = field(&f, "code").unwrap_or_default().to_string();
    let taken = p.oauth.codes.lock().map(|mut c| c.take(&presented, now_secs())).unwrap_or(Taken::Unknown);
    let code = match taken {
        Taken::Fresh(c) => c,
        Taken::Replayed(token) => {
            if let (Some(t), Ok(mut tokens)) = (token, p.oauth.tokens.lock()) {
                tokens.remove(&t);
            }
            tracing::warn!(client = %client.id, "an authorization code was presented twice; its token is revoked");
            let why = "the code was already used: the token issued for it is revoked too";
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", why);
        }
        Taken::Unknown => {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "the code is unknown, used or expired");
        }
    };
    if code.client != client.id || Some(code.redirect_uri.as_str()) != field(&f, "redirect_uri") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "the code was issued to another client or redirect_uri",
        );
    }
    if !pkce_matches(field(&f, "code_verifier").unwrap_or_default(), &code.challenge) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "the PKCE code_verifier does not match the code_challenge",
        );
    }
    // A withdrawal between consent and exchange stands (the codes are dropped then too).
    match p.store.grants(&code.resident).await {
        Ok(g) if g.iter().any(|g| g.client == client.id && g.revoked_at.is_none()) => {}
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "the resident withdrew this service's access",
            );
        }
    }
    let now = now_secs();
    let access = session::random_hex::<24>();
    if let Ok(mut c) = p.oauth.codes.lock() {
        c.bought(&presented, &access);
    }
    if let Ok(mut t) = p.oauth.tokens.lock() {
        t.retain(|_, x| x.expires >= now);
        t.insert(
            access.clone(),
            Token {
                client: client.id.clone(),
                resident: code.resident.clone(),
                proof: code.proof.clone(),
                scopes: code.scopes.clone(),
                expires: now + TOKEN_SECS,
            },
        );
    }
    let mut claims = json!({"iss": p.oauth.issuer, "sub": p.pairwise(&client.id, &code.resident), "aud": client.id, "iat": now, "exp": now + TOKEN_SECS});
    if let Some(n) = code.nonce {
        claims["nonce"] = json!(n);
    }
    let Ok(id_token) = p.oauth.sign("JWT", &claims) else {
        return oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "signing");
    };
    let scope = std::iter::once("openid".to_string()).chain(code.scopes).collect::<Vec<_>>().join(" ");
    Json(TokenResponse { access_token: access, token_type: "Bearer".into(), expires_in: TOKEN_SECS, scope, id_token })
        .into_response()
}

/// The token behind a request, checked against the resident's grant (revocation is immediate).
async fn bearer(p: &Portal, headers: &HeaderMap) -> Result<Token, ApiError> {
    let unauthorized = |why: &str| ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token", why.to_string());
    let t =
        myna_node::bearer(headers).ok_or_else(|| unauthorized("Authorization: Bearer <access token> is required"))?;
    let tok = p
        .oauth
        .tokens
        .lock()
        .ok()
        .and_then(|m| m.get(t).cloned())
        .filter(|x| x.expires >= now_secs())
        .ok_or_else(|| unauthorized("the access token is unknown or expired"))?;
    let grants = p.store.grants(&tok.resident).await?;
    if !grants.iter().any(|g| g.client == tok.client && g.revoked_at.is_none()) {
        return Err(unauthorized("the resident withdrew this service's access"));
    }
    Ok(tok)
}

/// The resident's identifier at this client (OpenID Connect userinfo).
#[utoipa::path(get, path = "/oauth/userinfo", tag = "oauth", responses((status = 200), (status = 401)))]
pub(crate) async fn userinfo(State(p): State<Arc<Portal>>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let t = bearer(&p, &headers).await?;
    Ok(Json(json!({"sub": p.pairwise(&t.client, &t.resident)})))
}

/// One item of the resident's information, fetched through the linkage network and signed
/// by the portal (JWS ES256 of {iss, sub, aud, item, held_by, data, iat}).
#[utoipa::path(get, path = "/v1/self/{scope}", tag = "oauth", params(("scope" = String, Path, description = "local_tax, resident_record, pension_benefit or medical_insurance")),
    responses((status = 200, description = "application/jose: the signed data"), (status = 401, description = "no, expired or withdrawn token"), (status = 403, description = "scope not granted"), (status = 502)))]
pub(crate) async fn data(
    State(p): State<Arc<Portal>>,
    headers: HeaderMap,
    Path(scope): Path<String>,
) -> Result<Response, ApiError> {
    let t = bearer(&p, &headers).await?;
    let item = scope_item(&scope).ok_or_else(|| ApiError::not_found(format!("no scope {scope}")))?;
    if !t.scopes.iter().any(|s| s == &scope) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            format!("the resident did not grant {scope}"),
        ));
    }
    let held = p
        .my_information(&t.resident, &t.proof)
        .await
        .map_err(|e| ApiError::new(StatusCode::BAD_GATEWAY, "linkage", e))?;
    let found: Vec<Value> = held
        .iter()
        .filter(|h| h.item == item)
        .filter_map(|h| {
            h.result.as_ref().ok().map(|d| json!({"held_by": h.agency, "agency_name": h.agency_name, "data": d}))
        })
        .collect();
    let claims = json!({"iss": p.oauth.issuer, "sub": p.pairwise(&t.client, &t.resident), "aud": t.client, "item": scope, "records": found, "iat": now_secs()});
    Ok(jose(p.oauth.sign("myna-self-info+jwt", &claims)?))
}

async fn discovery(State(p): State<Arc<Portal>>) -> Json<Value> {
    let i = &p.oauth.issuer;
    Json(json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/oauth/authorize"),
        "token_endpoint": format!("{i}/oauth/token"),
        "userinfo_endpoint": format!("{i}/oauth/userinfo"),
        "jwks_uri": format!("{i}/oauth/jwks"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": std::iter::once("openid").chain(SCOPES.iter().map(|(s, _)| *s)).collect::<Vec<_>>(),
    }))
}

async fn jwks(State(p): State<Arc<Portal>>) -> Json<Value> {
    Json(json!({"keys": [p.oauth.jwk]}))
}

async fn connections(State(p): State<Arc<Portal>>, Resident(ctx, s): Resident) -> Response {
    let Ok(grants) = p.store.grants(&s.code).await else {
        return error_page(&ctx, StatusCode::INTERNAL_SERVER_ERROR, "読み込めませんでした。", "Could not be loaded.");
    };
    let mut rows = Vec::new();
    for g in grants {
        let c = p.store.client(&g.client).await.ok().flatten();
        rows.push((g, c));
    }
    let body = html! {
        p { (ctx.t("あなたが情報の取得を許可した民間サービスです。取り消すと、そのサービスはすぐに情報を取得できなくなります。",
            "Private services you allowed to fetch your information. Withdraw, and the service can no longer fetch it, at once.")) }
        @if rows.is_empty() { p { (ctx.t("許可したサービスはありません。", "You have allowed no services.")) } }
        ul #connections {
            @for (g, c) in &rows {
                li {
                    strong { (c.as_ref().map(|c| c.name.clone()).unwrap_or(g.client.clone())) }
                    " — " (g.scopes.iter().map(|s| scope_label(&ctx, s)).collect::<Vec<_>>().join(", "))
                    " · " (ctx.t("許可日時 ", "allowed ")) (jst(g.granted_at))
                    @if let Some(r) = g.revoked_at {
                        " · " span.revoked { (ctx.t("取消済 ", "withdrawn ")) (jst(r)) }
                    } @else {
                        form.inline method="post" action={ "/connections/" (g.client) "/revoke" } {
                            (ctx.csrf_field())
                            button.secondary type="submit" { (ctx.t("許可を取り消す", "Withdraw")) }
                        }
                    }
                }
            }
        }
    };
    layout(&ctx, ctx.t("連携サービス", "Connected services"), body)
}

async fn revoke(
    State(p): State<Arc<Portal>>,
    Resident(ctx, s): Resident,
    Path(client): Path<String>,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    if let Err(r) = resident_form(&ctx, &s, form) {
        return *r;
    }
    if p.store.revoke(&s.code, &client, now_secs()).await.is_err() {
        return error_page(&ctx, StatusCode::INTERNAL_SERVER_ERROR, "取り消せませんでした。", "Could not withdraw.");
    }
    if let Ok(mut t) = p.oauth.tokens.lock() {
        t.retain(|_, x| !(x.resident == s.code && x.client == client));
    }
    if let Ok(mut c) = p.oauth.codes.lock() {
        c.revoke(&s.code, &client);
    }
    Redirect::to("/connections").into_response()
}

pub fn routes() -> Router<Arc<Portal>> {
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/oauth/jwks", get(jwks))
        .route("/oauth/clients", post(register))
        .route("/oauth/authorize", get(authorize).post(decide))
        .route("/oauth/token", post(token))
        .route("/oauth/userinfo", get(userinfo))
        .route("/v1/self/{scope}", get(data))
        .route("/connections", get(connections))
        .route("/connections/{client}/revoke", post(revoke))
}
