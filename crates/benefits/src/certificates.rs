//! The municipality's certificate server (issue 21): at the counter (窓口交付, a clerk) or
//! for a store's kiosk through J-LIS's issuance centre (コンビニ交付), it issues a 住民票の写し,
//! 住民票記載事項証明書 or 課税・所得証明書 of a resident of this municipality, produced from the
//! register as J-LIS holds it and from its own tax record, signed with the municipality's
//! document key (its code carried as a QR code). Each issuance is logged in J-LIS's
//! transparency log (存在証明) and recorded in the municipality's ledger before the PDF, with
//! the log's receipt in it, is handed out; a withdrawal is logged too. The municipality's
//! public key is published (`GET /v1/documents/keys`, and with every other's at J-LIS) so that
//! anyone can check a document offline (`myna doc verify`).
//!
//! It keeps the seal register too (`seals.rs`) and issues 印鑑登録証明書 from it. Not built:
//! 戸籍の附票 (there is no family register); this server does not offer it, and its offering
//! says so.

use myna_issuance::{
    Channel, DocKind, Document, Issuer, IssuerKey, KeyList, Line, Offering, Options, Person, PublishedKey, Refusal,
    log::Leaf,
};
use myna_jlis::ResidentView;
use myna_linkage::agency::Agency;
use myna_store::{Db, Migration, Schema, StoreError, WriteQuery as _};

mod standing;

pub const SCHEMA: Schema = Schema {
    role: "certificates",
    migrations: &[
        Migration {
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
        },
        Migration {
            version: 2,
            name: "documents withdrawn",
            steps: &[
                "ALTER TABLE issued_documents ADD COLUMN withdrawn_at BIGINT",
                "ALTER TABLE issued_documents ADD COLUMN withdrawn_by TEXT",
                "ALTER TABLE issued_documents ADD COLUMN withdrawn_reason TEXT",
            ],
        },
        Migration {
            version: 3,
            name: "documents in J-LIS's issuance log",
            // The entry's index in J-LIS's transparency log (none before the log).
            steps: &["ALTER TABLE issued_documents ADD COLUMN log_index BIGINT"],
        },
        Migration {
            version: 4,
            name: "seal register",
            // 印鑑登録: `pixels` the normalized impression (`myna_issuance::seal`); a seal stands
            // while `ended_at` is empty, one a resident.
            steps: &[
                "CREATE TABLE seals (
            number BIGINT PRIMARY KEY,
            resident TEXT NOT NULL,
            pixels {BLOB} NOT NULL,
            digest TEXT NOT NULL,
            registered_at BIGINT NOT NULL,
            registered_by TEXT NOT NULL,
            ended_at BIGINT,
            ended_by TEXT,
            ended_reason TEXT
        )",
                "CREATE INDEX seals_resident ON seals (resident, ended_at)",
            ],
        },
    ],
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
    #[error("証明書番号 {0} の交付記録がありません / no document {0} was issued here")]
    NoSuchDocument(String),
    #[error("取消の理由を書いてください / give the reason for the withdrawal")]
    NoReason,
    #[error("{0}の課税記録がありません / no tax record of that year here")]
    NoTaxRecord(String),
    #[error(transparent)]
    Seal(#[from] crate::seals::SealRefusal),
    /// J-LIS's transparency log did not record it, so it is not handed out (or not withdrawn).
    #[error("J-LIS の発行記録ログに記録できませんでした / J-LIS's issuance log did not record it: {0}")]
    Log(String),
}

/// What the issuer's own check says of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Signed by this municipality, unaltered, in its ledger, not withdrawn (with its entry
    /// in J-LIS's issuance log when the PDF carries the receipt).
    Valid(myna_issuance::verify::Checked),
    /// Signed and unaltered, but withdrawn since: when, and why.
    Withdrawn { document: Document, at: i64, reason: String },
    /// Not accepted, with the reason.
    Refused(String),
}

/// A document issued: what was printed, and the PDF.
pub struct Issued {
    pub document: Document,
    pub pdf: Vec<u8>,
}

