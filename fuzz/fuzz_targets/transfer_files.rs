#![no_main]
//! Files that cross between organizations: the 全銀協 総合振込 file and the bank's result file,
//! a moving application's signed bytes, account and deposit instructions. Never a panic; a
//! transfer file that reads writes back to a file that reads the same.
use libfuzzer_sys::fuzz_target;
use myna_link::{AccountInstruction, DepositRequest, MoveApplication};
use myna_zengin::{Transfer, returns};

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = Transfer::read(data) {
        if let Ok(again) = t.write() {
            assert_eq!(Transfer::read(&again).ok(), Some(t), "a transfer file does not read back the same");
        }
    }
    let _ = returns::read(data);
    let _ = MoveApplication::parse(data);
    let _ = AccountInstruction::parse(data);
    let _ = DepositRequest::parse(data);
});
