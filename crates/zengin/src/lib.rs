//! Japanese bank transfers as the 全国銀行協会 (Zengin) formats them, for paying public funds:
//! the bank and branch code list (`codes`, from PyPI `zengin-code`, embedded), names in the
//! half-width katakana transfers carry (`kana`), a receiving account checked against both
//! (`account`), the 総合振込 transfer file, written and read back (`transfer`), and the bank's
//! result file of what it could not pay (`returns`). No I/O.

pub mod account;
pub mod codes;
pub mod kana;
pub mod returns;
pub mod transfer;

pub use account::{Account, AccountError, AccountKind};
pub use codes::{Bank, Branch, Codes};
pub use kana::{KanaError, to_zengin};
pub use transfer::{Payment, Requester, Transfer, TransferError};
