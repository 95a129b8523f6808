//! An agency's people and copies: a person enrolled under the agency's own reference with
//! the code J-LIS gives it (符号取得), and the copies (副本) it may provide, checked against
//! the data standard layout.

use std::collections::HashMap;

use myna_link::{
    CODE_BATCH_MAX, CodeIssued, CodesIssued, Enrolment, EnrolmentBatch, Envelope, InfoItem, LinkItems, Version,
    open_envelope,
};

use super::{Agency, AgencyError, ExchangeRow};
use crate::wire::{now_secs, post_jws};

/// An agency's reference for a person: 1–64 of A–Z, a–z, 0–9, `-` and `_`.
pub(super) fn check_person(p: &str) -> Result<(), AgencyError> {
    if (1..=64).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        Ok(())
    } else {
        Err(AgencyError::invalid("person", "a person reference is 1–64 of A–Z, a–z, 0–9, - and _"))
    }
}

impl Agency {
    /// Obtains this agency's code for a person through J-LIS (符号取得) and keeps it under
    /// `person`, the agency's own reference. Returns the code.
    pub async fn enrol(&self, person: &str, how: Enrolment) -> Result<String, AgencyError> {
        check_person(person)?;
        if let Some(code) = self.store.code_of(person).await? {
            return Ok(code);
        }
        let code = self.obtain_code(how).await?;
        self.store
            .enrol(person, &code, now_secs())
            .await
            .map_err(|e| AgencyError::Conflict { code: "enrolled", reason: e.to_string() })?;
        Ok(code)
    }

    /// Opens face data read from a card (券面事項入力補助): J-LIS's signature checked against
    /// the network CA, so the number and items are what J-LIS wrote into the card.
    pub fn read_face(&self, signed: &str) -> Result<myna_link::face::CardFace, AgencyError> {
        myna_link::face::CardFace::open(self.trust(), signed, now_secs())
            .map_err(|e| AgencyError::invalid("face", e.to_string()))
    }

    /// Enrols a person from their card: the number and the 4 items of the face data (checked
    /// by [`Agency::read_face`]), sent to J-LIS as any enrolment is, which checks them against
    /// the register as it is now: face data written before a move names the old address, and
    /// J-LIS refuses it naming the address, as a chip's face data would need rewriting too.
    /// Returns the face read and the code.
    pub async fn enrol_by_card(
        &self,
        person: &str,
        signed: &str,
    ) -> Result<(myna_link::face::CardFace, String), AgencyError> {
        let face = self.read_face(signed)?;
        let code = self.enrol(person, Enrolment::Items(face.items.clone())).await?;
        Ok((face, code))
    }

    /// This agency's code for a person it enrolled.
    pub(super) async fn code_of_person(&self, person: &str) -> Result<String, AgencyError> {
        self.store.code_of(person).await?.ok_or_else(|| AgencyError::NotEnrolled(person.into()))
    }

    /// Asks J-LIS for this agency's code for a person, without keeping it.
    pub async fn obtain_code(&self, how: Enrolment) -> Result<String, AgencyError> {
        Ok(self.obtain(how).await?.code.to_string())
    }

    /// [`Self::obtain_code`], with all J-LIS answered (a signed enrolment's reading too).
    pub async fn obtain(&self, how: Enrolment) -> Result<CodeIssued, AgencyError> {
        let (_, jws) = self.sign(&self.jlis, how)?;
        let answer = post_jws(&self.client, &format!("{}/v1/linkage/codes", self.config.jlis_url), jws).await?;
        let env: Envelope<CodeIssued> =
            open_envelope(&self.trust, &answer, &self.id, now_secs()).map_err(AgencyError::answer)?;
        if env.from != self.jlis || env.body.agency != self.id {
            return Err(AgencyError::answer("J-LIS's answer is not from J-LIS or not for this agency"));
        }
        Ok(env.body)
    }

    /// Registers (or replaces) a copy of an item for an enrolled person, in `version` (default:
    /// the newest layout), checked against the layout.
    pub async fn put_copy(
        &self,
        person: &str,
        item: &str,
        version: Option<Version>,
        data: &serde_json::Value,
    ) -> Result<(), AgencyError> {
        let item: InfoItem = item.parse().map_err(|e| AgencyError::invalid("item", e))?;
        let version = match version {
            Some(v) => v,
            None => self.layouts.latest(item).ok_or_else(|| AgencyError::invalid("item", "no layout for this item"))?,
        };
        self.layouts.validate(item, version, data).map_err(|e| AgencyError::invalid("layout", e))?;
        let code = self.code_of_person(person).await?;
        self.store.put_copy(&code, item.id(), &version.to_string(), &data.to_string(), now_secs()).await?;
        Ok(())
    }

