//! The messages of the linkage protocol. Each travels as a compact JWS signed by its sender
//! (`sign.rs`); the envelope names the message id (retries reuse it), sender, receiver and
//! time; the hub sees everything but the sealed payload.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::{AgencyCode, AgencyId, InfoItem, TaskId, Version, seal::Sealed};

/// How far a message's time may be from the receiver's clock (seconds). Older messages are
/// refused as replays; within the window, a repeated id is a retry and gets the same answer.
pub const FRESHNESS_SECS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    #[error("a message id is 32 hexadecimal digits, got {0:?}")]
    BadId(String),
    #[error("the message was signed by {signer} but says it is from {from}")]
    NotFromSigner { signer: AgencyId, from: AgencyId },
    #[error("the message is addressed to {to}, not to this node ({me})")]
    NotForMe { to: AgencyId, me: AgencyId },
    #[error("the message is {0} s from this node's clock (more than {FRESHNESS_SECS} s): a replay, or a clock to fix")]
    Stale(i64),
    #[error("the purpose (case reference) must be 1–200 characters")]
    Purpose,
}

/// A message id: 16 bytes in hex, the first 6 the sender's clock in milliseconds and the
/// other 10 random (UUIDv7's layout). Receivers index messages by id to answer a retry; ids
/// that grow with time land at the right edge of those indexes instead of a random page each
/// (the hub's log dirtied a page of its index per entry), and 80 random bits a millisecond
/// keep them unique. The time says nothing the message's envelope does not already say.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MessageId(String);

impl MessageId {
    pub fn random() -> Self {
        let mut b = [0u8; 16];
        let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
        b[..6].copy_from_slice(&ms.to_be_bytes()[2..]);
        // The OS random source; aws-lc-rs's fill cannot fail in practice, and an id with no
        // random part would only collide with another failure in the same millisecond.
        let _ = aws_lc_rs::rand::fill(&mut b[6..]);
        Self(hex::encode(b))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for MessageId {
    type Err = MessageError;
    fn from_str(s: &str) -> Result<Self, MessageError> {
        if s.len() == 32 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            Ok(Self(s.to_string()))
        } else {
            Err(MessageError::BadId(s.chars().take(40).collect()))
        }
    }
}

impl TryFrom<String> for MessageId {
    type Error = MessageError;
    fn try_from(s: String) -> Result<Self, MessageError> {
        s.parse()
    }
}

impl From<MessageId> for String {
    fn from(m: MessageId) -> String {
        m.0
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What every message carries around its body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope<T> {
    pub id: MessageId,
    pub from: AgencyId,
    pub to: AgencyId,
    /// Unix seconds when sent.
    pub at: i64,
    pub body: T,
}

impl<T> Envelope<T> {
    pub fn new(from: AgencyId, to: AgencyId, at: i64, body: T) -> Self {
        Self { id: MessageId::random(), from, to, at, body }
    }

    /// The checks every receiver makes: signed by who it says, meant for `me`, and fresh.
    pub fn check(&self, signer: &AgencyId, me: &AgencyId, now: i64) -> Result<(), MessageError> {
        if &self.from != signer {
            return Err(MessageError::NotFromSigner { signer: signer.clone(), from: self.from.clone() });
        }
        if &self.to != me {
            return Err(MessageError::NotForMe { to: self.to.clone(), me: me.clone() });
        }
        if (now - self.at).abs() > FRESHNESS_SECS {
            return Err(MessageError::Stale(now - self.at));
        }
        Ok(())
    }
}

/// An agency's query, sent to the hub (情報照会).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    pub task: TaskId,
    pub item: InfoItem,
    /// The layout version the requester reads.
    pub version: Version,
    pub provider: AgencyId,
    /// The requester's own code for the person.
    pub code: AgencyCode,
    /// The case the query is for (X-Road's `issue`): a file or receipt number.
    pub purpose: String,
    /// The resident's login, for the portal's self-information: the hub answers the portal
    /// only for a resident signed in (`presence.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presence: Option<crate::LoginProof>,
}

impl Query {
    pub fn check_purpose(&self) -> Result<(), MessageError> {
        let n = self.purpose.chars().count();
        if (1..=200).contains(&n) && !self.purpose.chars().any(char::is_control) {
            Ok(())
        } else {
            Err(MessageError::Purpose)
        }
    }
}

/// The hub's forward of a permitted query to the provider (情報提供の求め).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forward {
    /// The requester's message id: the provider answers a repeated id the same way.
    pub query: MessageId,
    pub requester: AgencyId,
    /// The requester's public encryption key, from the hub's directory.
    pub requester_key: String,
    pub task: TaskId,
    pub item: InfoItem,
    pub version: Version,
    /// The provider's own code for the person.
    pub code: AgencyCode,
    pub purpose: String,
}

/// The provider's answer, relayed by the hub to the requester unchanged (so the requester
/// checks the provider's own signature).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Answer {
    /// The item, sealed to the requester, in layout `version`.
    Provided { query: MessageId, version: Version, sealed: Sealed },
    /// The provider holds no copy of the item for this person (該当なし).
    NotHeld { query: MessageId },
}

