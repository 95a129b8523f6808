//! The login endpoints and the service state behind them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::{get, post},
};
use myna_node::{ApiError, ApiJson};
use myna_pki::TrustStore;
use myna_pki::login::{ChallengeBook, LoginError, LoginOk, LoginResponse, LoginVerifier};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::CrlCache;

/// How long a challenge may take to come back signed.
pub const CHALLENGE_SECS: i64 = 300;
/// Session length (never beyond the certificate).
pub const SESSION_SECS: i64 = 30 * 60;
const MAX_OUTSTANDING: usize = 1_000_000;
const MAX_SESSIONS: usize = 1_000_000;

pub struct Service {
    verifier: LoginVerifier,
    book: Mutex<ChallengeBook>,
    pub crl: CrlCache,
    sessions: Mutex<HashMap<String, (String, i64)>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ChallengeView {
    /// The text the card signs: `myna-login/1:<nonce>:<expiry>:<service>`.
    pub challenge: String,
    pub expires: i64,
}

/// The holder tool's answer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LoginBody {
    pub challenge: String,
    /// The user-authentication certificate, base64 DER.
    pub certificate: String,
    /// base64 RSASSA-PKCS1-v1_5 SHA-256 signature over the challenge text.
    pub signature: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionView {
    /// Bearer token for this session (only in the login answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// This service's name for the holder; never the individual number.
    pub pseudonym: String,
    pub expires: i64,
}

#[derive(Serialize, ToSchema)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
struct ErrorDetail {
    code: String,
    message: String,
}

use myna_node::now_secs as now;

fn random<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut b = [0u8; N];
    aws_lc_rs::rand::fill(&mut b).map_err(|_| ApiError::internal("random"))?;
    Ok(b)
}

impl Service {
    /// `service` is this relying party's origin; `pseudonym_key` its own secret.
    pub fn new(service: &str, trust: TrustStore, pseudonym_key: &[u8], jlis: &str) -> Self {
        Self {
            verifier: LoginVerifier::new(trust, pseudonym_key),
            book: Mutex::new(ChallengeBook::new(service, CHALLENGE_SECS, MAX_OUTSTANDING)),
            crl: CrlCache::new(jlis),
            sessions: Mutex::new(HashMap::new()),
        }
    }

    pub fn trust(&self) -> &TrustStore {
        self.verifier.trust()
    }

    /// Keeps the CRL current until the process ends; failures are logged and retried.
    pub fn spawn_refresh(self: &Arc<Self>, client: reqwest::Client, every: Duration) {
        CrlCache::keep_fresh(self, client, every, |s| (&s.crl, s.trust()));
    }

    fn challenge(&self) -> Result<ChallengeView, ApiError> {
        let nonce = random::<16>()?;
        let c = self
            .book
            .lock()
            .map_err(|_| ApiError::internal("lock"))?
            .issue(nonce, now())
            .map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", e.to_string()))?;
        Ok(ChallengeView { challenge: c.text(), expires: c.expires })
    }

    /// A login checked in full (chain, policy, validity, the CRL, the signature, this
    /// service's unexpired and unused challenge): the holder's certificate and pseudonym.
    pub fn check_login(&self, body: LoginBody) -> Result<(myna_pki::CardCert, LoginOk), ApiError> {
        let resp =
            LoginResponse { challenge: body.challenge, certificate: body.certificate, signature: body.signature };
        let refused = |e: LoginError| ApiError::new(StatusCode::UNAUTHORIZED, "login_refused", e.to_string());
        let cert = self.verifier.certificate(&resp).map_err(refused)?;
        let t = now();
        let status = self.crl.status(cert.serial, t);
        let ok = {
            let mut book = self.book.lock().map_err(|_| ApiError::internal("lock"))?;
            self.verifier.verify(&mut book, &resp, &cert, status, t).map_err(refused)?
        };
        Ok((cert, ok))
    }

    /// A one-time challenge for the card to sign.
    pub fn new_challenge(&self) -> Result<ChallengeView, ApiError> {
        self.challenge()
    }

    fn login(&self, body: LoginBody) -> Result<SessionView, ApiError> {
        let (_, ok) = self.check_login(body)?;
        let t = now();
        let token = hex::encode(random::<24>()?);
        let expires = (t + SESSION_SECS).min(ok.certificate_expires);
        let mut sessions = self.sessions.lock().map_err(|_| ApiError::internal("lock"))?;
        if sessions.len() >= MAX_SESSIONS {
            sessions.retain(|_, (_, exp)| *exp >= t);
        }
        sessions.insert(token.clone(), (ok.pseudonym.clone(), expires));
        Ok(SessionView { session: Some(token), pseudonym: ok.pseudonym, expires })
    }

    fn session(&self, headers: &HeaderMap) -> Result<SessionView, ApiError> {
        let unauthorized =
            || ApiError::new(StatusCode::UNAUTHORIZED, "no_session", "log in first (Authorization: Bearer <session>)");
        let token = myna_node::bearer(headers).ok_or_else(unauthorized)?;
        let sessions = self.sessions.lock().map_err(|_| ApiError::internal("lock"))?;
        match sessions.get(token) {
            Some((p, exp)) if *exp >= now() => Ok(SessionView { session: None, pseudonym: p.clone(), expires: *exp }),
            _ => Err(unauthorized()),
        }
    }
}

type St = State<Arc<Service>>;

#[utoipa::path(post, path = "/v1/login/challenge", responses((status = 201, body = ChallengeView), (status = 503, body = ErrorBody)))]
async fn challenge(State(s): St) -> Result<(StatusCode, Json<ChallengeView>), ApiError> {
    Ok((StatusCode::CREATED, Json(s.challenge()?)))
}

#[utoipa::path(post, path = "/v1/login", request_body = LoginBody,
    responses((status = 201, body = SessionView), (status = 400, body = ErrorBody), (status = 401, description = "Refused, with the reason", body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn login(State(s): St, ApiJson(body): ApiJson<LoginBody>) -> Result<(StatusCode, Json<SessionView>), ApiError> {
    Ok((StatusCode::CREATED, Json(s.login(body)?)))
}

#[utoipa::path(get, path = "/v1/session", responses((status = 200, body = SessionView), (status = 401, body = ErrorBody)))]
async fn session(State(s): St, headers: HeaderMap) -> Result<Json<SessionView>, ApiError> {
    Ok(Json(s.session(&headers)?))
}

pub(crate) fn routes(s: Arc<Service>) -> Router {
    Router::new()
        .route("/v1/login/challenge", post(challenge))
        .route("/v1/login", post(login))
        .route("/v1/session", get(session))
        .with_state(s)
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "myna verifier (relying party)",
        description = "Login with the card's user-authentication certificate."
    ),
    paths(challenge, login, session),
    components(schemas(ChallengeView, LoginBody, SessionView, ErrorBody, ErrorDetail))
)]
struct Doc;

pub(crate) fn openapi_json() -> String {
    Doc::openapi().to_pretty_json().unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
