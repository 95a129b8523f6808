//! 窓口交付 on the municipality's office system (issue 21, the counter): a clerk issues a
//! 住民票の写し or 住民票記載事項証明書 of a resident of this municipality, produced from the
//! register as J-LIS holds it, signed with the municipality's document key (its code carried
//! as a QR code), recorded in the municipality's ledger of issued documents before the PDF is
//! handed out. The municipality's public key is published (`GET /v1/documents/keys`) so that
//! anyone can check a document offline (`myna doc verify`).
//!
//! Not built yet: the kiosk and J-LIS's issuance centre, 印鑑登録証明書, 課税・所得証明書 and
//! 戸籍の附票 (this counter does not offer them, and says so), withdrawal and the
//! transparency log of issuances.

use myna_issuance::{
    Channel, DocKind, Document, Issuer, IssuerKey, KeyList, Line, Offering, Options, Person, PublishedKey, Refusal,
};
use myna_jlis::ResidentView;
use myna_linkage::agency::Agency;
use myna_store::{Db, Migration, Schema, StoreError};

pub const SCHEMA: Schema = Schema {
    role: "certificates",
    migrations: &[Migration {
        version: 1,
        name: "documents issued",
        steps: &[
            "CREATE TABLE issued_documents (
            serial TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            resident TEXT NOT NULL,
            issued_at BIGINT NOT NULL,
            channel TEXT NOT NULL,
            issued_by TEXT NOT NULL,
            code TEXT NOT NULL
        )",
            "CREATE INDEX issued_documents_resident ON issued_documents (resident, issued_at)",
        ],
    }],
};

#[derive(Debug, thiserror::Error)]
pub enum CounterError {
    #[error("{0}")]
    Refused(#[from] Refusal),
    #[error("住民票コード {0} の住民はこの市区町村に住民登録がありません / no resident {0} is registered here")]
    NotHere(String),
    #[error("J-LIS: {0}")]
    Jlis(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the document could not be made: {0}")]
    Make(String),
}

/// A document issued: what was printed, and the PDF.
pub struct Issued {
    pub document: Document,
    pub pdf: Vec<u8>,
}

/// The municipality's certificate service.
pub struct Counter {
    db: Db,
    key: IssuerKey,
    issuer: Issuer,
    pub offering: Offering,
}

impl Counter {
    /// Opens the ledger and the municipality's document key (made on first start).
    pub async fn open(db: Db, agency: &Agency) -> Result<Self, CounterError> {
        db.migrate(&SCHEMA).await?;
        let code = agency.id.as_str().rsplit(':').next().unwrap_or_default().to_string();
        let der = db
            .meta_or_init("document_key", || {
                IssuerKey::generate().map(hex::encode).map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .await?;
        let der = hex::decode(der.trim()).map_err(|e| StoreError::Corrupt(format!("document_key: {e}")))?;
        let key = IssuerKey::from_pkcs8(&code, &der).map_err(|e| CounterError::Make(e.to_string()))?;
        let mut offering = Offering::standard();
        // What this counter can produce from the register today.
        offering.documents.retain(|d| matches!(d.kind, DocKind::ResidentCopy | DocKind::ResidentItems));
        Ok(Self { db, key, issuer: Issuer { code, name: format!("{}長", agency.name()) }, offering })
    }

    /// The municipality's public key, as `myna doc verify --keys` reads it.
    pub fn keys(&self) -> KeyList {
        KeyList {
            issuers: vec![PublishedKey {
                kid: self.issuer.code.clone(),
                name: self.issuer.name.clone(),
                public: hex::encode(self.key.public()),
            }],
        }
    }

    /// Issues `kind` for the resident `resident` (住民票コード) at the counter, by `clerk`.
    pub async fn issue(
        &self,
        agency: &Agency,
        resident: &str,
        kind: DocKind,
        options: Options,
        clerk: &str,
    ) -> Result<Issued, CounterError> {
        self.offering.counter_fee(kind, &options)?;
        let url = format!("{}/v1/residents/{resident}", agency.jlis_url());
        let subject: ResidentView = myna_node::get_json(agency.client(), &url).await.map_err(|e| match e {
            myna_node::CallError::Refused { status: 404 | 403, .. } => CounterError::NotHere(resident.to_string()),
            e => CounterError::Jlis(e.to_string()),
        })?;
        if subject.status != "resident" {
            return Err(CounterError::NotHere(resident.to_string()));
        }
        let members = if options.household && kind == DocKind::ResidentCopy {
            let url = format!("{}/v1/households/{}", agency.jlis_url(), subject.household);
            myna_node::get_json::<Vec<ResidentView>>(agency.client(), &url)
                .await
                .map_err(|e| CounterError::Jlis(e.to_string()))?
                .into_iter()
                .filter(|m| m.status == "resident" && m.code != subject.code)
                .collect()
        } else {
            Vec::new()
        };
        let now = myna_node::now_secs();
        let mut tx = self.db.begin().await?;
        let n = tx.reserve("document_serial", 1).await? + 1;
        let day = time::OffsetDateTime::from_unix_timestamp(now)
            .map(|t| t.to_offset(time::UtcOffset::from_hms(9, 0, 0).unwrap_or(time::UtcOffset::UTC)).date())
            .map_err(|e| CounterError::Make(e.to_string()))?;
        let serial =
            format!("{}-{:04}{:02}{:02}-{n:06}", self.issuer.code, day.year(), u8::from(day.month()), day.day());
        let person = |r: &ResidentView| Person {
            name: r.name.clone(),
            kana: Some(r.kana.clone()),
            birth: r.birth.clone(),
            sex: r.sex.clone(),
            relationship: options.relationship.then(|| r.relationship_ja.clone()),
            number: if options.number { r.number.clone() } else { None },
        };
        let mut people = vec![person(&subject)];
        people.extend(members.iter().map(person));
        let document = Document {
            serial: serial.clone(),
            kind,
            issuer: self.issuer.clone(),
            issued_at: now,
            channel: Channel::Counter(clerk.to_string()),
            people,
            lines: vec![Line { label: "住所".into(), value: subject.address.clone() }],
        };
        let code = self.key.sign(&document).map_err(|e| CounterError::Make(e.to_string()))?;
        let pdf = myna_issuance::pdf::render(&document, &code).map_err(|e| CounterError::Make(e.to_string()))?;
        sqlx::query(
            "INSERT INTO issued_documents (serial, kind, resident, issued_at, channel, issued_by, code)
             VALUES ($1, $2, $3, $4, 'counter', $5, $6)",
        )
        .bind(&serial)
        .bind(kind.id())
        .bind(&subject.code)
        .bind(now)
        .bind(clerk)
        .bind(&code)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        // The document exists once the ledger says so; only then is it handed out.
        tx.commit().await?;
        Ok(Issued { document, pdf })
    }

    /// Documents issued for a resident, newest first: (serial, kind, issued_at, channel).
    pub async fn issued_for(&self, resident: &str) -> Result<Vec<(String, String, i64, String)>, StoreError> {
        self.db
            .read(
                "SELECT serial, kind, issued_at, channel FROM issued_documents WHERE resident = $1
                 ORDER BY issued_at DESC, serial DESC",
                &[resident.into()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .await
    }
}
