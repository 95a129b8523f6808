//! 預貯金口座付番 and 所在確認 (預貯金口座管理法, issue 18): with their consent, a resident's
//! number is linked to all their accounts at the banks they choose at once, and heirs (once
//! the death is recorded) or a disaster victim learn which banks hold accounts.
//!
//! - `bank.rs`: a bank's node: its customers' accounts, linked to a number when 預金保険機構
//!   names the person (number, reading, birth date), and the accounts linked to a number.
//! - `dic.rs`: 預金保険機構's node on the linkage network (kind `deposit_insurance`): a
//!   resident's request signed with the card, pushed by the portal and checked by J-LIS (which
//!   names the signer and gives 預金保険機構 alone their number and birth date), sent to each
//!   bank; a bank's query for an heir, answered only once J-LIS records the death. Every step
//!   is recorded, and the resident is told the result in the portal.

pub mod bank;
pub mod dic;
