//! A receiving account (公金受取口座): bank, branch, kind, number and the holder's name,
//! checked against the code list and written as transfers write it.

use crate::{Codes, KanaError, kana};

/// 預金種目.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountKind {
    /// 普通.
    Ordinary,
    /// 当座.
    Current,
    /// 貯蓄.
    Savings,
}

impl AccountKind {
    /// The digit transfer files carry.
    pub fn digit(self) -> char {
        match self {
            AccountKind::Ordinary => '1',
            AccountKind::Current => '2',
            AccountKind::Savings => '4',
        }
    }

    pub fn from_digit(c: char) -> Option<Self> {
        match c {
            '1' => Some(AccountKind::Ordinary),
            '2' => Some(AccountKind::Current),
            '4' => Some(AccountKind::Savings),
            _ => None,
        }
    }

    pub fn name_ja(self) -> &'static str {
        match self {
            AccountKind::Ordinary => "普通",
            AccountKind::Current => "当座",
            AccountKind::Savings => "貯蓄",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("no bank has the code {0:?} in the Zengin code list (a bank code is 4 digits, e.g. 0001)")]
    Bank(String),
    #[error("{bank} has no branch {branch:?} in the Zengin code list (a branch code is 3 digits)")]
    Branch { bank: String, branch: String },
    #[error("an account number is 1 to 7 digits, not {0:?}")]
    Number(String),
    #[error("the holder's name: {0}")]
    Kana(#[from] KanaError),
    /// The registered reading is not said: whoever names a person must not learn it so.
    #[error("the holder's name {given} is not the registered reading of this person's name")]
    Holder { given: String },
}

/// A checked account: codes in the list, the number padded to 7 digits, the holder's name in
/// transfer kana.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Account {
    pub bank: String,
    pub branch: String,
    pub kind: AccountKind,
    pub number: String,
    pub holder: String,
}

impl Account {
    pub fn new(
        codes: &Codes,
        (bank, branch): (&str, &str),
        kind: AccountKind,
        number: &str,
        holder: &str,
    ) -> Result<Self, AccountError> {
        let bank = bank.trim();
        let branch = branch.trim();
        codes.bank(bank).ok_or_else(|| AccountError::Bank(bank.chars().take(8).collect()))?;
        codes
            .branch(bank, branch)
            .ok_or_else(|| AccountError::Branch { bank: bank.to_string(), branch: branch.chars().take(8).collect() })?;
        let number = number.trim();
        if number.is_empty() || number.len() > 7 || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AccountError::Number(number.chars().take(12).collect()));
        }
        Ok(Self {
            bank: bank.to_string(),
            branch: branch.to_string(),
            kind,
            number: format!("{number:0>7}"),
            holder: kana::to_zengin(holder)?,
        })
    }

    /// Refuses the account unless its holder's name is the registry's reading of the person
    /// (`registered`, in katakana).
    pub fn check_holder(&self, registered: &str) -> Result<(), AccountError> {
        if kana::same_name(&self.holder, registered) {
            Ok(())
        } else {
            Err(AccountError::Holder { given: self.holder.clone() })
        }
    }

    /// The number with all but its last 3 digits hidden, for notices (****567).
    pub fn masked(&self) -> String {
        let keep = self.number.len().saturating_sub(3);
        format!("{}{}", "*".repeat(keep), &self.number[keep..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_checked_against_the_list_and_the_registry() {
        let c = Codes::embedded();
        let a = Account::new(c, ("0001", "001"), AccountKind::Ordinary, "1234567", "ヤマダ タロウ").unwrap();
        assert_eq!((a.holder.as_str(), a.masked().as_str()), ("ﾔﾏﾀﾞ ﾀﾛｳ", "****567"));
        assert!(a.check_holder("ヤマダ タロウ").is_ok());
        assert!(matches!(a.check_holder("ヤマダ ハナコ"), Err(AccountError::Holder { .. })));
        assert_eq!(Account::new(c, ("0001", "001"), AccountKind::Ordinary, "89", "ア").unwrap().number, "0000089");
        assert!(matches!(
            Account::new(c, ("0002", "001"), AccountKind::Ordinary, "1", "ア"),
            Err(AccountError::Bank(_))
        ));
        assert!(matches!(
            Account::new(c, ("0001", "999"), AccountKind::Ordinary, "1", "ア"),
            Err(AccountError::Branch { .. })
        ));
        assert!(matches!(
            Account::new(c, ("0001", "001"), AccountKind::Ordinary, "12345678", "ア"),
            Err(AccountError::Number(_))
        ));
        assert!(matches!(
            Account::new(c, ("0001", "001"), AccountKind::Ordinary, "1", "山田"),
            Err(AccountError::Kana(_))
        ));
    }
}
