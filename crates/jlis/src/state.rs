//! What the J-LIS node holds while serving: the registry, the card records and the
//! certificate authority (keys loaded once from the database), and the published CRLs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use myna_pki::{Authority, AuthorityFiles, CertKind, Revocation, TrustStore};
use myna_store::StoreError;

use crate::store::{AccessLog, JpkiStore, RegistryStore};

/// How long a published CRL is good for (nextUpdate). J-LIS republishes on every change.
pub const CRL_HOURS: i64 = 24;

pub struct Jlis {
    pub registry: RegistryStore,
    pub cards: JpkiStore,
    pub ca: Authority,
    pub trust: TrustStore,
    /// `https://host:port` of this node, for the CRL and OCSP locations written into
    /// certificates; known once the listener is bound.
    pub base_url: OnceLock<String>,
    crls: Mutex<HashMap<CertKind, Published>>,
    /// Set when the node is connected to a hub (code acquisition).
    pub linkage: OnceLock<crate::linkage::Linkage>,
    /// Who looked whom up, for which task (本人確認情報の提供状況).
    pub access: AccessLog,
    /// The linkage permission table: a lookup's task must be one the caller's kind holds.
    pub tasks: myna_link::PermissionTable,
    /// J-LIS's own staff (the hotline's operators), signed in with their staff cards; set
    /// when the node starts (it needs the node's network CA).
    pub staff: OnceLock<Arc<myna_rp::staff::StaffLogin>>,
    /// The node's key, which signs the access log's tree heads; set when the node starts.
    pub signer: OnceLock<myna_link::NodeKey>,
    /// The certificate issuance centre between kiosks and municipalities (コンビニ交付).
    pub centre: crate::kiosk::Centre,
    /// The transparency log of every document municipalities issue or withdraw (存在証明).
    pub issuances: crate::store::IssuanceLog,
}

/// The roles J-LIS gives its staff: the 24×365 hotline's operators.
pub const STAFF_ROLES: myna_rp::staff::Roles = myna_rp::staff::Roles { describe: "hotline", valid: |r| r == "hotline" };

/// A CRL as last built.
struct Published {
    /// The revocation generation it was built at: rebuilt when that moves.
    generation: i64,
    number: u64,
    built_at: i64,
    der: Arc<Vec<u8>>,
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the certificate authority: {0}")]
    Pki(#[from] myna_pki::PkiError),
    #[error("the stored certificate authority is unreadable: {0}")]
    Files(#[from] serde_json::Error),
    #[error("the shipped permission table: {0}")]
    Table(#[from] myna_link::TableError),
}

impl Jlis {
    /// Loads the authority from the database, creating it on first start.
    pub async fn open(registry: RegistryStore, now: i64) -> Result<Self, SetupError> {
        let cards = JpkiStore::open(registry.db().clone()).await?;
        let json = cards
            .meta_or_init("jpki_authority", || {
                let a = Authority::create(now).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let files = a.to_files().map_err(|e| StoreError::Corrupt(e.to_string()))?;
                serde_json::to_string(&files).map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .await?;
        let files: AuthorityFiles = serde_json::from_str(&json)?;
        let ca = Authority::from_files(&files)?;
        let trust = ca.trust_store()?;
        let pseudonyms = registry.db().secret_or_init("jlis_access_pseudonym_key").await?;
        let access = AccessLog::open(registry.db().clone(), &pseudonyms).await?;
        let issuances = crate::store::IssuanceLog::open(registry.db().clone()).await?;
        Ok(Self {
            access,
            issuances,
            tasks: myna_link::PermissionTable::shipped()?,
            registry,
            cards,
            ca,
            trust,
            base_url: OnceLock::new(),
            crls: Mutex::new(HashMap::new()),
            linkage: OnceLock::new(),
            staff: OnceLock::new(),
            signer: OnceLock::new(),
            centre: Default::default(),
        })
    }

    /// The key of the link-id permutation, created on first use.
    pub async fn link_key(&self) -> Result<[u8; 32], SetupError> {
        Ok(self.registry.db().secret_or_init("jlis_link_key").await?)
    }

    pub fn base_url(&self) -> &str {
        self.base_url.get().map(String::as_str).unwrap_or("https://localhost")
    }

    pub fn crl_url(&self, kind: CertKind) -> String {
        format!("{}/crl/{}.crl", self.base_url(), kind.slug())
    }

    pub fn ocsp_url(&self) -> String {
        format!("{}/ocsp", self.base_url())
    }

    /// The current CRL of `kind`: rebuilt when a certificate's status changed, or hourly.
    pub async fn crl(&self, kind: CertKind, now: i64) -> Result<Arc<Vec<u8>>, crate::JlisError> {
        let generation = self.cards.revocation_generation().await?;
        let previous = {
            let crls = self.crls.lock().map_err(|_| crate::JlisError::internal("CRL cache lock poisoned"))?;
            match crls.get(&kind) {
                Some(p) if p.generation == generation && now - p.built_at < 3600 => return Ok(p.der.clone()),
                Some(p) => p.number,
                None => 0,
            }
        };
        let revoked: Vec<Revocation> = self
            .cards
            .revoked(kind, now)
            .await?
            .into_iter()
            .map(|(serial, at, reason)| Revocation { serial, at, reason })
            .collect();
        // CRL numbers must grow across restarts too, so they start from the clock.
        let number = previous.max(now as u64 * 1000) + 1;
        let der = Arc::new(self.ca.crl(kind, &revoked, number, now, now + CRL_HOURS * 3600)?);
        let p = Published { generation, number, built_at: now, der: der.clone() };
        self.crls.lock().map_err(|_| crate::JlisError::internal("CRL cache lock poisoned"))?.insert(kind, p);
        Ok(der)
    }
}
