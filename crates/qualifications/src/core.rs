//! The qualification system's work: passes recorded, applications taken with J-LIS's naming
//! of the signer, registrations made against the pass, credentials issued to the holder's
//! key, and the status list published.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use base64ct::{Base64, Encoding as _};
use myna_credential::{
    IssuerKey, Qualification, Status, StatusList, qualification::NotAQualification, sdjwt::SdJwtError,
};
use myna_link::{Enrolment, SignedInstruction};
use myna_linkage::agency::{Agency, AgencyError};
use myna_store::{Db, StoreError, WriteQuery as _};
use serde_json::{Map, Value, json};

mod applications;

use crate::api::{CredentialAnswer, EndRequest, Pass, RegistrationView, Signed};

/// How old a signed request may be when it arrives.
const FRESH_SECS: i64 = 600;
/// How long a credential stands before the holder asks for a new one (its status is
/// checked at every presentation regardless).
const CREDENTIAL_SECS: i64 = 365 * 86_400;
/// How long verifiers may cache the status list.
const STATUS_TTL: i64 = 300;

#[derive(Debug, thiserror::Error)]
pub enum QualError {
    #[error(transparent)]
    NotAQualification(#[from] NotAQualification),
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("the request was signed more than 10 minutes ago, or in the future: sign it again")]
    Stale,
    #[error("J-LIS: {0}")]
    Jlis(#[from] AgencyError),
    #[error("J-LIS holds this person as deceased")]
    Deceased,
    #[error("no application {0}")]
    NoApplication(i64),
    #[error("application {0} was already decided")]
    Decided(i64),
    #[error("no pass of {qualification} under examination number {exam_number} for this name and birth date")]
    NoPass { qualification: String, exam_number: String },
    #[error("already registered as {0}")]
    AlreadyRegistered(String),
    #[error("no registration {0} of this person")]
    NoRegistration(i64),
    #[error("registration {0} is {1}: no credential is issued for it")]
    NotStanding(i64, String),
    #[error(transparent)]
    Credential(#[from] SdJwtError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for QualError {
    fn from(e: sqlx::Error) -> Self {
        QualError::Store(e.into())
    }
}

/// The system's tables and key, opened; its agency joins when the node starts.
pub struct Prepared {
    db: Db,
    key: IssuerKey,
}

impl Prepared {
    pub fn with(self, agency: Arc<Agency>) -> Qualifications {
        Qualifications {
            agency,
            db: self.db,
            key: self.key,
            issuer: OnceLock::new(),
            status_generation: AtomicU64::new(0),
            status_signed: Mutex::new(None),
        }
    }
}

/// The qualification system.
pub struct Qualifications {
    pub agency: Arc<Agency>,
    db: Db,
    key: IssuerKey,
    /// Its HTTPS URL: the credentials' `iss`, known once the node listens.
    pub(crate) issuer: OnceLock<String>,
    /// Bumped by every change of a registration's standing.
    status_generation: AtomicU64,
    /// The last signed status list: its generation, when it was signed, the token.
    status_signed: Mutex<Option<(u64, i64, String)>>,
}

/// A signed status list is served again for this long while nothing changed: verifiers poll
/// it, and each signing read every registration.
const STATUS_REUSE_SECS: i64 = 60;

fn squash(name: &str) -> String {
    name.chars().filter(|c| !c.is_whitespace()).collect()
}

fn today() -> String {
    myna_node::today_jst().to_string()
}

/// The message a card signed, parsed.
fn signed_message(s: &SignedInstruction) -> Result<Signed, QualError> {
    let bytes = Base64::decode_vec(&s.message)
        .map_err(|_| QualError::Invalid { field: "message", reason: "not base64".into() })?;
    let m: Signed = serde_json::from_slice(&bytes)
        .map_err(|e| QualError::Invalid { field: "message", reason: format!("not an application: {e}") })?;
    let at = match &m {
        Signed::QualificationApplication { at, .. } | Signed::QualificationCredential { at, .. } => *at,
    };
    if (myna_node::now_secs() - at).abs() > FRESH_SECS {
        return Err(QualError::Stale);
    }
    Ok(m)
}

impl Qualifications {
    /// Opens the tables and the issuing key (made on first start), before the node's agency
    /// exists; [`Prepared::with`] completes it.
    pub async fn prepare(db: Db) -> Result<Prepared, QualError> {
        db.migrate(&crate::store::SCHEMA).await?;
        let der = db
            .meta_or_init("credential_key", || {
                IssuerKey::generate().map(hex::encode).map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .await?;
        let der = hex::decode(der.trim()).map_err(|e| StoreError::Corrupt(format!("credential_key: {e}")))?;
        let key = IssuerKey::from_pkcs8("qualifications-1", &der)?;
        Ok(Prepared { db, key })
    }

    fn issuer(&self) -> &str {
        self.issuer.get().map(String::as_str).unwrap_or("https://qualifications.invalid")
    }

    /// The status list's URL.
    pub fn status_uri(&self) -> String {
        format!("{}/v1/status/1", self.issuer())
    }

    /// An examining body records a pass (the same number again changes nothing).
    pub async fn record_pass(&self, examiner: &str, p: &Pass) -> Result<(), QualError> {
        let q: Qualification = p.qualification.parse()?;
        for (field, v) in [("exam_number", &p.exam_number), ("name", &p.name), ("birth", &p.birth)] {
            if v.trim().is_empty() || v.len() > 100 {
                return Err(QualError::Invalid { field, reason: "1–100 characters".into() });
            }
        }
        sqlx::query(
            "INSERT INTO exam_passes (qualification, exam_number, name, birth, passed_on, examiner)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (qualification, exam_number) DO NOTHING",
        )
        .bind(q.id())
        .bind(p.exam_number.trim())
        .bind(p.name.trim())
        .bind(p.birth.trim())
        .bind(p.passed_on.trim())
        .bind(examiner)
        .write(&self.db)
        .await?;
        Ok(())
    }

    /// Ends (抹消・取消) or suspends (業務停止) registration `number`; the status list says so.
    pub async fn end(&self, number: i64, r: &EndRequest, clerk: &str) -> Result<(), QualError> {
        let reason = r.reason.trim();
        if reason.is_empty() {
            return Err(QualError::Invalid { field: "reason", reason: "give the reason".into() });
        }
        let status = if r.suspend { "suspended" } else { "ended" };
        self.set_status(number, status, &format!("{reason} ({clerk})")).await
    }

    /// Registration `number`, as the clerk reads it.
    pub async fn registration(&self, number: i64) -> Result<RegistrationView, QualError> {
        self.db
            .read_one(
                "SELECT number, qualification, name, kana, birth, registered_on, status, reason FROM registrations WHERE number = $1",
                &[number.into()],
                |r| {
                    Ok(RegistrationView {
                        number: r.get(0)?,
                        qualification: r.get(1)?,
                        name: r.get(2)?,
                        kana: r.get(3)?,
                        birth: r.get(4)?,
                        registered_on: r.get(5)?,
                        status: r.get(6)?,
                        reason: r.get(7)?,
                    })
                },
            )
            .await?
            .ok_or(QualError::NoRegistration(number))
    }

    /// A registration's new standing, with why.
    pub(crate) async fn set_status(&self, number: i64, status: &str, reason: &str) -> Result<(), QualError> {
        let done = sqlx::query("UPDATE registrations SET status = $1, reason = $2, changed_at = $3 WHERE number = $4")
            .bind(status)
            .bind(reason)
            .bind(myna_node::now_secs())
            .bind(number)
            .write(&self.db)
            .await?;
        if done.rows_affected() == 0 {
            return Err(QualError::NoRegistration(number));
        }
        self.status_changed();
        Ok(())
    }

    pub(crate) fn db(&self) -> &Db {
        &self.db
    }

    /// The holder's credential of registration `registration`, signed with the card (J-LIS
    /// names the signer; only the registered person gets it), bound to the key they name.
    pub async fn credential(&self, signed: SignedInstruction) -> Result<CredentialAnswer, QualError> {
        let Signed::QualificationCredential { registration, holder, .. } = signed_message(&signed)? else {
            return Err(QualError::Invalid { field: "message", reason: "not a credential request".into() });
        };
        let issued = self.agency.obtain(Enrolment::Signed(signed)).await?;
        let code = issued.code.to_string();
        type Row = (String, String, String, String, Option<String>, String, String, i64);
        let row: Option<Row> = self
            .db
            .read_one(
                "SELECT qualification, name, kana, birth, sex, registered_on, status, status_idx FROM registrations
                 WHERE number = $1 AND code = $2",
                &[registration.into(), code.as_str().into()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)),
            )
            .await?;
        let (qualification, name, kana, birth, sex, registered_on, status, idx) =
            row.ok_or(QualError::NoRegistration(registration))?;
        if status != "valid" {
            return Err(QualError::NotStanding(registration, status));
        }
        let q: Qualification = qualification.parse()?;
        let now = myna_node::now_secs();
        let mut claims = Map::new();
        for (k, v) in [
            ("iss", json!(self.issuer())),
            ("iat", json!(now)),
            ("exp", json!(now + CREDENTIAL_SECS)),
            ("vct", json!(format!("urn:myna:qualification:{}", q.id()))),
            ("qualification", json!(q.ja())),
            ("administrator", json!(q.administrator().ja())),
            ("status", json!({"status_list": {"idx": idx, "uri": self.status_uri()}})),
            ("registration_number", json!(registration.to_string())),
            ("registered_on", json!(registered_on)),
            ("name", json!(name)),
            ("name_kana", json!(kana)),
            ("birthdate", json!(birth)),
        ] {
            claims.insert(k.into(), v);
        }
        if let Some(s) = sex {
            claims.insert("sex".into(), Value::String(s));
        }
        let disclosable = ["registration_number", "registered_on", "name", "name_kana", "birthdate", "sex"];
        let credential = self.key.issue(&claims, &disclosable, &holder)?;
        sqlx::query("INSERT INTO credentials (registration, issued_at, holder) VALUES ($1, $2, $3)")
            .bind(registration)
            .bind(now)
            .bind(serde_json::to_string(&holder).unwrap_or_default())
            .write(&self.db)
            .await?;
        Ok(CredentialAnswer { credential, registration })
    }

    /// A registration was added or changed its standing: the next status list is signed anew.
    pub(crate) fn status_changed(&self) {
        self.status_generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The status list of every registration, signed (`statuslist+jwt`): the last one while
    /// nothing changed for up to a minute, else signed anew.
    pub async fn status_token(&self) -> Result<String, QualError> {
        let generation = self.status_generation.load(Ordering::SeqCst);
        let now = myna_node::now_secs();
        if let Ok(cached) = self.status_signed.lock()
            && let Some((g, at, token)) = cached.as_ref()
            && *g == generation
            && now - at < STATUS_REUSE_SECS
        {
            return Ok(token.clone());
        }
        let rows: Vec<(i64, String)> =
            self.db.read("SELECT status_idx, status FROM registrations", &[], |r| Ok((r.get(0)?, r.get(1)?))).await?;
        let mut list = StatusList::new(rows.len().max(1024) as u64);
        for (idx, status) in rows {
            let s = match status.as_str() {
                "valid" => Status::Valid,
                "suspended" => Status::Suspended,
                _ => Status::Invalid,
            };
            list.set(idx as u64, s);
        }
        let token = list
            .token(&self.key, &self.status_uri(), now, STATUS_TTL)
            .map_err(|e| QualError::Invalid { field: "status", reason: e.to_string() })?;
        if let Ok(mut cached) = self.status_signed.lock() {
            *cached = Some((generation, now, token.clone()));
        }
        Ok(token)
    }

    /// The issuer's metadata (SD-JWT VC `/.well-known/jwt-vc-issuer`): its keys.
    pub fn metadata(&self) -> Result<Value, QualError> {
        let mut jwk = serde_json::to_value(self.key.jwk()?).unwrap_or_default();
        if let Some(o) = jwk.as_object_mut() {
            o.insert("kid".into(), self.key.kid().into());
            o.insert("alg".into(), "ES256".into());
            o.insert("use".into(), "sig".into());
        }
        Ok(json!({"issuer": self.issuer(), "jwks": {"keys": [jwk]}}))
    }
}
