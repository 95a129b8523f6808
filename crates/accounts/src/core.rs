//! Registering, changing and removing a person's public-fund account.

use myna_store::{Db, StoreError};
use myna_zengin::{Account, AccountError, AccountKind, Codes};

use crate::store::{AccountRow, AccountStore};

/// Through whom an account is registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Channel {
    /// By the resident in Myna Portal, signed with the card.
    Portal,
    /// At a bank's counter, for its own customer, with the customer's consent on record there.
    Bank { bank: String, consent: String },
}

impl Channel {
    fn describe(&self) -> String {
        match self {
            Channel::Portal => "portal".into(),
            Channel::Bank { bank, consent } => format!("bank:{bank} consent:{consent}"),
        }
    }
}

/// Whether an account can be paid into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active,
    /// Registered to another person as well: held until reviewed, and not paid into.
    Held,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Held => "held",
        }
    }
}

/// What a registration names: bank, branch, kind, number, holder's name.
pub type Request<'a> = (&'a str, &'a str, AccountKind, &'a str, &'a str);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    pub account: Account,
    pub status: Status,
}

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error("a bank registers accounts at itself only: {channel} is not the account's bank {account}")]
    NotTheBank { channel: String, account: String },
    #[error("no public-fund account is registered for this person")]
    NotRegistered,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub struct Registry {
    store: AccountStore,
    codes: &'static Codes,
}

fn account_of(r: &AccountRow) -> Option<(Account, Status)> {
    let account = Account {
        bank: r.bank.clone(),
        branch: r.branch.clone(),
        kind: AccountKind::from_digit(r.kind.chars().next()?)?,
        number: r.number.clone(),
        holder: r.holder.clone(),
    };
    let status = if r.status == "held" { Status::Held } else { Status::Active };
    Some((account, status))
}

impl Registry {
    pub async fn open(db: Db) -> Result<Self, RegistryError> {
        Ok(Self { store: AccountStore::open(db).await?, codes: Codes::embedded() })
    }

    /// Registers (or changes to) `account` for the person with `code`, whose name the
    /// registry reads `reading` (katakana). Refused when the bank or branch is not in the code
    /// list, the number is not one, or the holder's name is not the person's; held (and said
    /// so) when another person has registered the same account. Sending the same again
    /// changes nothing and answers the same.
    pub async fn register(
        &self,
        code: &str,
        account: Request<'_>,
        reading: &str,
        channel: &Channel,
        now: i64,
    ) -> Result<Registered, RegistryError> {
        let (registered, change) = self.prepare(code, account, reading, channel, &[], now).await?;
        if let Some((row, action)) = change {
            self.store.put(code, Some(&row), action, &channel.describe(), now).await?;
        }
        Ok(registered)
    }

    /// [`Self::register`] for many people at once (a bulk load), written in one transaction:
    /// each entry's answer in order, a refused one refused alone. Two people of the batch with
    /// the same account are both held.
    pub async fn register_many(
        &self,
        entries: &[(&str, Request<'_>, &str)],
        channel: &Channel,
        now: i64,
    ) -> Result<Vec<Result<Registered, RegistryError>>, RegistryError> {
        let mut answers = Vec::with_capacity(entries.len());
        let mut writes = Vec::new();
        let mut seen: Vec<(String, Account)> = Vec::new();
        for &(code, account, reading) in entries {
            match self.prepare(code, account, reading, channel, &seen, now).await {
                Ok((registered, change)) => {
                    seen.push((code.to_string(), registered.account.clone()));
                    if let Some(w) = change {
                        writes.push((code.to_string(), w));
                    }
                    answers.push(Ok(registered));
                }
                Err(e @ RegistryError::Store(_)) => return Err(e),
                Err(e) => answers.push(Err(e)),
            }
        }
        self.store.put_many(&writes, &channel.describe(), now).await?;
        Ok(answers)
    }

    /// The checks, and what to write (nothing when the same is registered already). `batch`:
    /// accounts others of the same batch registered, not yet written.
    async fn prepare(
        &self,
        code: &str,
        (bank, branch, kind, number, holder): Request<'_>,
        reading: &str,
        channel: &Channel,
        batch: &[(String, Account)],
        now: i64,
    ) -> Result<(Registered, Option<(AccountRow, &'static str)>), RegistryError> {
        let account = Account::new(self.codes, (bank, branch), kind, number, holder)?;
        account.check_holder(reading)?;
        if let Channel::Bank { bank, .. } = channel
            && *bank != account.bank
        {
            return Err(RegistryError::NotTheBank { channel: bank.clone(), account: account.bank.clone() });
        }
        let kind = account.kind.digit().to_string();
        let key = (account.bank.as_str(), account.branch.as_str(), kind.as_str(), account.number.as_str());
        let others = self.store.others_with(code, key).await?;
        let in_batch = batch.iter().any(|(c, a)| c != code && *a == account);
        let status = if others.is_empty() && !in_batch { Status::Active } else { Status::Held };
        let current = self.store.current(code).await?;
        if let Some((held, was)) = current.as_ref().and_then(account_of)
            && held == account
            && was == status
        {
            return Ok((Registered { account, status }, None));
        }
        let row = AccountRow {
            code: code.to_string(),
            bank: account.bank.clone(),
            branch: account.branch.clone(),
            kind,
            number: account.number.clone(),
            holder: account.holder.clone(),
            status: status.as_str().into(),
            channel: channel.describe(),
            updated_at: now,
        };
        let action = match (&current, status) {
            (_, Status::Held) => "held: registered to another person as well",
            (None, _) => "registered",
            (Some(_), _) => "changed",
        };
        Ok((Registered { account, status }, Some((row, action))))
    }

    /// Removes the person's account (登録の抹消).
    pub async fn remove(&self, code: &str, channel: &Channel, now: i64) -> Result<(), RegistryError> {
        if self.store.current(code).await?.is_none() {
            return Err(RegistryError::NotRegistered);
        }
        self.store.put(code, None, "removed", &channel.describe(), now).await?;
        Ok(())
    }

    /// The person's account and whether it can be paid into.
    pub async fn account(&self, code: &str) -> Result<Option<(Account, Status)>, RegistryError> {
        Ok(self.store.current(code).await?.as_ref().and_then(account_of))
    }

    /// Every change of the person's account, oldest first: (what, the account, through whom,
    /// when), for the resident to see.
    pub async fn history(&self, code: &str) -> Result<Vec<(String, Option<String>, String, i64)>, RegistryError> {
        Ok(self.store.history(code).await?)
    }
}
