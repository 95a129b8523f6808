//! A document's standing after it is issued: withdrawn (logged at J-LIS first), checked at the
//! issuer (signature, log receipt, ledger), and the J-LIS issuance log it is kept in.

use myna_issuance::{
    KeyList, LogKey,
    log::{Event, Leaf, Receipt},
};
use myna_linkage::agency::Agency;
use myna_store::{StoreError, WriteQuery as _};

use super::{Counter, CounterError, Standing};

impl Counter {
    /// Withdraws a document issued here (issued by mistake, or to the wrong person): it stays
    /// in the ledger, and every check at the issuer says it was withdrawn, when and why.
    /// The withdrawal is logged in J-LIS's log first, so the public record never says less
    /// than the ledger.
    pub async fn withdraw(&self, agency: &Agency, serial: &str, reason: &str, clerk: &str) -> Result<(), CounterError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(CounterError::NoReason);
        }
        let code: String = self
            .db
            .read_one("SELECT code FROM issued_documents WHERE serial = $1", &[serial.into()], |r| r.get(0))
            .await?
            .ok_or_else(|| CounterError::NoSuchDocument(serial.to_string()))?;
        let now = myna_node::now_secs();
        let leaf = Leaf {
            event: Event::Withdrawn,
            issuer: self.issuer.code.clone(),
            serial: serial.to_string(),
            at: now,
            digest: myna_issuance::log::digest_of(&code),
        };
        self.log(agency, leaf).await?;
        let done = sqlx::query(
            "UPDATE issued_documents SET withdrawn_at = $1, withdrawn_by = $2, withdrawn_reason = $3
             WHERE serial = $4 AND withdrawn_at IS NULL",
        )
        .bind(now)
        .bind(clerk)
        .bind(reason)
        .bind(serial)
        .write(&self.db)
        .await?;
        if done.rows_affected() == 0 && self.withdrawn(serial).await?.is_none() {
            return Err(CounterError::NoSuchDocument(serial.to_string()));
        }
        Ok(())
    }

    /// `Some(Some((at, reason)))` when withdrawn, `Some(None)` when issued and standing,
    /// `None` when not in the ledger.
    async fn withdrawn(&self, serial: &str) -> Result<Option<Option<(i64, String)>>, StoreError> {
        let row = self
            .db
            .read_one(
                "SELECT withdrawn_at, withdrawn_reason FROM issued_documents WHERE serial = $1",
                &[serial.into()],
                |r| Ok((r.get::<Option<i64>>(0)?, r.get::<Option<String>>(1)?)),
            )
            .await?;
        Ok(row.map(|(at, reason)| at.map(|at| (at, reason.unwrap_or_default()))))
    }

    /// The issuer's check of a document, from its PDF, a photo of its code or the code's
    /// text: the signature with this municipality's key, the log's receipt the PDF carries
    /// (J-LIS's key), then its ledger (withdrawn or not).
    pub async fn check(&self, agency: &Agency, upload: &[u8]) -> Result<Standing, CounterError> {
        // Read once (a photo's QR code is decoded here); J-LIS's log key only when a receipt came.
        let (code, receipt) = match myna_issuance::verify::read(upload) {
            Ok(r) => r,
            Err(e) => return Ok(Standing::Refused(e.to_string())),
        };
        let log = match &receipt {
            Some(_) => {
                Some(LogKey { origin: myna_issuance::log::ORIGIN.into(), vkey: self.log_key(agency).await?.into() })
            }
            None => None,
        };
        let checked = match myna_issuance::verify::check_read(code, receipt.as_ref(), &self.keys, log.as_ref()) {
            Ok(c) => c,
            Err(e) => return Ok(Standing::Refused(e.to_string())),
        };
        Ok(match self.withdrawn(&checked.document.serial).await? {
            None => Standing::Refused(format!(
                "signed with this municipality's key, but {} is not in its ledger of issued documents",
                checked.document.serial
            )),
            Some(None) => Standing::Valid(checked),
            Some(Some((at, reason))) => Standing::Withdrawn { document: checked.document, at, reason },
        })
    }

    /// Logs `leaf` in J-LIS's transparency log; the receipt once it is durable there.
    pub(super) async fn log(&self, agency: &Agency, leaf: Leaf) -> Result<Receipt, CounterError> {
        let body = myna_jlis::issuance_log::IssuanceSubmission {
            event: leaf.event,
            serial: leaf.serial,
            at: leaf.at,
            digest: leaf.digest,
        };
        myna_node::post_json(agency.client(), &format!("{}/v1/issuances", agency.jlis_url()), &body)
            .await
            .map_err(|e| CounterError::Log(e.to_string()))
    }

    /// J-LIS's issuance log key, asked of J-LIS the first time it is needed.
    async fn log_key(&self, agency: &Agency) -> Result<&str, CounterError> {
        if let Some(k) = self.log_key.get() {
            return Ok(k);
        }
        let url = format!("{}/v1/issuers/keys", agency.jlis_url());
        let list: KeyList =
            myna_node::get_json(agency.client(), &url).await.map_err(|e| CounterError::Log(e.to_string()))?;
        let vkey = list.log.ok_or_else(|| CounterError::Log("J-LIS publishes no issuance log key".into()))?.vkey;
        Ok(self.log_key.get_or_init(|| vkey))
    }
}
