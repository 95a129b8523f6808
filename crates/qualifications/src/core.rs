//! The qualification system's work: passes recorded, applications taken with J-LIS's naming
//! of the signer, registrations made against the pass, credentials issued to the holder's
//! key, and the status list published.

use std::sync::{Arc, OnceLock};

use base64ct::{Base64, Encoding as _};
use myna_credential::{
    IssuerKey, Qualification, Status, StatusList, qualification::NotAQualification, sdjwt::SdJwtError,
};
use myna_link::{Enrolment, SignedInstruction};
use myna_linkage::agency::{Agency, AgencyError};
use myna_store::{Db, StoreError, WriteQuery as _};
use serde_json::{Map, Value, json};

use crate::api::{ApplicationView, CredentialAnswer, EndRequest, Pass, Registered, RegistrationView, Signed};

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

/// Who an application is from, as this system keeps them (not in the clerk's list).
struct Applicant {
    code: String,
    number: String,
}

/// The system's tables and key, opened; its agency joins when the node starts.
pub struct Prepared {
    db: Db,
    key: IssuerKey,
}

impl Prepared {
    pub fn with(self, agency: Arc<Agency>) -> Qualifications {
        Qualifications { agency, db: self.db, key: self.key, issuer: OnceLock::new() }
    }
}

