//! The 総合振込 transfer file (全銀協 format, 種別コード 21): a header record, one data record
//! a payment, a trailer with the count and the total, an end record; each 120 bytes, numbers
//! right-aligned with zeros, text left-aligned with spaces, in JIS X 0201 as Shift_JIS encodes
//! it. Written with CR LF after each record, as banks' upload services take it; read back
//! with or without. Every file written is read back before it is handed out, and a file
//! that does not read back is refused: a wrong count or total, a record of another length.
//!
//! Encoded by hand: the format allows only ASCII and half-width katakana, each one byte in
//! Shift_JIS (U+FF61–U+FF9F are 0xA1–0xDF), so a general encoder would only add ways to write
//! what the format forbids.

use crate::{AccountKind, KanaError, kana::to_zengin};

pub(crate) const LEN: usize = 120;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransferError {
    #[error("record {record}: {reason}")]
    Broken { record: usize, reason: String },
    #[error("{0}")]
    Name(#[from] KanaError),
    #[error("{0}")]
    Limit(String),
}

/// Who pays (the municipality) and from which account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requester {
    /// 依頼人コード, 10 digits, given by the paying bank.
    pub code: String,
    /// 依頼人名, up to 40 characters in transfer kana.
    pub name: String,
    pub bank: (String, String),
    pub branch: (String, String),
    pub kind: AccountKind,
    pub number: String,
}

/// One payment (a data record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// 被仕向銀行 code and name (up to 15 in transfer kana).
    pub bank: (String, String),
    pub branch: (String, String),
    pub kind: AccountKind,
    pub number: String,
    /// 受取人名, up to 30 in transfer kana.
    pub payee: String,
    pub amount: u64,
    /// 顧客コード1: the payer's reference for the payment (10 digits), so a returned transfer
    /// finds its payment again.
    pub reference: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub requester: Requester,
    /// 取組日 (振込指定日): month and day.
    pub on: (u8, u8),
    pub payments: Vec<Payment>,
}

/// A text field; a bank's or branch's name may be left blank (the codes say which), a person's
/// may not.
fn text(s: &str, width: usize) -> Result<String, TransferError> {
    let z = if s.trim().is_empty() { String::new() } else { to_zengin(s)? };
    pad(z, width)
}

fn name(s: &str, width: usize) -> Result<String, TransferError> {
    pad(to_zengin(s)?, width)
}

fn pad(z: String, width: usize) -> Result<String, TransferError> {
    let mut out: String = z.chars().take(width).collect();
    let n = out.chars().count();
    out.extend(std::iter::repeat_n(' ', width - n));
    Ok(out)
}

fn digits(v: &str, width: usize, what: &str) -> Result<String, TransferError> {
    if v.len() > width || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TransferError::Limit(format!("{what} is at most {width} digits, not {v:?}")));
    }
    Ok(format!("{v:0>width$}"))
}

fn number(v: u64, width: usize, what: &str) -> Result<String, TransferError> {
    digits(&v.to_string(), width, what)
}

fn encode(line: &str) -> Vec<u8> {
    line.chars()
        .map(|c| match c as u32 {
            0x20..=0x7E => c as u8,
            u @ 0xFF61..=0xFF9F => (u - 0xFF61 + 0xA1) as u8,
            // `text` lets only these through; a space keeps the width if one ever slipped by.
            _ => b' ',
        })
        .collect()
}

