//! The directory of agency nodes (where each is reached, its sealing key) and code issuance
//! for J-LIS (符号取得).

use myna_link::{
    AgencyId, CodeIssued, CodeRequest, CodeRequestBatch, CodesIssued, Envelope, Registration, open_envelope,
};

use super::{AgencyRow, DirectoryEntry, Hub, HubError, JLIS_ID, Registered};
use crate::wire::now_secs;

impl Hub {
    /// An agency's node registers where it is reached and its encryption key. Its id is its
    /// certificate's; an id that names no agency kind is refused.
    pub async fn register(&self, jws: &str) -> Result<Envelope<Registered>, HubError> {
        let env: Envelope<Registration> = open_envelope(&self.trust, jws, &self.id, now_secs())?;
        let kind = env.from.kind().map_err(|e| HubError::invalid("agency_kind", e))?;
        myna_link::seal::check_public_key(&env.body.seal_key).map_err(|e| HubError::invalid("seal_key", e))?;
        if !env.body.url.starts_with("https://") {
            return Err(HubError::invalid("url", "an agency node is reached over https://"));
        }
        let row = AgencyRow {
            id: env.from.to_string(),
            url: env.body.url.trim_end_matches('/').into(),
            seal_key: env.body.seal_key,
            name: env.body.name,
            login_service: env.body.login_service,
        };
        self.store.upsert_agency(&row, now_secs()).await?;
        if let Ok(mut d) = self.directory.write() {
            d.insert(env.from.clone(), row);
        }
        tracing::info!(agency = %env.from, "registered");
        Ok(self.envelope(&env.from, Registered { id: env.from.clone(), kind: kind.id().into() }))
    }

    /// A request for agency codes, opened: only J-LIS asks for them.
    fn open_from_jlis<T: serde::de::DeserializeOwned>(&self, jws: &str) -> Result<Envelope<T>, HubError> {
        let env: Envelope<T> = open_envelope(&self.trust, jws, &self.id, now_secs())?;
        if env.from.as_str() != JLIS_ID {
            return Err(HubError::forbidden("not_jlis", "only J-LIS asks for agency codes"));
        }
        Ok(env)
    }

    /// J-LIS asks for an agency's code for a person it knows by link id. Only J-LIS.
    pub fn issue_code(&self, jws: &str) -> Result<Envelope<CodeIssued>, HubError> {
        let env: Envelope<CodeRequest> = self.open_from_jlis(jws)?;
        let code = self.code_for(&env.body.agency, env.body.link);
        Ok(self.envelope(
            &env.from,
            CodeIssued { agency: env.body.agency, code, reading: None, facts: None, identity: None },
        ))
    }

    /// J-LIS asks for an agency's codes for many people at once. Only J-LIS.
    pub fn issue_codes(&self, jws: &str) -> Result<Envelope<CodesIssued>, HubError> {
        let env: Envelope<CodeRequestBatch> = self.open_from_jlis(jws)?;
        if env.body.links.len() > myna_link::CODE_BATCH_MAX {
            return Err(HubError::invalid("links", format!("at most {} a batch", myna_link::CODE_BATCH_MAX)));
        }
        let codes = env.body.links.iter().map(|&l| Some(self.code_for(&env.body.agency, l))).collect();
        Ok(self.envelope(&env.from, CodesIssued { agency: env.body.agency, codes, refused: vec![] }))
    }

    /// Every registered agency with its name and key, by id.
    pub fn directory(&self) -> Result<Vec<DirectoryEntry>, HubError> {
        let d = self.directory.read().map_err(|_| HubError::internal("directory lock poisoned"))?;
        let mut v: Vec<DirectoryEntry> = d.iter().map(|(id, a)| entry(id.clone(), a.clone())).collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(v)
    }

    pub fn directory_entry(&self, id: &str) -> Result<DirectoryEntry, HubError> {
        let id: AgencyId = id.parse().map_err(|e| HubError::invalid("id", e))?;
        let a = self.agency(&id).ok_or_else(|| HubError::NotRegistered(id.clone()))?;
        Ok(entry(id, a))
    }

    /// An envelope from the hub to `to`, dated now (signed at the edge).
    pub fn envelope<T>(&self, to: &AgencyId, body: T) -> Envelope<T> {
        Envelope::new(self.id.clone(), to.clone(), now_secs(), body)
    }
}

fn entry(id: AgencyId, a: AgencyRow) -> DirectoryEntry {
    DirectoryEntry { id, name: a.name, seal_key: a.seal_key }
}
