//! The information provision network's rules (情報提供ネットワークシステム), with no I/O.
//!
//! - `table`: the permission table (`data/permissions.tsv`): which requesting agency may ask
//!   which providing agency for which information item, for which task.
//! - `code`: agency-specific codes (機関別符号), translated only by the hub.
//! - `layout`: the data standard layout (`data/layouts.json`), versioned, with its
//!   compatibility rule.
//! - `message`: the protocol's messages and the exchange record (a log entry).
//! - `sign`: every message a compact JWS signed by its node, checked against the network CA.
//! - `seal`: payloads sealed by the provider to the requester (HPKE), unreadable by the hub.
//! - `merkle`: the transparency log's tree, proofs for any earlier head, and their checks.
//! - `tiles`, `note`: the log as C2SP tlog-tiles (hash tiles, entry bundles, the right edge)
//!   and its checkpoint as a signed note.

pub mod account;
pub mod audit;
pub mod clerk_api;
mod code;
mod correction;
pub mod face;
pub mod hub_api;
mod ids;
pub mod inspection;
mod layout;
pub mod merkle;
mod message;
pub mod moving;
pub mod note;
mod notice;
mod permit;
mod presence;
pub mod seal;
mod sign;
mod table;
pub mod tiles;

pub use account::{AccountAction, AccountInstruction, DepositAsk, DepositRequest, SignedInstruction};
pub use code::{AgencyCode, AgencyId, CodeBook, CodeError, LinkId};
pub use correction::{CORRECTION_MARKS_MAX, CorrectionLogged, LINK_CORRECTION, LinkCorrection};
pub use layout::{Field, LayoutError, Layouts, Version};
pub use message::{
    Answer, AnsweredQuery, CODE_BATCH_MAX, CodeIssued, CodeRequest, CodeRequestBatch, CodesIssued, Delivery, Enrolment,
    EnrolmentBatch, Entry, Envelope, EnvelopeError, FRESHNESS_SECS, Forward, Identity, LineRefused, LinkItems, Logged,
    MessageError, MessageId, Outcome, PersonFacts, Query, Receipt, ReceiptRequest, Receipts, Registration, TreeHead,
    open_envelope, payload_aad,
};
pub use moving::{MoveApplication, Movers};
pub use notice::{
    HEALTH_ID, NoticeAck, NoticeForward, NoticeRequest, NoticeText, PORTAL_ID, PushKind, Reply, ReplyAnswer,
    ReplyOffer, notice_aad,
};
pub use permit::{Grant, Refusal, SELF_INFORMATION};
pub use presence::{
    AccessEntry, AccessLogAnswer, AccessLogRequest, AccessRecord, LoginProof, PRESENCE_SECS, Presence, PresenceCheck,
};
pub use sign::{NetworkTrust, NodeKey, SignError, Signed, certificate_id};
pub use table::{AgencyKind, InfoItem, Permission, PermissionTable, SELF_ONLY, TableError, TaskId};

/// The task the qualification system reads 本人確認情報 for at J-LIS (its row of the
/// permission table): the registration of the 32 qualifications.
pub const QUALIFICATION_TASK: &str = "qualification_registration";
