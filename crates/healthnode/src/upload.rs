//! A claims file read as it arrives: line by line into the parsed claims, hashed on the way,
//! so the node holds what it parsed and never the file's text.

use futures_util::StreamExt as _;
use myna_health::{ClaimError, Claims, ClaimsReader};

use crate::{HealthError, Refusal};
use sha2::{Digest, Sha256};

/// A claim line is under 1 KiB; a longer one is not a claims file.
const MAX_LINE: usize = 64 * 1024;

/// The parsed claims (or every bad line) and the file's source tag (its hash, so a file loaded
/// again adds nothing).
pub struct Received {
    pub claims: Result<Claims, Vec<ClaimError>>,
    pub source: String,
}

pub async fn receive(body: axum::body::Body, limit: usize) -> Result<Received, HealthError> {
    let mut stream = body.into_data_stream();
    let (mut reader, mut hash) = (ClaimsReader::default(), Sha256::new());
    let (mut pending, mut total) = (Vec::<u8>::new(), 0usize);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk
            .map_err(|e| HealthError::refused(Refusal::BadRequest, "body", format!("the upload broke off: {e}")))?;
        total += chunk.len();
        if total > limit {
            return Err(HealthError::refused(
                Refusal::TooLarge,
                "body_too_large",
                format!(
                    "a claims file over {} MiB is loaded with `myna health load-claims`; nothing was loaded",
                    limit >> 20
                ),
            ));
        }
        hash.update(&chunk);
        pending.extend_from_slice(&chunk);
        let mut start = 0;
        while let Some(n) = pending[start..].iter().position(|&b| b == b'\n') {
            feed(&mut reader, &pending[start..start + n]);
            start += n + 1;
        }
        pending.drain(..start);
        if pending.len() > MAX_LINE {
            return Err(HealthError::invalid(
                "claims",
                format!(
                    "line {} is longer than {} KiB: this is not a claims file; nothing was loaded",
                    reader.lines_read() + 1,
                    MAX_LINE >> 10
                ),
            ));
        }
    }
    if !pending.is_empty() {
        feed(&mut reader, &pending);
    }
    Ok(Received { claims: reader.finish(), source: hex::encode(&hash.finalize()[..12]) })
}

fn feed(reader: &mut ClaimsReader, line: &[u8]) {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    match std::str::from_utf8(line) {
        Ok(s) => reader.line(s),
        Err(e) => reader.bad_line(format!("not UTF-8 (byte {}): save the file as UTF-8", e.valid_up_to() + 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = "EXP,01130012,1234,5678,00,2025-09,オン資格薬局,調剤,1,10530,3160";

    fn body(chunks: Vec<Vec<u8>>) -> axum::body::Body {
        let s = futures_util::stream::iter(chunks.into_iter().map(Ok::<_, std::io::Error>));
        axum::body::Body::from_stream(s)
    }

    /// The file cut into pieces of `n` bytes: lines and characters split across pieces.
    fn pieces(text: &[u8], n: usize) -> Vec<Vec<u8>> {
        text.chunks(n).map(<[u8]>::to_vec).collect()
    }

    #[tokio::test]
    async fn lines_split_across_pieces_read_as_the_whole_file_does() {
        let text = format!("{LINE}\r\n# a comment\n{LINE}\n{LINE}");
        let whole = myna_health::parse_claims(&text).unwrap();
        for n in [1, 3, 7, 64, 4096] {
            let r = receive(body(pieces(text.as_bytes(), n)), 1 << 20).await.unwrap();
            let got = r.claims.unwrap();
            assert_eq!(got.lines.len(), 3, "pieces of {n}");
            assert_eq!(
                got.lines.iter().map(|l| l.line).collect::<Vec<_>>(),
                whole.lines.iter().map(|l| l.line).collect::<Vec<_>>()
            );
            assert_eq!(
                r.source,
                hex::encode(&Sha256::digest(text.as_bytes())[..12]),
                "the same tag as the file loaded whole"
            );
        }
    }

    #[tokio::test]
    async fn a_line_not_utf8_is_named_and_nothing_is_kept() {
        let mut text = format!("{LINE}\n").into_bytes();
        text.extend_from_slice(b"EXP,\xff\xfe\n");
        text.extend_from_slice(LINE.as_bytes());
        let errs = receive(body(pieces(&text, 5)), 1 << 20).await.unwrap().claims.unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, 2);
        assert!(errs[0].reason.contains("not UTF-8"), "{}", errs[0].reason);
    }

    #[tokio::test]
    async fn an_upload_over_the_limit_or_a_runaway_line_is_refused() {
        let text = format!("{LINE}\n").repeat(100);
        let e = receive(body(pieces(text.as_bytes(), 256)), 1024).await.err().unwrap();
        assert!(matches!(e, HealthError::Refused { why: Refusal::TooLarge, .. }), "{e}");
        let e = receive(body(vec![vec![b'x'; MAX_LINE + 1]]), 1 << 20).await.err().unwrap();
        assert!(matches!(e, HealthError::Refused { why: Refusal::Invalid, .. }), "{e}");
        assert!(e.to_string().contains("line 1 is longer"), "{e}");
    }
}
