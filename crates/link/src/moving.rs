//! 引越しワンストップ as the resident signs it: one application, sent by the portal to the
//! municipality they leave (as the 転出届) and to the one they move to (as the 転入予約; the
//! 転居予約 when both are the same). The bytes signed are a fixed prefix and the JSON, as for
//! the account instructions, so a signature over one kind of message never passes for another.

use serde::{Deserialize, Serialize};

const PREFIX: &str = "myna-move/1\n";

/// Who moves with the signer (who always moves).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "who", rename_all = "snake_case")]
pub enum Movers {
    /// Every member of the signer's household.
    Household,
    /// The signer, and the members of their household named here (kanji, as registered).
    Named { names: Vec<String> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveApplication {
    pub movers: Movers,
    /// The new address, as the resident wrote it (normalized against the gazetteer by J-LIS).
    pub to: String,
    /// The planned move-out date (転出予定日), `YYYY-MM-DD`.
    pub on: String,
    /// When they will visit the new municipality (来庁予定日), `YYYY-MM-DD`.
    pub visit: String,
    /// A telephone number or e-mail address for the municipalities.
    pub contact: String,
    /// When it was signed (seconds); a node refuses one signed long ago.
    pub at: i64,
}

impl MoveApplication {
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = PREFIX.as_bytes().to_vec();
        out.extend(serde_json::to_vec(self).unwrap_or_default());
        out
    }

    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let rest = bytes
            .strip_prefix(PREFIX.as_bytes())
            .ok_or_else(|| format!("the signed bytes do not start with {PREFIX:?}"))?;
        let a: Self = serde_json::from_slice(rest).map_err(|e| format!("the signed application: {e}"))?;
        if a.to.trim().is_empty() || a.to.chars().count() > 200 {
            return Err("give the new address (1 to 200 characters)".into());
        }
        if a.contact.trim().is_empty() || a.contact.chars().count() > 100 {
            return Err("give a telephone number or e-mail address (1 to 100 characters)".into());
        }
        if let Movers::Named { names } = &a.movers
            && names.len() > 20
        {
            return Err("at most 20 members move in one application".into());
        }
        Ok(a)
    }

    /// The planned move-out date, checked against `today`: not past, and at most `ahead_days`
    /// ahead (a 転出届 is taken up to 14 days before the move).
    pub fn planned(&self, today: time::Date, ahead_days: i64) -> Result<time::Date, String> {
        let f = time::macros::format_description!("[year]-[month]-[day]");
        let on = time::Date::parse(&self.on, &f).map_err(|_| format!("{:?} is not a date (YYYY-MM-DD)", self.on))?;
        let days = (on - today).whole_days();
        if days < 0 {
            return Err(format!("the planned move-out date {on} has passed (today is {today})"));
        }
        if days > ahead_days {
            return Err(format!(
                "{on} is more than {ahead_days} days ahead; a 転出届 is taken at most {ahead_days} days before the move"
            ));
        }
        Ok(on)
    }

    /// The application's id: the hash of what was signed, so the same application sent twice
    /// is one move.
    pub fn id(bytes: &[u8]) -> String {
        use sha2::Digest as _;
        hex::encode(&sha2::Sha256::digest(bytes)[..12])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_application_reads_back_and_bad_ones_say_why() {
        let a = MoveApplication {
            movers: Movers::Named { names: vec!["山田 太郎".into()] },
            to: "大阪府大阪市北区梅田1-1".into(),
            on: "2026-12-20".into(),
            visit: "2026-12-21".into(),
            contact: "090-0000-0000".into(),
            at: 1,
        };
        assert_eq!(MoveApplication::parse(&a.bytes()).unwrap(), a);
        assert!(MoveApplication::parse(b"{}").unwrap_err().contains("start with"));
        let mut b = a.clone();
        b.contact = " ".into();
        assert!(MoveApplication::parse(&b.bytes()).unwrap_err().contains("telephone"));
        assert_eq!(MoveApplication::id(&a.bytes()), MoveApplication::id(&a.bytes()));
        assert_ne!(MoveApplication::id(&a.bytes()), MoveApplication::id(&b.bytes()));
    }
}
