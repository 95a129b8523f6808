//! 印鑑登録: the municipality's seal register, kept by its certificate server. A clerk
//! registers a resident's seal from a scan of its impression (the resident 15 or older and
//! living here; one seal a person, a new one ends the old: 改印), or ends a registration
//! (廃止). A 印鑑登録証明書 is issued only for a seal registered and standing, with its
//! impression printed and its digest signed (`certificates.rs`).

use myna_issuance::seal::{Impression, SealError};
use myna_jlis::ResidentView;
use myna_linkage::agency::Agency;
use myna_store::{StoreError, WriteQuery as _};

use crate::certificates::{Counter, CounterError};

/// The youngest age at which a seal is registered (印鑑登録: 15歳未満は登録できない).
pub const MIN_AGE: i32 = 15;

/// A seal standing in the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    /// 印鑑登録番号.
    pub number: i64,
    pub impression: Impression,
    pub registered_at: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum SealRefusal {
    #[error(transparent)]
    Impression(#[from] SealError),
    #[error("{0}歳の方は印鑑登録できません（15歳以上） / a resident aged {0} cannot register a seal (15 or older)")]
    TooYoung(i32),
    #[error("この住民の登録されている印鑑はありません / no seal is registered for this resident")]
    NoSeal,
}

/// Age in whole years on `today` of someone born `birth` (YYYY-MM-DD).
fn age(birth: &str, today: time::Date) -> Option<i32> {
    let mut parts = birth.splitn(3, '-').map(|p| p.parse::<i32>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    let before_birthday = (i32::from(u8::from(today.month())), i32::from(today.day())) < (m, d);
    Some(today.year() - y - i32::from(before_birthday))
}

impl Counter {
    /// Registers `resident`'s seal from `picture`, ending any seal registered before; its
    /// number once durable.
    pub async fn register_seal(
        &self,
        agency: &Agency,
        resident: &str,
        picture: &[u8],
        clerk: &str,
    ) -> Result<i64, CounterError> {
        let subject: ResidentView = self.resident_here(agency, resident).await?;
        let now = myna_node::now_secs();
        let today = time::OffsetDateTime::from_unix_timestamp(now)
            .map(|t| t.to_offset(myna_issuance::JST).date())
            .map_err(|e| CounterError::Make(e.to_string()))?;
        let years =
            age(&subject.birth, today).ok_or_else(|| CounterError::Make("the birth date does not read".into()))?;
        if years < MIN_AGE {
            return Err(SealRefusal::TooYoung(years).into());
        }
        let impression = Impression::from_picture(picture).map_err(SealRefusal::from)?;
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "UPDATE seals SET ended_at = $1, ended_by = $2, ended_reason = $3 WHERE resident = $4 AND ended_at IS NULL",
        )
        .bind(now)
        .bind(clerk)
        .bind("改印 / a new seal registered")
        .bind(resident)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        let number = (tx.reserve("seal_number", 1).await? + 1) as i64;
        sqlx::query(
            "INSERT INTO seals (number, resident, pixels, digest, registered_at, registered_by) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(number)
        .bind(resident)
        .bind(impression.pixels().to_vec())
        .bind(impression.digest())
        .bind(now)
        .bind(clerk)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        tx.commit().await?;
        Ok(number)
    }

    /// Ends `resident`'s registration (廃止), with the reason.
    pub async fn end_seal(&self, resident: &str, reason: &str, clerk: &str) -> Result<(), CounterError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(CounterError::NoReason);
        }
        let done = sqlx::query(
            "UPDATE seals SET ended_at = $1, ended_by = $2, ended_reason = $3 WHERE resident = $4 AND ended_at IS NULL",
        )
        .bind(myna_node::now_secs())
        .bind(clerk)
        .bind(reason)
        .bind(resident)
        .write(&self.db)
        .await?;
        if done.rows_affected() == 0 {
            return Err(SealRefusal::NoSeal.into());
        }
        Ok(())
    }

    /// `resident`'s seal standing in the register.
    pub async fn seal_of(&self, resident: &str) -> Result<Option<Registered>, CounterError> {
        let row: Option<(i64, Vec<u8>, i64)> = self
            .db
            .read_one(
                "SELECT number, pixels, registered_at FROM seals WHERE resident = $1 AND ended_at IS NULL",
                &[resident.into()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .await?;
        match row {
            None => Ok(None),
            Some((number, pixels, registered_at)) => Ok(Some(Registered {
                number,
                impression: Impression::from_pixels(pixels).map_err(SealRefusal::from)?,
                registered_at,
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_turns_on_the_birthday() {
        let day = |y, m, d| time::Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap();
        assert_eq!(age("2011-12-08", day(2026, 12, 7)), Some(14));
        assert_eq!(age("2011-12-07", day(2026, 12, 7)), Some(15));
        assert_eq!(age("1990-04-01", day(2026, 12, 7)), Some(36));
        assert_eq!(age("not a date", day(2026, 12, 7)), None);
    }
}