impl Transfer {
    /// The file's bytes, read back and checked before they are returned.
    pub fn write(&self) -> Result<Vec<u8>, TransferError> {
        let r = &self.requester;
        let mut lines = Vec::with_capacity(self.payments.len() + 3);
        lines.push(format!(
            "1210{}{}{:02}{:02}{}{}{}{}{}{}{}",
            digits(&r.code, 10, "依頼人コード")?,
            name(&r.name, 40)?,
            self.on.0,
            self.on.1,
            digits(&r.bank.0, 4, "仕向銀行番号")?,
            text(&r.bank.1, 15)?,
            digits(&r.branch.0, 3, "仕向支店番号")?,
            text(&r.branch.1, 15)?,
            r.kind.digit(),
            digits(&r.number, 7, "口座番号")?,
            " ".repeat(17)
        ));
        let mut total: u64 = 0;
        for p in &self.payments {
            total = total.checked_add(p.amount).ok_or_else(|| TransferError::Limit("the total overflows".into()))?;
            lines.push(format!(
                "2{}{}{}{}    {}{}{}{}0{}{}  {}",
                digits(&p.bank.0, 4, "被仕向銀行番号")?,
                text(&p.bank.1, 15)?,
                digits(&p.branch.0, 3, "被仕向支店番号")?,
                text(&p.branch.1, 15)?,
                p.kind.digit(),
                digits(&p.number, 7, "口座番号")?,
                name(&p.payee, 30)?,
                number(p.amount, 10, "振込金額")?,
                digits(&p.reference, 10, "顧客コード1")?,
                " ".repeat(10),
                " ".repeat(7)
            ));
        }
        lines.push(format!(
            "8{}{}{}",
            number(self.payments.len() as u64, 6, "合計件数")?,
            number(total, 12, "合計金額")?,
            " ".repeat(101)
        ));
        lines.push(format!("9{}", " ".repeat(119)));
        let mut out = Vec::with_capacity(lines.len() * (LEN + 2));
        for l in &lines {
            let bytes = encode(l);
            if bytes.len() != LEN {
                return Err(TransferError::Limit(format!("a record came out {} bytes long", bytes.len())));
            }
            out.extend(bytes);
            out.extend(b"\r\n");
        }
        // Our own reader is the check: a file that does not read back is not handed out.
        let back = Transfer::read(&out)?;
        if back.payments.len() != self.payments.len() || back.total() != total {
            return Err(TransferError::Limit("the file written does not read back the same".into()));
        }
        Ok(out)
    }

    pub fn total(&self) -> u64 {
        self.payments.iter().map(|p| p.amount).sum()
    }