impl Answer {
    pub fn query(&self) -> &MessageId {
        match self {
            Answer::Provided { query, .. } | Answer::NotHeld { query } => query,
        }
    }
}

/// The associated data a sealed payload is bound to.
pub fn payload_aad(
    query: &MessageId,
    requester: &AgencyId,
    provider: &AgencyId,
    task: &TaskId,
    item: InfoItem,
) -> Vec<u8> {
    format!("{query}|{requester}|{provider}|{task}|{}", item.id()).into_bytes()
}

/// The hub's answer to the requester: where the exchange is recorded, and the provider's
/// signed answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Delivery {
    pub record: u64,
    /// The log entry's exact bytes, so the requester can check its inclusion later.
    pub entry: String,
    /// The provider's compact JWS carrying an [`Envelope<Answer>`].
    pub answer: String,
}

/// An agency's registration in the hub's directory (its id comes from its certificate).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Registration {
    /// Where the hub reaches the agency's node.
    pub url: String,
    /// The agency's public encryption key (HPKE X25519, hex).
    pub seal_key: String,
    pub name: String,
    /// A portal's origin, as its login challenges name it (`https://myna.example`): the hub
    /// accepts a resident's login proof only from the portal it was made for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_service: Option<String>,
}

/// J-LIS asks the hub for an agency's code for a person (符号取得): J-LIS knows the person by
/// the link id it derived from the resident record code; the agency never sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodeRequest {
    pub agency: AgencyId,
    pub link: u64,
}

/// What the hub records for every exchange, refused and failed ones too: one leaf of the
/// transparency log. Never the payload; the person only as a tag the hub derives from its
/// link id, so entries of one person can be listed for them and for no one else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Unix milliseconds.
    pub at: i64,
    pub message: MessageId,
    pub requester: AgencyId,
    pub provider: AgencyId,
    pub task: String,
    pub item: String,
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The person's tag (hex), absent when the hub could not tell who was asked about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Earlier entries this one is about: a link correction names the exchanges made under
    /// the wrong link (absent from every other entry, so their bytes are as before).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub concerns: Vec<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The provider's sealed answer reached the hub and was passed on.
    Delivered,
    /// The provider holds nothing for the person.
    NotHeld,
    /// Not on the permission table, or not the requester's code.
    Refused,
    /// The provider could not be reached or answered wrongly: nothing was delivered.
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Delivered => "delivered",
            Outcome::NotHeld => "not_held",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
        }
    }
}

/// A provider asks the hub which of its answers reached the log (受領確認). The hub logs an
/// exchange before it passes the answer on, so an answer that is not in the log never reached
/// the requester: after a hub restart the provider learns that, instead of believing its
/// answer was delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptRequest {
    /// At most [`ReceiptRequest::MAX`] answers.
    pub answers: Vec<AnsweredQuery>,
}

impl ReceiptRequest {
    pub const MAX: usize = 500;
}

/// One answer the provider sent: the requester's query it answered.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AnsweredQuery {
    pub requester: AgencyId,
    pub query: MessageId,
}

/// The hub's answer to a [`ReceiptRequest`], in the same order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipts {
    pub receipts: Vec<Receipt>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub answer: AnsweredQuery,
    /// Where the log records the exchange and with what outcome; `None` when the log holds no
    /// exchange of this query with the asking provider.
    pub logged: Option<Logged>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Logged {
    pub index: u64,
    pub outcome: Outcome,
}

