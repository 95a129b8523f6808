//! The information provision network's rules (情報提供ネットワークシステム), with no I/O.
//!
//! So far: the permission table (`data/permissions.tsv`, compiled in), which says which
//! requesting agency may ask which providing agency for which information item, for which
//! task; and agency-specific codes (機関別符号), which the hub translates from one agency's to
//! another's. Message envelopes, the hub and the exchange log come with the linkage issue.

mod code;
mod ids;
mod table;

pub use code::{AgencyCode, AgencyId, CodeBook, CodeError, LinkId};
pub use table::{AgencyKind, InfoItem, Permission, PermissionTable, TableError, TaskId};