    /// Enrols many people at once, `(person, number and the agency's 4 items)`: the codes of
    /// those already enrolled are kept, the others obtained through J-LIS and the hub a
    /// thousand at a time (one signed request each) and kept in one transaction a batch.
    /// Returns each person's code in the order given, or why J-LIS linked nobody (no resident
    /// with the number, or items that are not its resident's). Idempotent, so a load cut
    /// short is finished by running it again.
    pub async fn enrol_batch(
        &self,
        people: &[(String, LinkItems)],
    ) -> Result<Vec<Result<String, String>>, AgencyError> {
        for (p, _) in people {
            check_person(p)?;
        }
        let persons: Vec<&str> = people.iter().map(|(p, _)| p.as_str()).collect();
        let mut known: HashMap<String, Result<String, String>> =
            self.store.codes_of(&persons).await?.into_iter().map(|(p, c)| (p, Ok(c))).collect();
        let todo: Vec<&(String, LinkItems)> = people.iter().filter(|(p, _)| !known.contains_key(p)).collect();
        for chunk in todo.chunks(CODE_BATCH_MAX) {
            let batch = EnrolmentBatch { people: chunk.iter().map(|(_, n)| n.clone()).collect() };
            let (_, jws) = self.sign(&self.jlis, batch)?;
            let answer =
                post_jws(&self.client, &format!("{}/v1/linkage/codes/batch", self.config.jlis_url), jws).await?;
            let env: Envelope<CodesIssued> =
                open_envelope(&self.trust, &answer, &self.id, now_secs()).map_err(AgencyError::answer)?;
            if env.from != self.jlis || env.body.agency != self.id || env.body.codes.len() != chunk.len() {
                return Err(AgencyError::answer("J-LIS's answer is not from J-LIS or not for this batch"));
            }
            let issued: Vec<(String, String)> = chunk
                .iter()
                .zip(env.body.codes)
                .filter_map(|((p, _), c)| c.map(|c| (p.clone(), c.to_string())))
                .collect();
            let rows: Vec<(&str, &str)> = issued.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
            self.store
                .enrol_many(&rows, now_secs())
                .await
                .map_err(|e| AgencyError::Conflict { code: "enrolled", reason: e.to_string() })?;
            for r in env.body.refused {
                if let Some((p, _)) = chunk.get(r.line) {
                    known.insert(p.clone(), Err(r.reason));
                }
            }
            known.extend(issued.into_iter().map(|(p, c)| (p, Ok(c))));
        }
        Ok(people
            .iter()
            .map(|(p, _)| known.get(p).cloned().unwrap_or_else(|| Err("J-LIS gave no code and no reason".into())))
            .collect())
    }

    /// Registers many copies at once, `(person, item, data)`, each in the newest layout and
    /// checked against it; one bad copy refuses the whole batch, saying which and why, and
    /// nothing of it is kept.
    pub async fn put_copies(&self, copies: &[(String, String, serde_json::Value)]) -> Result<usize, AgencyError> {
        let mut rows = Vec::with_capacity(copies.len());
        for (i, (person, item, data)) in copies.iter().enumerate() {
            let at =
                |e: &dyn std::fmt::Display| AgencyError::invalid("copies", format!("[{i}] ({person}, {item}): {e}"));
            let item: InfoItem = item.parse().map_err(|e| at(&e))?;
            let version = self.layouts.latest(item).ok_or_else(|| at(&"no layout for this item"))?;
            self.layouts.validate(item, version, data).map_err(|e| at(&e))?;
            rows.push((person.as_str(), item.id(), version.to_string(), data.to_string()));
        }
        let persons: Vec<&str> = rows.iter().map(|r| r.0).collect();
        let codes = self.store.codes_of(&persons).await?;
        let mut out = Vec::with_capacity(rows.len());
        for (person, item, version, body) in rows {
            let code = codes.get(person).ok_or_else(|| AgencyError::NotEnrolled(person.into()))?;
            out.push((code.as_str(), item, version, body));
        }
        self.store.put_copies(&out, now_secs()).await?;
        Ok(out.len())
    }

    /// The agency's own record of what it asked and answered, newest first (at most 1,000).
    pub async fn exchanges(&self, limit: Option<u32>) -> Result<Vec<ExchangeRow>, AgencyError> {
        Ok(self.store.exchanges(limit.unwrap_or(100).min(1000)).await?)
    }
}
