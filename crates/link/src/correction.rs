//! A link corrected after マイナンバー情報総点検: an agency found that its record of a person
//! carried another resident's number, re-linked the person (through J-LIS, with the right
//! number and its 4 items) and tells the hub, which marks the exchanges made under the wrong
//! link in both people's records. The log is append-only: nothing is deleted or rewritten;
//! each person gets a new entry that names the earlier ones (`Entry::concerns`).

use serde::{Deserialize, Serialize};

use crate::{AgencyCode, MessageId};

/// The task and item of a correction's log entries.
pub const LINK_CORRECTION: &str = "link_correction";

/// The most exchanges one correction marks (the hub reads the wrong person's latest).
pub const CORRECTION_MARKS_MAX: usize = 1_000;

/// From the agency to the hub: its code under which the record was wrongly linked, and its
/// code for the right person now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkCorrection {
    /// The agency's code of the resident whose number the record wrongly carried.
    pub wrong: AgencyCode,
    /// The agency's code of the person the record is of.
    pub right: AgencyCode,
    /// The id of the second entry (the right person's); the envelope's id is the first's.
    /// Both made by the agency, so a retry finds what the first attempt wrote.
    pub right_entry: MessageId,
}

/// The hub's answer: the exchanges marked, and the entries recorded for each person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionLogged {
    /// Log indexes of the exchanges made under the wrong link that involved the agency.
    pub marked: Vec<u64>,
    /// The correction's entry in the wrong person's records.
    pub wrong_entry: u64,
    /// The correction's entry in the right person's records.
    pub right_entry: u64,
}
