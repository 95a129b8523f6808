//! What a resident's portal and an auditor check of the hub's log, as pure functions: the
//! head's signature, each entry's inclusion, and that a head extends one proven before (a log
//! that shrank, forked or was rewritten is an alarm, not an error to retry).

use crate::{
    AgencyId, Entry, NetworkTrust, TreeHead,
    merkle::{self, Hash},
};

/// What is wrong with the log as the hub shows it. Every variant but `Malformed` means the
/// hub's records cannot be trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogAlarm {
    #[error("the tree head's signature: {0}")]
    Signature(String),
    #[error("the tree head is signed by {0}, not the hub")]
    NotTheHub(AgencyId),
    #[error("the tree head sent is not the one the hub signed")]
    NotSigned,
    #[error("the hub's log shrank: {before} entries were proven before, the hub now shows {now}")]
    Shrank { before: u64, now: u64 },
    #[error("the hub shows a different log of the same size ({size}): LOG REWRITTEN")]
    Forked { size: u64 },
    #[error("the log is not an extension of the one proven before ({before} entries): LOG REWRITTEN ({reason})")]
    Rewritten { before: u64, reason: String },
    #[error("{0}")]
    Malformed(String),
}

/// Opens a signed tree head: signed by `hub` under the network CA, and (when the hub also
/// sent it in the clear) the same head.
pub fn open_head(
    trust: &NetworkTrust,
    jws: &str,
    hub: &AgencyId,
    sent: Option<&TreeHead>,
    now: i64,
) -> Result<TreeHead, LogAlarm> {
    let signed = trust.open::<TreeHead>(jws, now).map_err(|e| LogAlarm::Signature(e.to_string()))?;
    if &signed.signer != hub {
        return Err(LogAlarm::NotTheHub(signed.signer));
    }
    if sent.is_some_and(|s| s != &signed.body) {
        return Err(LogAlarm::NotSigned);
    }
    Ok(signed.body)
}

fn root(h: &TreeHead) -> Result<Hash, LogAlarm> {
    merkle::hash_from_hex(&h.root).map_err(|e| LogAlarm::Malformed(format!("tree head root: {e}")))
}

/// The sizes of the consistency proof needed to show `now` extends `before`, or `None` when
/// none is (an empty earlier log, or the same size: then the roots must be equal).
pub fn proof_needed(before: &TreeHead, now: &TreeHead) -> Result<Option<(u64, u64)>, LogAlarm> {
    if before.size > now.size {
        return Err(LogAlarm::Shrank { before: before.size, now: now.size });
    }
    Ok((before.size > 0 && before.size < now.size).then_some((before.size, now.size)))
}

/// Whether `now` extends `before`, given the hub's consistency proof between them (RFC 9162
/// §2.1.4; empty when [`proof_needed`] said none).
pub fn check_extends(before: &TreeHead, now: &TreeHead, proof: &[Hash]) -> Result<(), LogAlarm> {
    proof_needed(before, now)?;
    if before.size == 0 {
        return Ok(());
    }
    let (old, new) = (root(before)?, root(now)?);
    if before.size == now.size {
        return if old == new { Ok(()) } else { Err(LogAlarm::Forked { size: now.size }) };
    }
    merkle::verify_consistency(before.size, &old, now.size, &new, proof)
        .map_err(|e| LogAlarm::Rewritten { before: before.size, reason: e.to_string() })
}

/// One record as the hub sent it: its bytes parsed as a log entry (or why they are not one),
/// with whether they are the `index`th leaf of the tree of `head` (hex proof hashes, RFC 9162
/// order). An entry that fails its proof is still shown, marked.
pub fn check_record(
    entry: &str,
    index: u64,
    head: &TreeHead,
    proof: &[String],
) -> Result<(Entry, Result<(), String>), String> {
    let parsed: Entry = serde_json::from_str(entry).map_err(|e| format!("record {index} is not a log entry: {e}"))?;
    let proven = proof
        .iter()
        .map(|h| merkle::hash_from_hex(h))
        .collect::<Result<Vec<Hash>, _>>()
        .map_err(|e| e.to_string())
        .and_then(|p| root(head).map_err(|e| e.to_string()).map(|r| (p, r)))
        .and_then(|(p, r)| {
            merkle::verify_inclusion(entry.as_bytes(), index, head.size, &r, &p).map_err(|e| e.to_string())
        });
    Ok((parsed, proven))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::Tree;

    fn entry(i: u64) -> String {
        format!(
            r#"{{"at":{i},"message":"{i:032x}","requester":"municipality:131016","provider":"pension_service","task":"t","item":"local_tax","outcome":"delivered"}}"#
        )
    }

    fn tree(n: u64) -> Tree {
        let mut t = Tree::new();
        for i in 0..n {
            t.push(merkle::leaf_hash(entry(i).as_bytes()));
        }
        t
    }

    fn head(t: &Tree, size: u64) -> TreeHead {
        TreeHead { size, root: hex::encode(t.root(size).unwrap()), at: 0 }
    }

    #[test]
    fn a_grown_log_extends_the_head_proven_before() {
        let t = tree(10);
        let (before, now) = (head(&t, 4), head(&t, 10));
        assert_eq!(proof_needed(&before, &now), Ok(Some((4, 10))));
        check_extends(&before, &now, &t.consistency(4, 10).unwrap()).unwrap();
        check_extends(&head(&t, 0), &now, &[]).unwrap();
        check_extends(&now, &now, &[]).unwrap();
    }

    #[test]
    fn a_log_that_shrank_forked_or_was_rewritten_is_an_alarm() {
        let t = tree(10);
        assert_eq!(check_extends(&head(&t, 10), &head(&t, 9), &[]), Err(LogAlarm::Shrank { before: 10, now: 9 }));
        let mut other = tree(9);
        other.push(merkle::leaf_hash(b"a different tenth entry"));
        assert_eq!(check_extends(&head(&t, 10), &head(&other, 10), &[]), Err(LogAlarm::Forked { size: 10 }));
        // A proof from the honest tree does not make the rewritten one an extension.
        let mut rewritten = tree(3);
        for i in 3..12 {
            rewritten.push(merkle::leaf_hash(format!("changed {i}").as_bytes()));
        }
        let e = check_extends(&head(&t, 5), &head(&rewritten, 12), &rewritten.consistency(5, 12).unwrap()).unwrap_err();
        assert!(matches!(e, LogAlarm::Rewritten { before: 5, .. }), "{e}");
    }

    #[test]
    fn a_record_is_proven_only_with_its_own_bytes_index_and_proof() {
        let t = tree(7);
        let h = head(&t, 7);
        let proof = |i| t.inclusion(i, 7).unwrap().iter().map(hex::encode).collect::<Vec<_>>();
        let (e, proven) = check_record(&entry(3), 3, &h, &proof(3)).unwrap();
        assert_eq!((e.at, proven), (3, Ok(())));
        assert!(check_record(&entry(3), 4, &h, &proof(3)).unwrap().1.is_err(), "the wrong index");
        assert!(check_record(&entry(2), 3, &h, &proof(3)).unwrap().1.is_err(), "another entry's bytes");
        let why = check_record("not json", 3, &h, &proof(3)).unwrap_err();
        assert!(why.contains("not a log entry"), "{why}");
    }
}