/// The municipality's certificate service.
pub struct Counter {
    pub(crate) db: Db,
    key: IssuerKey,
    /// The same key's public half, as a check reads it.
    keys: myna_issuance::IssuerKeys,
    issuer: Issuer,
    pub offering: Offering,
    /// J-LIS's issuance log key (its `vkey`), read from J-LIS once.
    log_key: std::sync::OnceLock<String>,
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
        offering.documents.retain(|d| d.kind != DocKind::FamilyRegisterAddresses);
        let issuer = Issuer { code, name: format!("{}長", agency.name()) };
        let mut keys = myna_issuance::IssuerKeys::default();
        keys.add(&issuer.code, &issuer.name, key.public());
        Ok(Self { db, key, keys, issuer, offering, log_key: Default::default() })
    }

    /// Who this counter's documents name as their issuer.
    pub fn issuer(&self) -> &Issuer {
        &self.issuer
    }

    /// The municipality's public key, as `myna doc verify --keys` reads it.
    pub fn keys(&self) -> KeyList {
        KeyList {
            issuers: vec![PublishedKey {
                kid: self.issuer.code.clone(),
                name: self.issuer.name.clone(),
                public: hex::encode(self.key.public()),
            }],
            log: None,
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
        self.issue_at(agency, resident, kind, options, Channel::Counter(clerk.to_string())).await
    }

    /// Issues `kind` for `resident` where `channel` says: at the counter (office hours, which
    /// the clerk keeps) or at a store's kiosk through J-LIS's centre (the kiosk hours and the
    /// year-end closure of this municipality's list).
    pub async fn issue_at(
        &self,
        agency: &Agency,
        resident: &str,
        kind: DocKind,
        options: Options,
        channel: Channel,
    ) -> Result<Issued, CounterError> {
        match &channel {
            Channel::Counter(_) => self.offering.counter_fee(kind, &options)?,
            Channel::Kiosk(_) => self.offering.kiosk_fee(kind, &options, time::OffsetDateTime::now_utc())?,
        };
        let subject = self.resident_here(agency, resident).await?;
        // This agency's code for the resident, from J-LIS by the 4 items: the tax record is kept
        // under it, and the issuance notice finds the person by it. Asked once.
        let own = match subject.link_items() {
            Some(items) => agency
                .obtain_code(myna_link::Enrolment::Items(items))
                .await
                .map_err(|e| CounterError::Jlis(e.to_string())),
            None => Err(CounterError::Jlis("the record carries no number".into())),
        };
        let mut lines = vec![Line { label: "住所".into(), value: subject.address.clone() }];
        if kind == DocKind::TaxIncome {
            let year = options.year.ok_or(Refusal::NoYear)?;
            let code = own.as_deref().map_err(|e| CounterError::Jlis(e.to_string()))?;
            lines.extend(self.tax_lines(agency, code, year).await?);
        }
        let seal = match kind {
            DocKind::SealRegistration => {
                let seal = self.seal_of(&subject.code).await?.ok_or(crate::seals::SealRefusal::NoSeal)?;
                lines.push(Line { label: "印鑑登録番号".into(), value: seal.number.to_string() });
                lines.push(Line { label: "印影 (SHA-256)".into(), value: seal.impression.digest() });
                Some(seal.impression)
            }
            _ => None,
        };
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
        // The serial is taken in a transaction of its own, so no write is held open while J-LIS
        // logs the document; a document not made after all leaves its serial unused.
        let mut tx = self.db.begin().await?;
        let n = tx.reserve("document_serial", 1).await? + 1;
        tx.commit().await?;
        let day = time::OffsetDateTime::from_unix_timestamp(now)
            .map(|t| t.to_offset(myna_issuance::JST).date())
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
            channel: channel.clone(),
            people,
            lines,
        };
        let code = self.key.sign(&document).map_err(|e| CounterError::Make(e.to_string()))?;
        let receipt = self.log(agency, Leaf::issued(&document, &code)).await?;
        let pdf = myna_issuance::pdf::render_with(&document, &code, Some(&receipt), seal.as_ref())
            .map_err(|e| CounterError::Make(e.to_string()))?;
        sqlx::query(
            "INSERT INTO issued_documents (serial, kind, resident, issued_at, channel, issued_by, code, log_index)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&serial)
        .bind(kind.id())
        .bind(&subject.code)
        .bind(now)
        .bind(match &channel {
            Channel::Counter(_) => "counter",
            Channel::Kiosk(_) => "kiosk",
        })
        .bind(match &channel {
            Channel::Counter(who) | Channel::Kiosk(who) => who.as_str(),
        })
        .bind(&code)
        .bind(receipt.index as i64)
        .write(&self.db)
        .await?;
        // The document exists once the log and the ledger say so; only then is it handed out.
        match own {
            Ok(code) => self.tell(agency, &code, &document).await,
            Err(e) => {
                tracing::warn!(serial = %document.serial, error = %e, "the resident's code for the issuance notice")
            }
        }
        Ok(Issued { document, pdf })
    }

    /// `resident`'s record at J-LIS, when they live in this municipality.
    pub(crate) async fn resident_here(&self, agency: &Agency, resident: &str) -> Result<ResidentView, CounterError> {
        let url = format!("{}/v1/residents/{resident}", agency.jlis_url());
        let subject: ResidentView = myna_node::get_json(agency.client(), &url).await.map_err(|e| match e {
            myna_node::CallError::Refused { status: 404 | 403, .. } => CounterError::NotHere(resident.to_string()),
            e => CounterError::Jlis(e.to_string()),
        })?;
        if subject.status != "resident" {
            return Err(CounterError::NotHere(resident.to_string()));
        }
        Ok(subject)
    }

    /// The lines of a 課税・所得証明書, from this municipality's own tax record of the resident
    /// (its `local_tax` copy in the data standard layout), for the year asked.
    async fn tax_lines(&self, agency: &Agency, code: &str, year: i32) -> Result<Vec<Line>, CounterError> {
        let none = || CounterError::NoTaxRecord(myna_issuance::fiscal_year_ja(year));
        let (_, body) = agency.store.copy(code, "local_tax").await?.ok_or_else(none)?;
        let tax: serde_json::Value = serde_json::from_str(&body).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if tax["fiscal_year"].as_i64() != Some(i64::from(year)) {
            return Err(none());
        }
        let yen = |field: &str| myna_text::yen(tax[field].as_u64().unwrap_or(0));
        let non_taxable = tax["non_taxable"].as_bool().unwrap_or(false);
        let dependants = tax["dependants"].as_array().map_or(0, Vec::len);
        Ok(vec![
            Line {
                label: "年度".into(),
                value: format!("{}（{}年中の所得）", myna_issuance::fiscal_year_ja(year), year - 1),
            },
            Line { label: "総所得金額等".into(), value: yen("taxable_income") },
            Line { label: "所得割額".into(), value: yen("tax_amount") },
            Line { label: "課税区分".into(), value: if non_taxable { "非課税" } else { "課税" }.into() },
            Line { label: "扶養親族".into(), value: format!("{dependants}人") },
        ])
    }

    /// Tells the resident in the portal that a document of theirs was issued (as 本人通知
    /// does), known to this agency by `code`. A resident this agency has not enrolled, or a
    /// failure to tell, does not undo the issuance; it is logged.
    async fn tell(&self, agency: &Agency, code: &str, doc: &Document) {
        let Ok(Some(person)) = agency.store.person_of(code).await else { return };
        let when = doc.issued_jst();
        let notice = myna_linkage::agency::NoticeSend {
            person,
            title: format!("{}を交付しました / A document of yours was issued", doc.kind.ja()),
            body: format!(
                "{when}、{}が{}（証明書番号 {}、{}）を交付しました。お心当たりのない場合は{}にご連絡ください。\n{} ({}) was issued on {when} JST ({}). If you did not ask for it, contact the municipality.",
                self.issuer.name,
                doc.kind.ja(),
                doc.serial,
                match &doc.channel {
                    Channel::Kiosk(_) => "コンビニ交付",
                    Channel::Counter(_) => "窓口交付",
                },
                agency.name(),
                doc.kind.en(),
                doc.serial,
                match &doc.channel {
                    Channel::Kiosk(_) => "at a store's kiosk",
                    Channel::Counter(_) => "at the counter",
                },
            ),
            deliver_at: None,
            reply: None,
        };
        if let Err(e) = agency.notify(&notice).await {
            tracing::warn!(serial = %doc.serial, error = %e, "the issuance notice was not sent");
        }
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
