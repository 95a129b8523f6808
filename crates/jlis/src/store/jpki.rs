//! J-LIS's card and certificate records: applications, issued cards, every certificate with
//! its revocation, registered verifiers and holders' consents.

use myna_pki::{CertKind, Reason, Serial, Status};
use myna_store::WriteQuery as _;
use sqlx::{Row, any::AnyRow};

use myna_store::{Db, StoreError};

/// Where a card is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardStatus {
    /// Applied for (交付申請); the municipality has not issued it yet.
    Applied,
    Issued,
    /// Reported lost: certificates on hold (一時停止).
    Suspended,
    /// Returned, replaced, or the holder died.
    Ended,
}

impl CardStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CardStatus::Applied => "applied",
            CardStatus::Issued => "issued",
            CardStatus::Suspended => "suspended",
            CardStatus::Ended => "ended",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "applied" => CardStatus::Applied,
            "issued" => CardStatus::Issued,
            "suspended" => CardStatus::Suspended,
            "ended" => CardStatus::Ended,
            other => return Err(StoreError::Corrupt(format!("card status {other:?}"))),
        })
    }
}

#[derive(Debug, Clone)]
pub struct CardRow {
    pub number: u64,
    pub resident: u64,
    pub status: CardStatus,
    pub applied_at: i64,
    pub status_at: i64,
    pub expires: Option<String>,
    pub reset_key: Option<String>,
    /// Who last changed the status (a municipality, the hotline's operator, the holder).
    pub status_by: Option<String>,
}

#[derive(Debug, Clone)]
pub struct CertRow {
    pub serial: Serial,
    pub card: u64,
    pub kind: CertKind,
    pub not_after: i64,
    pub revoked: Option<(i64, Reason)>,
    /// Base64 DER.
    pub der: String,
}

impl CertRow {
    /// Its revocation status as J-LIS knows it.
    pub fn status(&self) -> Status {
        match self.revoked {
            Some((at, reason)) => Status::Revoked { at, reason },
            None => Status::Good,
        }
    }
}

