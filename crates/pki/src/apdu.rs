//! ISO/IEC 7816-4 application protocol data units, short form: what a host sends a chip and
//! what the chip answers, as PC/SC carries them. Written here because it is a few lines of
//! byte layout that both sides of the card (`jpki_ap`, `jpki_host`) share.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApduError {
    #[error("an APDU has at least 4 bytes (CLA INS P1 P2), this one has {0}")]
    Short(usize),
    #[error("the APDU's length byte says {said} data bytes, it carries {has}")]
    Length { said: usize, has: usize },
    #[error("extended-length APDUs are not used by this card")]
    Extended,
    #[error("a response has at least its 2 status bytes")]
    NoStatus,
}

/// A command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    pub data: Vec<u8>,
    /// The bytes expected back (256 for `Le = 00`), when any.
    pub le: Option<usize>,
}

impl Command {
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8, data: &[u8], le: Option<usize>) -> Self {
        Self { cla, ins, p1, p2, data: data.to_vec(), le }
    }

    /// Reads the four short cases: header; header Le; header Lc data; header Lc data Le.
    pub fn parse(b: &[u8]) -> Result<Self, ApduError> {
        let [cla, ins, p1, p2, rest @ ..] = b else { return Err(ApduError::Short(b.len())) };
        let le = |x: u8| Some(if x == 0 { 256 } else { usize::from(x) });
        let (data, le) = match rest {
            [] => (&[][..], None),
            [x] => (&[][..], le(*x)),
            [0, ..] => return Err(ApduError::Extended),
            [lc, tail @ ..] => {
                let lc = usize::from(*lc);
                match tail.len() {
                    n if n == lc => (tail, None),
                    n if n == lc + 1 => (&tail[..lc], le(tail[lc])),
                    n => return Err(ApduError::Length { said: lc, has: n }),
                }
            }
        };
        Ok(Self { cla: *cla, ins: *ins, p1: *p1, p2: *p2, data: data.to_vec(), le })
    }

    pub fn bytes(&self) -> Vec<u8> {
        let mut out = vec![self.cla, self.ins, self.p1, self.p2];
        if !self.data.is_empty() {
            out.push(self.data.len() as u8);
            out.extend_from_slice(&self.data);
        }
        if let Some(le) = self.le {
            out.push(if le >= 256 { 0 } else { le as u8 });
        }
        out
    }
}

/// Status words this card answers with.
pub mod sw {
    pub const OK: u16 = 0x9000;
    pub const WRONG_LENGTH: u16 = 0x6700;
    pub const SECURITY_NOT_SATISFIED: u16 = 0x6982;
    pub const AUTH_BLOCKED: u16 = 0x6983;
    pub const CONDITIONS_NOT_SATISFIED: u16 = 0x6985;
    pub const WRONG_DATA: u16 = 0x6A80;
    pub const FILE_NOT_FOUND: u16 = 0x6A82;
    pub const WRONG_P1P2: u16 = 0x6B00;
    pub const INS_NOT_SUPPORTED: u16 = 0x6D00;
    pub const CLA_NOT_SUPPORTED: u16 = 0x6E00;

    /// `63 Cx`: a wrong secret, `x` tries left.
    pub fn tries(left: u8) -> u16 {
        0x63C0 | u16::from(left.min(15))
    }

    /// The tries a `63 Cx` reports.
    pub fn tries_of(sw: u16) -> Option<u8> {
        (sw & 0xFFF0 == 0x63C0).then_some((sw & 0x0F) as u8)
    }
}

/// A response: data, then SW1 SW2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub data: Vec<u8>,
    pub sw: u16,
}

impl Response {
    pub fn ok(data: Vec<u8>) -> Self {
        Self { data, sw: sw::OK }
    }

    pub fn status(sw: u16) -> Self {
        Self { data: Vec::new(), sw }
    }

    pub fn parse(b: &[u8]) -> Result<Self, ApduError> {
        let n = b.len().checked_sub(2).ok_or(ApduError::NoStatus)?;
        Ok(Self { data: b[..n].to_vec(), sw: u16::from_be_bytes([b[n], b[n + 1]]) })
    }

    pub fn bytes(&self) -> Vec<u8> {
        let mut out = self.data.clone();
        out.extend_from_slice(&self.sw.to_be_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_cases_read_back() {
        for c in [
            Command::new(0x00, 0xA4, 0x04, 0x0C, &[], None),
            Command::new(0x00, 0xB0, 0x00, 0x04, &[], Some(256)),
            Command::new(0x00, 0x20, 0x00, 0x80, b"1234", None),
            Command::new(0x80, 0x2A, 0x00, 0x80, &[7; 51], Some(256)),
        ] {
            assert_eq!(Command::parse(&c.bytes()), Ok(c));
        }
        assert_eq!(Command::parse(&[0, 0xA4]), Err(ApduError::Short(2)));
        assert_eq!(Command::parse(&[0, 0x20, 0, 0x80, 4, 1, 2]), Err(ApduError::Length { said: 4, has: 2 }));
        assert_eq!(Command::parse(&[0, 0xB0, 0, 0, 0, 1, 0]), Err(ApduError::Extended));
        assert_eq!(Response::parse(&[1, 2, 0x90, 0]), Ok(Response::ok(vec![1, 2])));
        assert_eq!(sw::tries_of(sw::tries(2)), Some(2));
        assert_eq!(sw::tries_of(sw::OK), None);
    }
}
