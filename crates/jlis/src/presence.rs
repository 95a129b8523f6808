//! A resident's presence, checked where the certificate was issued: the hub asks whose login
//! a proof is (before it answers the portal's self-information), and the portal asks for the
//! signed-in resident's own access log (本人確認情報の提供状況). J-LIS checks the proof against
//! its own authority and its own revocation records, so no CRL can be stale here.

use base64ct::{Base64, Encoding};
use myna_link::{AccessLogAnswer, AccessRecord, LoginProof, PRESENCE_SECS, Presence, TreeHead};
use myna_node::now_secs as now;
use myna_pki::{
    CardCert, Status,
    login::{Challenge, LoginResponse, check_proof},
};

use crate::{JlisError, state::Jlis};

/// At most this many entries of the access log are shown.
const SHOWN: i64 = 500;

impl Jlis {
    /// The person a login proof shows signed in, by link id, and until when it stands.
    pub async fn presence(&self, proof: &LoginProof) -> Result<Presence, JlisError> {
        let link = self.linkage.get().ok_or(JlisError::NoHub)?;
        let (challenge, record) = self.signed_in(proof).await?;
        Ok(Presence {
            link: link.link_id(record)?,
            until: challenge.expires + PRESENCE_SECS,
            service: challenge.service,
        })
    }

    /// The signed-in resident's own entries in the access log, newest first, each with its
    /// inclusion proof against the head J-LIS signs now, and the proof that the log extends
    /// the size `since` the portal checked before.
    pub async fn own_access_log(&self, proof: &LoginProof, since: Option<u64>) -> Result<AccessLogAnswer, JlisError> {
        let (_, record) = self.signed_in(proof).await?;
        let logged = self.access.logged_of(record, SHOWN).await?;
        let (size, root) = self.access.head()?;
        let head = TreeHead { size, root: hex::encode(root), at: myna_node::now_ms() };
        let signer = self.signer.get().ok_or_else(|| JlisError::internal("the node's key is not loaded"))?;
        let signed = signer.sign(&head).map_err(JlisError::internal)?;
        let hexes = |v: Vec<myna_link::merkle::Hash>| v.into_iter().map(hex::encode).collect::<Vec<_>>();
        let mut records = Vec::with_capacity(logged.len());
        for l in logged.into_iter().filter(|l| l.index < size) {
            records.push(AccessRecord {
                index: l.index,
                proof: hexes(self.access.inclusion(l.index, size)?),
                leaf: l.leaf,
            });
        }
        let consistency = match since {
            Some(old) if old > 0 && old < size => hexes(self.access.consistency(old, size)?),
            Some(old) if old > size => {
                return Err(JlisError::invalid("since", format!("J-LIS's access log has {size} entries, not {old}")));
            }
            _ => Vec::new(),
        };
        Ok(AccessLogAnswer { head, signed, records, consistency })
    }

    /// The challenge and the resident record code behind a proof, or why it does not stand.
    pub(crate) async fn signed_in(&self, proof: &LoginProof) -> Result<(Challenge, u64), JlisError> {
        let refused = |e: &dyn std::fmt::Display| JlisError::Unauthenticated(format!("the login proof: {e}"));
        let der = Base64::decode_vec(&proof.certificate).map_err(|_| refused(&"the certificate is not base64"))?;
        let cert = CardCert::parse(&der).map_err(|e| refused(&e))?;
        let status = match self.cards.certificate(cert.serial).await? {
            Some(c) => c.status(),
            None => Status::Unknown,
        };
        let resp = LoginResponse {
            challenge: proof.challenge.clone(),
            certificate: proof.certificate.clone(),
            signature: proof.signature.clone(),
        };
        let challenge =
            check_proof(&self.trust, &resp, &cert, status, now(), PRESENCE_SECS).map_err(|e| refused(&e))?;
        let record = self.by_certificate(&cert.serial.to_string()).await?;
        Ok((challenge, record))
    }
}