/// A certificate to record at issuance.
pub struct NewCert {
    pub serial: Serial,
    pub kind: CertKind,
    pub not_after: i64,
    pub der: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CardError {
    #[error("no card numbered {0:012}")]
    NoSuchCard(u64),
    #[error("card {number:012} is {status}, so it cannot be {wanted}")]
    WrongState { number: u64, status: &'static str, wanted: &'static str },
    #[error("resident {0:011} already holds card {1:012}; report it lost or return it before applying again")]
    AlreadyHolds(u64, u64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for CardError {
    fn from(e: sqlx::Error) -> Self {
        CardError::Store(StoreError::from(e))
    }
}

pub struct JpkiStore {
    db: Db,
}

fn kind_str(k: CertKind) -> &'static str {
    k.slug()
}

fn card_row(r: &AnyRow) -> Result<CardRow, StoreError> {
    Ok(CardRow {
        number: r.try_get::<i64, _>(0)? as u64,
        resident: r.try_get::<i64, _>(1)? as u64,
        status: CardStatus::parse(&r.try_get::<String, _>(2)?)?,
        applied_at: r.try_get(3)?,
        status_at: r.try_get(4)?,
        expires: r.try_get(5)?,
        reset_key: r.try_get(6)?,
        status_by: r.try_get(7)?,
    })
}

fn cert_row(r: &AnyRow) -> Result<CertRow, StoreError> {
    let kind: String = r.try_get(2)?;
    let revoked_at: Option<i64> = r.try_get(4)?;
    let reason: Option<String> = r.try_get(5)?;
    let revoked = match (revoked_at, reason) {
        (Some(at), Some(reason)) => {
            Some((at, Reason::from_slug(&reason).ok_or_else(|| StoreError::Corrupt(format!("reason {reason:?}")))?))
        }
        _ => None,
    };
    Ok(CertRow {
        serial: Serial::new(r.try_get::<i64, _>(0)? as u64).ok_or_else(|| StoreError::Corrupt("serial".into()))?,
        card: r.try_get::<i64, _>(1)? as u64,
        kind: CertKind::from_slug(&kind).ok_or_else(|| StoreError::Corrupt(format!("kind {kind:?}")))?,
        not_after: r.try_get(3)?,
        revoked,
        der: r.try_get(6)?,
    })
}

const GENERATION: &str = "revocation_generation";

async fn bump_generation(tx: &mut myna_store::WriteTx) -> Result<(), StoreError> {
    tx.reserve(GENERATION, 1).await.map(|_| ())
}

async fn insert_certificates(tx: &mut myna_store::WriteTx, card: u64, certs: &[NewCert]) -> Result<(), StoreError> {
    for c in certs {
        sqlx::query("INSERT INTO certificates (serial, card, kind, not_after, der) VALUES ($1, $2, $3, $4, $5)")
            .bind(c.serial.value() as i64)
            .bind(card as i64)
            .bind(kind_str(c.kind))
            .bind(c.not_after)
            .bind(&c.der)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

const CARD_COLUMNS: &str = "number, resident, status, applied_at, status_at, expires, reset_key, status_by";
const CERT_COLUMNS: &str = "serial, card, kind, not_after, revoked_at, reason, der";

impl JpkiStore {
    /// JPKI's tables in `db`, migrated.
    pub async fn open(db: Db) -> Result<Self, StoreError> {
        db.migrate(&super::JPKI).await?;
        Ok(Self { db })
    }

    /// A value kept in `meta` (the authority's keys), or `init()` stored on first use.
    pub async fn meta_or_init(
        &self,
        key: &str,
        init: impl FnOnce() -> Result<String, StoreError>,
    ) -> Result<String, StoreError> {
        self.db.meta_or_init(key, init).await
    }

    /// Reserves `n` values of a counter (serials, card numbers); returns the first.
    pub async fn reserve(&self, name: &str, n: u64) -> Result<u64, StoreError> {
        let mut tx = self.db.begin().await?;
        let first = tx.reserve(name, n).await? + 1;
        tx.commit().await?;
        Ok(first)
    }

    /// Records an application; refused while the resident holds a card that has not ended.
    pub async fn apply(&self, resident: u64, now: i64) -> Result<CardRow, CardError> {
        let held = sqlx::query("SELECT number FROM cards WHERE resident = $1 AND status <> 'ended'")
            .bind(resident as i64)
            .fetch_optional(&self.db.pool)
            .await?;
        if let Some(r) = held {
            return Err(CardError::AlreadyHolds(resident, r.try_get::<i64, _>(0)? as u64));
        }
        // Card numbers: 12 digits, counted from 100000000000 so they always have 12.
        let number = 100_000_000_000 + self.reserve("card_number", 1).await?;
        sqlx::query(
            "INSERT INTO cards (number, resident, status, applied_at, status_at) VALUES ($1, $2, 'applied', $3, $3)",
        )
        .bind(number as i64)
        .bind(resident as i64)
        .bind(now)
        .write(&self.db)
        .await?;
        Ok(CardRow {
            number,
            resident,
            status: CardStatus::Applied,
            applied_at: now,
            status_at: now,
            expires: None,
            reset_key: None,
            status_by: None,
        })
    }

    pub async fn card(&self, number: u64) -> Result<CardRow, CardError> {
        let r = sqlx::query(&format!("SELECT {CARD_COLUMNS} FROM cards WHERE number = $1"))
            .bind(number as i64)
            .fetch_optional(&self.db.pool)
            .await?
            .ok_or(CardError::NoSuchCard(number))?;
        Ok(card_row(&r)?)
    }

    /// Cards of a resident, newest first.
    pub async fn cards_of(&self, resident: u64) -> Result<Vec<CardRow>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {CARD_COLUMNS} FROM cards WHERE resident = $1 ORDER BY number DESC"))
            .bind(resident as i64)
            .fetch_all(&self.db.pool)
            .await?;
        rows.iter().map(card_row).collect()
    }

    /// Issues an applied card with its certificates, in one transaction.
    pub async fn issue(
        &self,
        number: u64,
        certs: &[NewCert],
        expires: &str,
        reset_key: &str,
        now: i64,
    ) -> Result<(), CardError> {
        let mut tx = self.db.begin().await?;
        let done = sqlx::query(
            "UPDATE cards SET status = 'issued', status_at = $1, expires = $2, reset_key = $3 WHERE number = $4 AND status = 'applied'",
        )
        .bind(now)
        .bind(expires)
        .bind(reset_key)
        .bind(number as i64)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            drop(tx);
            let card = self.card(number).await?;
            return Err(CardError::WrongState { number, status: card.status.as_str(), wanted: "issued" });
        }
        insert_certificates(&mut tx, number, certs).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds certificates to an issued card (a signing certificate reissued after a move).
    pub async fn add_certificates(&self, number: u64, certs: &[NewCert]) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        insert_certificates(&mut tx, number, certs).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a card's status, revoking its certificates of `kinds` that are not yet revoked
    /// (and, when lifting a suspension, taking the hold off). Returns the serials changed.
    pub async fn set_status(
        &self,
        (number, by): (u64, &str),
        from: &[CardStatus],
        to: CardStatus,
        revoke: Option<Reason>,
        now: i64,
    ) -> Result<Vec<Serial>, CardError> {
        let card = self.card(number).await?;
        if !from.contains(&card.status) {
            return Err(CardError::WrongState { number, status: card.status.as_str(), wanted: to.as_str() });
        }
        let mut tx = self.db.begin().await?;
        sqlx::query("UPDATE cards SET status = $1, status_at = $2, status_by = $4 WHERE number = $3")
            .bind(to.as_str())
            .bind(now)
            .bind(number as i64)
            .bind(by)
            .execute(&mut *tx)
            .await?;
        let changed = match revoke {
            Some(reason) => sqlx::query(
                "UPDATE certificates SET revoked_at = $1, reason = $2 WHERE card = $3 AND (revoked_at IS NULL OR reason = 'suspended') RETURNING serial",
            )
            .bind(now)
            .bind(reason.slug())
            .bind(number as i64)
            .fetch_all(&mut *tx)
            .await?,
            // Found again: the hold is lifted (removeFromCRL: the entry just leaves the list).
            None => sqlx::query(
                "UPDATE certificates SET revoked_at = NULL, reason = NULL WHERE card = $1 AND reason = 'suspended' RETURNING serial",
            )
            .bind(number as i64)
            .fetch_all(&mut *tx)
            .await?,
        };
        if !changed.is_empty() {
            bump_generation(&mut tx).await?;
        }
        tx.commit().await?;
        changed
            .iter()
            .map(|r| {
                Serial::new(r.try_get::<i64, _>(0)? as u64).ok_or_else(|| StoreError::Corrupt("serial".into()).into())
            })
            .collect()
    }

    /// Revokes the resident's good certificates of `kind` (a name or address change revokes the
    /// signing certificate). Returns the serials revoked.
    pub async fn revoke_kind_for_resident(
        &self,
        resident: u64,
        kind: CertKind,
        reason: Reason,
        now: i64,
    ) -> Result<Vec<Serial>, StoreError> {
        let mut tx = self.db.begin().await?;
        let rows = sqlx::query(
            "UPDATE certificates SET revoked_at = $1, reason = $2
             WHERE kind = $3 AND revoked_at IS NULL AND card IN (SELECT number FROM cards WHERE resident = $4)
             RETURNING serial",
        )
        .bind(now)
        .bind(reason.slug())
        .bind(kind_str(kind))
        .bind(resident as i64)
        .fetch_all(&mut *tx)
        .await?;
        if !rows.is_empty() {
            bump_generation(&mut tx).await?;
        }
        tx.commit().await?;
        rows.iter()
            .map(|r| Serial::new(r.try_get::<i64, _>(0)? as u64).ok_or_else(|| StoreError::Corrupt("serial".into())))
            .collect()
    }

    pub async fn certificate(&self, serial: Serial) -> Result<Option<CertRow>, StoreError> {
        let r = sqlx::query(&format!("SELECT {CERT_COLUMNS} FROM certificates WHERE serial = $1"))
            .bind(serial.value() as i64)
            .fetch_optional(&self.db.pool)
            .await?;
        r.as_ref().map(cert_row).transpose()
    }

    pub async fn certificates_of_card(&self, number: u64) -> Result<Vec<CertRow>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {CERT_COLUMNS} FROM certificates WHERE card = $1 ORDER BY serial"))
            .bind(number as i64)
            .fetch_all(&self.db.pool)
            .await?;
        rows.iter().map(cert_row).collect()
    }

    /// Revoked certificates of `kind` that have not expired yet (what a CRL must list).
    pub async fn revoked(&self, kind: CertKind, now: i64) -> Result<Vec<(Serial, i64, Reason)>, StoreError> {
        let rows = sqlx::query(
            "SELECT serial, revoked_at, reason FROM certificates WHERE kind = $1 AND revoked_at IS NOT NULL AND not_after >= $2 ORDER BY serial",
        )
        .bind(kind_str(kind))
        .bind(now)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let serial =
                    Serial::new(r.try_get::<i64, _>(0)? as u64).ok_or_else(|| StoreError::Corrupt("serial".into()))?;
                let reason: String = r.try_get(2)?;
                let reason =
                    Reason::from_slug(&reason).ok_or_else(|| StoreError::Corrupt(format!("reason {reason:?}")))?;
                Ok((serial, r.try_get(1)?, reason))
            })
            .collect()
    }