    /// Reads a transfer file, with or without line breaks, refusing one that is not whole.
    pub fn read(bytes: &[u8]) -> Result<Transfer, TransferError> {
        let records = records(bytes);
        let mut lines = Vec::with_capacity(records.len());
        for (i, r) in records.iter().enumerate() {
            if r.len() != LEN {
                return Err(broken(i + 1, format!("is {} bytes; every record is {LEN}", r.len())));
            }
            let mut s = String::with_capacity(LEN * 3);
            for (col, &b) in r.iter().enumerate() {
                s.push(match b {
                    0x20..=0x7E => b as char,
                    0xA1..=0xDF => char::from_u32(u32::from(b) - 0xA1 + 0xFF61).unwrap_or(' '),
                    _ => {
                        return Err(broken(
                            i + 1,
                            format!("byte 0x{b:02X} at column {} is not in the character set", col + 1),
                        ));
                    }
                });
            }
            lines.push(s);
        }
        let field = |l: &str, at: usize, n: usize| -> String { l.chars().skip(at).take(n).collect() };
        let num = |rec: usize, l: &str, at: usize, n: usize, what: &str| -> Result<String, TransferError> {
            let v = field(l, at, n);
            if v.bytes().all(|b| b.is_ascii_digit()) {
                Ok(v)
            } else {
                Err(broken(rec, format!("{what} {v:?} is not {n} digits")))
            }
        };
        let kind = |rec: usize, c: String| {
            c.chars()
                .next()
                .and_then(AccountKind::from_digit)
                .ok_or_else(|| broken(rec, format!("預金種目 {c:?} is not 1, 2 or 4")))
        };
        let trim = |s: String| s.trim_end().to_string();
        let Some(h) = lines.first() else { return Err(broken(1, "the file is empty".into())) };
        if !h.starts_with("1210") {
            return Err(broken(1, "a 総合振込 file starts with a header 1, 種別 21, コード区分 0".into()));
        }
        // Header: 1, 21, 0, 依頼人コード 10, 依頼人名 40, 取組日 MMDD, 仕向銀行 4 + 15, 仕向支店
        // 3 + 15, 預金種目 1, 口座番号 7, dummy 17.
        let month: u8 = num(1, h, 54, 2, "取組日")?.parse().unwrap_or(0);
        let day: u8 = num(1, h, 56, 2, "取組日")?.parse().unwrap_or(0);
        let requester = Requester {
            code: num(1, h, 4, 10, "依頼人コード")?,
            name: trim(field(h, 14, 40)),
            bank: (num(1, h, 58, 4, "仕向銀行番号")?, trim(field(h, 62, 15))),
            branch: (num(1, h, 77, 3, "仕向支店番号")?, trim(field(h, 80, 15))),
            kind: kind(1, field(h, 95, 1))?,
            number: num(1, h, 96, 7, "口座番号")?,
        };
        let mut payments = Vec::new();
        let mut i = 1;
        while let Some(l) = lines.get(i).filter(|l| l.starts_with('2')) {
            let rec = i + 1;
            payments.push(Payment {
                bank: (num(rec, l, 1, 4, "被仕向銀行番号")?, trim(field(l, 5, 15))),
                branch: (num(rec, l, 20, 3, "被仕向支店番号")?, trim(field(l, 23, 15))),
                kind: kind(rec, field(l, 42, 1))?,
                number: num(rec, l, 43, 7, "口座番号")?,
                payee: trim(field(l, 50, 30)),
                amount: num(rec, l, 80, 10, "振込金額")?.parse().unwrap_or(0),
                reference: num(rec, l, 91, 10, "顧客コード1")?,
            });
            i += 1;
        }
        let Some(t) = lines.get(i).filter(|l| l.starts_with('8')) else {
            return Err(broken(i + 1, "a trailer record (8) follows the data records".into()));
        };
        let count: usize = num(i + 1, t, 1, 6, "合計件数")?.parse().unwrap_or(0);
        let total: u64 = num(i + 1, t, 7, 12, "合計金額")?.parse().unwrap_or(0);
        if count != payments.len() {
            return Err(broken(i + 1, format!("合計件数 says {count}, the file has {}", payments.len())));
        }
        let transfer = Transfer { requester, on: (month, day), payments };
        if total != transfer.total() {
            return Err(broken(i + 1, format!("合計金額 says {total}, the payments add up to {}", transfer.total())));
        }
        if !lines.get(i + 1).is_some_and(|l| l.starts_with('9')) {
            return Err(broken(i + 2, "an end record (9) follows the trailer".into()));
        }
        if lines.len() > i + 2 {
            return Err(broken(i + 3, "nothing follows the end record".into()));
        }
        Ok(transfer)
    }
}

/// A file's records, split at line breaks when it has them, else every 120 bytes.
pub(crate) fn records(bytes: &[u8]) -> Vec<&[u8]> {
    if bytes.contains(&b'\n') {
        bytes.split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l)).filter(|l| !l.is_empty()).collect()
    } else {
        bytes.chunks(LEN).collect()
    }
}