/// The qualification system.
pub struct Qualifications {
    pub agency: Arc<Agency>,
    db: Db,
    key: IssuerKey,
    /// Its HTTPS URL: the credentials' `iss`, known once the node listens.
    pub(crate) issuer: OnceLock<String>,
}

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

    /// A person's application, signed with the card: J-LIS names the signer and gives their
    /// 本人確認情報, which the clerk sees instead of 戸籍抄本 and 住民票.
    pub async fn apply(&self, signed: SignedInstruction) -> Result<ApplicationView, QualError> {
        let Signed::QualificationApplication { qualification, exam_number, .. } = signed_message(&signed)? else {
            return Err(QualError::Invalid { field: "message", reason: "not an application".into() });
        };
        let q: Qualification = qualification.parse()?;
        let issued = self.agency.obtain(Enrolment::Signed(signed)).await?;
        let who = issued
            .identity
            .ok_or_else(|| QualError::Invalid {
                field: "identity", reason: "J-LIS gave no 本人確認情報".into()
            })?;
        if who.deceased {
            return Err(QualError::Deceased);
        }
        let code = issued.code.to_string();
        if self.agency.store.person_of(&code).await?.is_none() {
            self.agency.store.enrol(&code, &code, myna_node::now_secs()).await?;
        }
        let row = sqlx::query(
            "INSERT INTO applications (qualification, exam_number, code, person_number, name, kana, birth, sex, address, received_at, status)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending') RETURNING id",
        )
        .bind(q.id())
        .bind(exam_number.trim())
        .bind(&code)
        .bind(&who.number)
        .bind(&who.name)
        .bind(&who.kana)
        .bind(&who.birth)
        .bind(&who.sex)
        .bind(&who.address)
        .bind(myna_node::now_secs())
        .fetch_one(&self.db.pool)
        .await?;
        let id: i64 = sqlx::Row::try_get(&row, 0)?;
        self.application(id).await?.ok_or(QualError::NoApplication(id))
    }

    async fn pass_found(&self, q: &str, exam_number: &str, name: &str, birth: &str) -> Result<bool, QualError> {
        let pass: Option<(String, String)> = self
            .db
            .read_one(
                "SELECT name, birth FROM exam_passes WHERE qualification = $1 AND exam_number = $2",
                &[q.into(), exam_number.into()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .await?;
        Ok(pass.is_some_and(|(n, b)| squash(&n) == squash(name) && b == birth))
    }

    const APP: &'static str = "SELECT id, qualification, exam_number, name, kana, birth, sex, address, received_at, status, code, person_number FROM applications";

    async fn views(&self, rows: Vec<(ApplicationView, Applicant)>) -> Result<Vec<ApplicationView>, QualError> {
        let mut out = Vec::with_capacity(rows.len());
        for (mut v, _) in rows {
            v.pass_found = self.pass_found(&v.qualification, &v.exam_number, &v.name, &v.birth).await?;
            out.push(v);
        }
        Ok(out)
    }

    async fn rows(
        &self,
        sql: &str,
        params: &[myna_store::Val<'_>],
    ) -> Result<Vec<(ApplicationView, Applicant)>, QualError> {
        Ok(self
            .db
            .read(sql, params, |r| {
                let qualification: String = r.get(1)?;
                let ja = qualification.parse::<Qualification>().map(|q| q.ja().to_string()).unwrap_or_default();
                Ok((
                    ApplicationView {
                        id: r.get(0)?,
                        qualification,
                        qualification_ja: ja,
                        exam_number: r.get(2)?,
                        name: r.get(3)?,
                        kana: r.get(4)?,
                        birth: r.get(5)?,
                        sex: r.get(6)?,
                        address: r.get(7)?,
                        received_at: r.get(8)?,
                        status: r.get(9)?,
                        pass_found: false,
                    },
                    Applicant { code: r.get(10)?, number: r.get(11)? },
                ))
            })
            .await?)
    }

    pub async fn application(&self, id: i64) -> Result<Option<ApplicationView>, QualError> {
        let rows = self.rows(&format!("{} WHERE id = $1", Self::APP), &[id.into()]).await?;
        Ok(self.views(rows).await?.into_iter().next())
    }

    /// Applications waiting for the clerk, oldest first.
    pub async fn pending(&self) -> Result<Vec<ApplicationView>, QualError> {
        let rows = self.rows(&format!("{} WHERE status = 'pending' ORDER BY id", Self::APP), &[]).await?;
        self.views(rows).await
    }

    /// The clerk registers application `id`: the examining body's pass must name this person.
    pub async fn register(&self, id: i64, clerk: &str) -> Result<Registered, QualError> {
        let rows = self.rows(&format!("{} WHERE id = $1", Self::APP), &[id.into()]).await?;
        let (app, who) = rows.into_iter().next().ok_or(QualError::NoApplication(id))?;
        if app.status != "pending" {
            return Err(QualError::Decided(id));
        }
        if !self.pass_found(&app.qualification, &app.exam_number, &app.name, &app.birth).await? {
            return Err(QualError::NoPass { qualification: app.qualification_ja, exam_number: app.exam_number });
        }
        let mut tx = self.db.begin().await?;
        let number = tx.reserve("registration_number", 1).await? as i64 + 1;
        let idx = tx.reserve("status_index", 1).await? as i64;
        let on = today();
        let inserted = sqlx::query(
            "INSERT INTO registrations (number, qualification, code, person_number, name, kana, birth, sex, address, exam_number, registered_on, registered_by, status, status_idx)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'valid', $13)",
        )
        .bind(number)
        .bind(&app.qualification)
        .bind(&who.code)
        .bind(&who.number)
        .bind(&app.name)
        .bind(&app.kana)
        .bind(&app.birth)
        .bind(&app.sex)
        .bind(&app.address)
        .bind(&app.exam_number)
        .bind(&on)
        .bind(clerk)
        .bind(idx)
        .execute(&mut *tx)
        .await;
        if inserted.is_err() {
            return Err(QualError::AlreadyRegistered(app.qualification_ja));
        }
        sqlx::query("UPDATE applications SET status = 'registered' WHERE id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(Registered { number, qualification: app.qualification, registered_on: on })
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

    /// The status list of every registration, signed (`statuslist+jwt`).
    pub async fn status_token(&self) -> Result<String, QualError> {
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
        list.token(&self.key, &self.status_uri(), myna_node::now_secs(), STATUS_TTL)
            .map_err(|e| QualError::Invalid { field: "status", reason: e.to_string() })
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
