//! The relying party's view of revocation: J-LIS's user-authentication CRL, fetched at start
//! and refreshed in the background. With no current list, status is unknown and logins are
//! refused (fail closed).

use std::sync::{Arc, RwLock};

use myna_pki::{CertKind, RevocationList, Serial, Status, TrustStore};

#[derive(Debug, thiserror::Error)]
pub enum CrlError {
    #[error("fetching from J-LIS: {0}")]
    Http(#[from] reqwest::Error),
    #[error(transparent)]
    Pki(#[from] myna_pki::PkiError),
}

pub struct CrlCache {
    url: String,
    list: RwLock<Option<Arc<RevocationList>>>,
}

impl CrlCache {
    /// `jlis` is J-LIS's base URL; the list is `{jlis}/crl/auth.crl`.
    pub fn new(jlis: &str) -> Self {
        Self { url: format!("{jlis}/crl/{}.crl", CertKind::UserAuth.slug()), list: RwLock::new(None) }
    }

    pub async fn refresh(&self, client: &reqwest::Client, trust: &TrustStore) -> Result<usize, CrlError> {
        let der = client.get(&self.url).send().await?.error_for_status()?.bytes().await?;
        let list = RevocationList::parse(&der, trust)?;
        let n = list.len();
        if let Ok(mut l) = self.list.write() {
            *l = Some(Arc::new(list));
        }
        Ok(n)
    }

    /// Refreshes the list every `every` for as long as `owner` (the service that checks cards
    /// and holds this cache) lives; a failed refresh keeps the previous list until its
    /// nextUpdate. `parts` finds the cache and the trust store in the owner.
    pub fn keep_fresh<T: Send + Sync + 'static>(
        owner: &Arc<T>,
        client: reqwest::Client,
        every: std::time::Duration,
        parts: fn(&T) -> (&CrlCache, &TrustStore),
    ) {
        let weak = Arc::downgrade(owner);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let Some(owner) = weak.upgrade() else { break };
                let (crl, trust) = parts(&owner);
                if let Err(e) = crl.refresh(&client, trust).await {
                    tracing::warn!(error = %e, "CRL refresh failed; the previous list stands until its nextUpdate");
                }
            }
        });
    }

    pub fn status(&self, serial: Serial, now: i64) -> Status {
        match self.list.read().ok().and_then(|l| l.clone()) {
            Some(l) => l.status(serial, now),
            None => Status::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_list_yet_means_status_unknown_so_cards_are_refused() {
        let cache = CrlCache::new("https://jlis.invalid:1");
        assert_eq!(cache.url, "https://jlis.invalid:1/crl/auth.crl");
        let serial = Serial::new(101).unwrap();
        assert_eq!(cache.status(serial, 0), Status::Unknown, "fail closed until J-LIS's CRL is read");
    }
}