pub(crate) fn broken(record: usize, reason: String) -> TransferError {
    TransferError::Broken { record, reason }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn requester() -> Requester {
        Requester {
            code: "1310160001".into(),
            name: "チヨダク".into(),
            bank: ("0001".into(), "ミズホ".into()),
            branch: ("001".into(), "トウキヨウ".into()),
            kind: AccountKind::Current,
            number: "1234567".into(),
        }
    }

    fn payment(amount: u64, payee: &str) -> Payment {
        Payment {
            bank: ("0005".into(), "ミツビシユ-エフジエイ".into()),
            branch: ("123".into(), "シンジユク".into()),
            kind: AccountKind::Ordinary,
            number: "0012345".into(),
            payee: payee.into(),
            amount,
            reference: "0000000001".into(),
        }
    }

    #[test]
    fn a_file_reads_back_and_a_broken_one_is_refused() {
        let t = Transfer {
            requester: requester(),
            on: (12, 10),
            payments: vec![payment(50_000, "ヤマダ タロウ"), payment(30_000, "スズキ ハナコ")],
        };
        let bytes = t.write().unwrap();
        assert_eq!(bytes.len(), 5 * 122);
        let back = Transfer::read(&bytes).unwrap();
        assert_eq!(back.total(), 80_000);
        assert_eq!(back.payments[0].payee, "ﾔﾏﾀﾞ ﾀﾛｳ");
        assert_eq!(back.payments[0].bank.1, "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ", "voiced marks written apart");
        // Without line breaks, as data transmission sends it.
        let flat: Vec<u8> =
            bytes.split(|&b| b == b'\n').flat_map(|l| l.strip_suffix(b"\r").unwrap_or(l).to_vec()).collect();
        assert_eq!(Transfer::read(&flat).unwrap(), back);
        // A record one byte short.
        let mut short = bytes.clone();
        short.remove(122 + 60);
        let e = Transfer::read(&short).unwrap_err().to_string();
        assert!(e.contains("record 2") && e.contains("119 bytes"), "{e}");
        // A wrong total.
        let text = String::from_utf8_lossy(&bytes).replace("000000080000", "000000080001");
        let e = Transfer::read(text.as_bytes());
        assert!(e.is_err(), "{e:?}");
        let mut wrong = bytes.clone();
        let at = 3 * 122 + 7 + 11;
        wrong[at] = b'1';
        let e = Transfer::read(&wrong).unwrap_err().to_string();
        assert!(e.contains("合計金額 says 80001"), "{e}");
        // A name that cannot be written.
        let t = Transfer { payments: vec![payment(1, "山田")], ..t };
        assert!(matches!(t.write(), Err(TransferError::Name(_))));
    }

    proptest! {
        /// Outside input: any bytes are read or refused with a reason, never a panic, and a file
        /// read has a trailer that agrees with it.
        #[test]
        fn any_file_is_read_or_refused(flip in 0usize..(5 * 122), to in any::<u8>(), junk in proptest::collection::vec(any::<u8>(), 0..300)) {
            let t = Transfer { requester: requester(), on: (1, 5), payments: vec![payment(7, "ア"), payment(9, "イ")] };
            let mut bytes = t.write().unwrap();
            bytes[flip] = to;
            if let Ok(back) = Transfer::read(&bytes) {
                prop_assert!(back.payments.len() == 2);
            }
            let _ = Transfer::read(&junk);
        }

        #[test]
        fn whatever_is_written_reads_back(
            payees in proptest::collection::vec("[アイウエオカキクケコガギパピャュョッ ]{1,40}", 0..30),
            amounts in proptest::collection::vec(1u64..10_000_000_000, 30),
        ) {
            let payments: Vec<Payment> = payees.iter().zip(&amounts).map(|(p, &a)| payment(a, p)).collect();
            let t = Transfer { requester: requester(), on: (3, 31), payments };
            match t.write() {
                Ok(bytes) => {
                    let back = Transfer::read(&bytes).unwrap();
                    prop_assert_eq!(back.payments.len(), t.payments.len());
                    prop_assert_eq!(back.total(), t.total());
                    for (b, p) in back.payments.iter().zip(&t.payments) {
                        let written: String = to_zengin(&p.payee).unwrap().chars().take(30).collect();
                        prop_assert_eq!(&b.payee, written.trim_end());
                        prop_assert_eq!(b.amount, p.amount);
                    }
                }
                // Only a name of spaces has nothing to write.
                Err(e) => prop_assert!(matches!(e, TransferError::Name(KanaError::Empty)), "{e}"),
            }
        }
    }
}
