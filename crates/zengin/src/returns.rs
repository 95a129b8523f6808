//! The bank's answer to a 総合振込 file: the same records handed back, each data record marked
//! with its result in the first byte of its dummy area (column 114): `0` paid, or why it could
//! not be (振込不能事由). Banks return results in more than one way (a 振込不能 notice on
//! paper, a 結果明細 file); this is the file form, kept in the transfer's own layout so that
//! each result finds its payment again by 顧客コード1, and read as strictly as the transfer.

use crate::transfer::{LEN, Payment, Transfer, TransferError, broken, records};

/// Column (0-based) of the result in a data record: the first byte of the dummy area.
const AT: usize = 113;

/// Why a transfer could not be paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unpaid {
    /// 該当口座なし: no such account at the branch.
    NoAccount,
    /// 名義相違: the account is someone else's.
    NameMismatch,
    /// 口座解約済: the account was closed.
    Closed,
    /// その他.
    Other,
}

impl Unpaid {
    pub fn digit(self) -> u8 {
        match self {
            Self::NoAccount => b'1',
            Self::NameMismatch => b'2',
            Self::Closed => b'3',
            Self::Other => b'9',
        }
    }

    pub fn from_digit(d: u8) -> Option<Self> {
        Some(match d {
            b'1' => Self::NoAccount,
            b'2' => Self::NameMismatch,
            b'3' => Self::Closed,
            b'9' => Self::Other,
            _ => return None,
        })
    }

    pub fn name_ja(self) -> &'static str {
        match self {
            Self::NoAccount => "該当口座なし",
            Self::NameMismatch => "名義相違",
            Self::Closed => "口座解約済",
            Self::Other => "その他",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::NoAccount => "no such account",
            Self::NameMismatch => "the name does not match",
            Self::Closed => "the account is closed",
            Self::Other => "other",
        }
    }
}

/// A payment of a result file and what became of it (`None`: paid).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub payment: Payment,
    pub unpaid: Option<Unpaid>,
}

/// The result file a bank returns for `file`: every payment paid but those named by their
/// 顧客コード1 in `unpaid`. Refuses a reference the file does not hold.
pub fn mark(file: &[u8], unpaid: &[(&str, Unpaid)]) -> Result<Vec<u8>, TransferError> {
    let t = Transfer::read(file)?;
    for (r, _) in unpaid {
        if !t.payments.iter().any(|p| p.reference == *r) {
            return Err(TransferError::Limit(format!("no payment of the file has the reference {r}")));
        }
    }
    let mut out = Vec::with_capacity(file.len());
    let mut data = t.payments.iter();
    for rec in records(file) {
        let mut rec = rec.to_vec();
        if rec.first() == Some(&b'2') {
            let reference = data.next().map(|p| p.reference.as_str()).unwrap_or_default();
            let why = unpaid.iter().find(|(r, _)| *r == reference).map(|(_, u)| u.digit());
            if let Some(b) = rec.get_mut(AT) {
                *b = why.unwrap_or(b'0');
            }
        }
        out.extend(rec);
        out.extend(b"\r\n");
    }
    Ok(out)
}

/// Reads a result file: the transfer checked as any, and each payment's result; a data
/// record without one is refused.
pub fn read(bytes: &[u8]) -> Result<(Transfer, Vec<Outcome>), TransferError> {
    let t = Transfer::read(bytes)?;
    let mut results = Vec::with_capacity(t.payments.len());
    let mut payments = t.payments.iter();
    for (i, rec) in records(bytes).iter().enumerate() {
        if rec.first() != Some(&b'2') || rec.len() != LEN {
            continue;
        }
        let Some(p) = payments.next() else { break };
        let unpaid = match rec.get(AT).copied() {
            Some(b'0') => None,
            Some(d) => Some(Unpaid::from_digit(d).ok_or_else(|| {
                broken(
                    i + 1,
                    format!("column {} holds {:?}, not a result (0 paid, 1, 2, 3 or 9 unpaid)", AT + 1, d as char),
                )
            })?),
            None => None,
        };
        results.push(Outcome { payment: p.clone(), unpaid });
    }
    Ok((t, results))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AccountKind, Requester};

    fn file() -> Vec<u8> {
        let payment = |reference: &str, amount| Payment {
            bank: ("0005".into(), "".into()),
            branch: ("123".into(), "".into()),
            kind: AccountKind::Ordinary,
            number: "0012345".into(),
            payee: "ヤマダ タロウ".into(),
            amount,
            reference: reference.into(),
        };
        Transfer {
            requester: Requester {
                code: "1310160001".into(),
                name: "チヨダク".into(),
                bank: ("0001".into(), "".into()),
                branch: ("001".into(), "".into()),
                kind: AccountKind::Current,
                number: "1234567".into(),
            },
            on: (12, 25),
            payments: vec![payment("0000000001", 50_000), payment("0000000002", 100_000)],
        }
        .write()
        .unwrap()
    }

    #[test]
    fn a_result_names_the_unpaid_and_a_plain_transfer_is_no_result() {
        let f = file();
        // The transfer as written carries no results: read as a result file, it is refused.
        let e = read(&f).unwrap_err().to_string();
        assert!(e.contains("record 2") && e.contains("column 114"), "{e}");
        let r = mark(&f, &[("0000000002", Unpaid::NoAccount)]).unwrap();
        let (t, results) = read(&r).unwrap();
        assert_eq!(t.total(), 150_000);
        let got: Vec<_> = results.iter().map(|x| (x.payment.reference.as_str(), x.unpaid)).collect();
        assert_eq!(got, [("0000000001", None), ("0000000002", Some(Unpaid::NoAccount))]);
        assert!(mark(&f, &[("0000000009", Unpaid::Other)]).is_err(), "a reference the file does not hold");
        let mut bad = r.clone();
        bad[2 * 122 + AT] = b'7';
        assert!(read(&bad).unwrap_err().to_string().contains("'7'"));
    }
}