    /// A number bumped in the same transaction as every change of a certificate's status, so a
    /// published CRL is current exactly while this has not moved.
    pub async fn revocation_generation(&self) -> Result<i64, StoreError> {
        let r = sqlx::query("SELECT value FROM counters WHERE name = $1")
            .bind(GENERATION)
            .fetch_optional(&self.db.pool)
            .await?;
        Ok(r.map(|r| r.try_get(0)).transpose()?.unwrap_or(0))
    }

    // ---- verifiers and consents ----

    pub async fn register_verifier(
        &self,
        id: &str,
        name: &str,
        token_hash: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query("INSERT INTO verifiers (id, name, token_hash, registered_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING")
            .bind(id)
            .bind(name)
            .bind(token_hash)
            .bind(now)
            .write(&self.db)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// The verifier's name if `token_hash` is its token's.
    pub async fn verifier(&self, id: &str) -> Result<Option<(String, String)>, StoreError> {
        let r = sqlx::query("SELECT name, token_hash FROM verifiers WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await?;
        r.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
    }

    pub async fn set_consent(&self, verifier: &str, resident: u64, granted: bool, now: i64) -> Result<(), StoreError> {
        if granted {
            sqlx::query(
                "INSERT INTO consents (verifier, resident, granted_at) VALUES ($1, $2, $3)
                 ON CONFLICT (verifier, resident) DO UPDATE SET granted_at = $3, withdrawn_at = NULL",
            )
            .bind(verifier)
            .bind(resident as i64)
            .bind(now)
            .write(&self.db)
            .await?;
        } else {
            sqlx::query(
                "UPDATE consents SET withdrawn_at = $1 WHERE verifier = $2 AND resident = $3 AND withdrawn_at IS NULL",
            )
            .bind(now)
            .bind(verifier)
            .bind(resident as i64)
            .write(&self.db)
            .await?;
        }
        Ok(())
    }

    pub async fn has_consent(&self, verifier: &str, resident: u64) -> Result<bool, StoreError> {
        let r = sqlx::query("SELECT 1 FROM consents WHERE verifier = $1 AND resident = $2 AND withdrawn_at IS NULL")
            .bind(verifier)
            .bind(resident as i64)
            .fetch_optional(&self.db.pool)
            .await?;
        Ok(r.is_some())
    }
}
