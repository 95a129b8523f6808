//! The information provision network's rules (情報提供ネットワークシステム), with no I/O.
//!
//! So far: the permission table (`data/permissions.tsv`, compiled in), which says which
//! requesting agency may ask which providing agency for which information item, for which
//! task. Agency codes, message envelopes and the exchange log come with the linkage issue.

mod table;

pub use table::{AgencyKind, InfoItem, Permission, PermissionTable, TableError, TaskId};