/// A signed tree head: the log's size and root at a time, signed by the hub (or by J-LIS, of its access log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TreeHead {
    pub size: u64,
    /// Hex SHA-256.
    pub root: String,
    /// Unix milliseconds.
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error(transparent)]
    Sign(#[from] crate::SignError),
    #[error(transparent)]
    Message(#[from] MessageError),
}

/// Opens a signed envelope meant for `me`: signature against the network CA, sender equal to
/// signer, addressee, freshness.
pub fn open_envelope<T: serde::de::DeserializeOwned>(
    trust: &crate::NetworkTrust,
    jws: &str,
    me: &AgencyId,
    now: i64,
) -> Result<Envelope<T>, EnvelopeError> {
    let signed = trust.open::<Envelope<T>>(jws, now)?;
    signed.body.check(&signed.signer, me, now)?;
    Ok(signed.body)
}

/// A person as an agency links them: the individual number with the agency's own 4 items of
/// the person (name, date of birth, sex where it holds it, address). J-LIS links the number
/// only if the items are its resident's, and says which item differs otherwise: a number
/// written wrongly on a form, or a family member's taken for the applicant's, is refused at
/// the source (マイナンバー情報総点検, seed 001: 住基ネット照会 by the 4 items).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkItems {
    pub number: String,
    pub name: String,
    pub birth: String,
    #[serde(default)]
    pub sex: Option<String>,
    pub address: String,
}

/// An agency asks J-LIS for its code for a person (符号取得); J-LIS asks the hub.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Enrolment {
    /// (First: the enum is untagged, and these fields include `number`.) By the individual
    /// number with the agency's own 4 items of the person ([`LinkItems`]).
    Items(LinkItems),
    /// A number alone. Always refused by J-LIS, which says to send the 4 items: kept on the
    /// wire so that an agency still sending it is told why rather than "no variant matched".
    NumberOnly { number: String },
    /// By the serial of the user-authentication certificate the resident has just logged in
    /// with: the portal's way, so the portal never handles the number.
    Certificate { user_auth_serial: String },
    /// By the resident's own signature with the card's signing key over what they ask of the
    /// agency (an [`crate::AccountInstruction`]): the account registry's way, which is also
    /// answered the registered reading of the name (the holder's name is checked against it).
    Signed(crate::account::SignedInstruction),
}

/// The most people one batch of code acquisition names.
pub const CODE_BATCH_MAX: usize = 1_000;

/// An agency asks J-LIS for its codes for many people at once (a population enrolled in bulk):
/// one signed message, one round trip through J-LIS and the hub, for up to
/// [`CODE_BATCH_MAX`] people, each by number and the agency's 4 items.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrolmentBatch {
    pub people: Vec<LinkItems>,
}

/// J-LIS asks the hub for an agency's codes for many link ids.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodeRequestBatch {
    pub agency: AgencyId,
    pub links: Vec<u64>,
}

/// The codes of a batch, in the order asked; `None` where J-LIS linked nobody (no resident
/// has the number, or the items are not its resident's), with the reason in `refused`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodesIssued {
    pub agency: AgencyId,
    pub codes: Vec<Option<AgencyCode>>,
    /// Why each line without a code got none, by its place in the batch.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<LineRefused>,
}

/// A line of a batch J-LIS did not link, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineRefused {
    pub line: usize,
    pub reason: String,
}

/// An agency's code for a person, as the hub issued it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodeIssued {
    pub agency: AgencyId,
    pub code: AgencyCode,
    /// The registered reading of the resident's name (katakana), answered only to the account
    /// registry (which checks account holders' names against it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
    /// What 預金保険機構 needs to have banks find a person's accounts (their number, birth date,
    /// whether they have died), answered to it only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facts: Option<PersonFacts>,
    /// The signer's 本人確認情報 as the register holds it, answered only to the qualification
    /// system (a qualification's register takes name, birth date and address from J-LIS
    /// instead of 戸籍抄本 and 住民票).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
}

/// A person's 本人確認情報 (basic 4 items, the reading and the number), as J-LIS holds them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Identity {
    /// The individual number: the qualifications' keepers use it to keep the registration's
    /// name and standing current (番号法 別表).
    pub number: String,
    pub name: String,
    pub kana: String,
    pub birth: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    pub address: String,
    pub deceased: bool,
}

/// A person as 預金保険機構 names them to banks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonFacts {
    pub number: String,
    pub birth: String,
    pub deceased: bool,
}
