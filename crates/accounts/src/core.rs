//! Registering, changing and removing a person's public-fund account.

use std::collections::HashMap;

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
        let mut answers = self.register_many(&[(code, account, reading)], channel, now).await?;
        answers.pop().unwrap_or(Err(RegistryError::NotRegistered))
    }

    /// [`Self::register`] for many people at once (a bulk load): the lookups a few queries
    /// for the whole batch, the writes one transaction; each entry's answer in order, a
    /// refused one refused alone. Two people of the batch with the same account are both held.
    pub async fn register_many(
        &self,
        entries: &[(&str, Request<'_>, &str)],
        channel: &Channel,
        now: i64,
    ) -> Result<Vec<Result<Registered, RegistryError>>, RegistryError> {
        let checked: Vec<Result<Account, RegistryError>> =
            entries.iter().map(|&(_, account, reading)| self.check(account, reading, channel)).collect();
        let ok: Vec<(&str, &Account)> =
            entries.iter().zip(&checked).filter_map(|(e, a)| a.as_ref().ok().map(|a| (e.0, a))).collect();
        let codes: Vec<String> = ok.iter().map(|(c, _)| (*c).to_owned()).collect();
        let numbers: Vec<String> = ok.iter().map(|(_, a)| a.number.clone()).collect();
        let currents = self.store.currents(&codes).await?;
        // Who holds each account already, and who in this batch asks for it.
        let mut holders: HashMap<Key, Vec<String>> = HashMap::new();
        for r in self.store.with_numbers(&numbers).await? {
            holders
                .entry((r.bank.clone(), r.branch.clone(), r.kind.clone(), r.number.clone()))
                .or_default()
                .push(r.code);
        }
        for (code, a) in &ok {
            holders.entry(key_of(a)).or_default().push((*code).to_string());
        }
        let mut answers = Vec::with_capacity(entries.len());
        let mut writes = Vec::new();
        for ((code, _, _), account) in entries.iter().zip(checked) {
            let account = match account {
                Ok(a) => a,
                Err(e) => {
                    answers.push(Err(e));
                    continue;
                }
            };
            let others = holders.get(&key_of(&account)).is_some_and(|h| h.iter().any(|c| c != code));
            let (registered, change) = decide(code, account, currents.get(*code), others, channel, now);
            if let Some(w) = change {
                writes.push((code.to_string(), w));
            }
            answers.push(Ok(registered));
        }
        // One row per person in a statement (PostgreSQL refuses to upsert a row twice in one):
        // the last of the batch stands, as it would one after the other.
        let mut last: HashMap<&str, usize> = HashMap::new();
        for (i, (code, _)) in writes.iter().enumerate() {
            last.insert(code.as_str(), i);
        }
        let writes: Vec<_> = writes
            .iter()
            .enumerate()
            .filter(|(i, (c, _))| last.get(c.as_str()) == Some(i))
            .map(|(_, w)| w.clone())
            .collect();
        self.store.put_many(&writes, &channel.describe(), now).await?;
        Ok(answers)
    }

    /// The checks that need no table: the code list, the holder's name, the bank's own
    /// accounts only.
    fn check(
        &self,
        (bank, branch, kind, number, holder): Request<'_>,
        reading: &str,
        channel: &Channel,
    ) -> Result<Account, RegistryError> {
        let account = Account::new(self.codes, (bank, branch), kind, number, holder)?;
        account.check_holder(reading)?;
        if let Channel::Bank { bank, .. } = channel
            && *bank != account.bank
        {
            return Err(RegistryError::NotTheBank { channel: bank.clone(), account: account.bank.clone() });
        }
        Ok(account)
    }

    /// Removes the person's account (登録の抹消).
    pub async fn remove(&self, code: &str, channel: &Channel, now: i64) -> Result<(), RegistryError> {
        if self.store.current(code).await?.is_none() {
            return Err(RegistryError::NotRegistered);
        }
        self.store.remove(code, &channel.describe(), now).await?;
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

/// An account as the table keys it: bank, branch, kind digit, number.
type Key = (String, String, String, String);

fn key_of(a: &Account) -> Key {
    (a.bank.clone(), a.branch.clone(), a.kind.digit().to_string(), a.number.clone())
}

/// What to answer and what to write (nothing when the same is registered already), given the
/// person's current row and whether another person holds the same account.
fn decide(
    code: &str,
    account: Account,
    current: Option<&AccountRow>,
    others: bool,
    channel: &Channel,
    now: i64,
) -> (Registered, Option<(AccountRow, &'static str)>) {
    let status = if others { Status::Held } else { Status::Active };
    if let Some((held, was)) = current.and_then(account_of)
        && held == account
        && was == status
    {
        return (Registered { account, status }, None);
    }
    let row = AccountRow {
        code: code.to_string(),
        bank: account.bank.clone(),
        branch: account.branch.clone(),
        kind: account.kind.digit().to_string(),
        number: account.number.clone(),
        holder: account.holder.clone(),
        status: status.as_str().into(),
        channel: channel.describe(),
        updated_at: now,
    };
    let action = match (current, status) {
        (_, Status::Held) => "held: registered to another person as well",
        (None, _) => "registered",
        (Some(_), _) => "changed",
    };
    (Registered { account, status }, Some((row, action)))
}
