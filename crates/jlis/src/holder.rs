//! The holder's own suspension (一時停止), with the card: the card's user-authentication key
//! signs a statement naming the card and the time; J-LIS checks the certificate (its own
//! issue, current, not revoked), that it is this card's, the signature, and the time, and puts
//! both certificates on hold as `holder`. A stolen card's thief could do the same, which only
//! protects the holder; a lost card is reported to the hotline instead.

use myna_pki::{CertKind, Reason};

use crate::{
    cards_api::{CardView, HolderSuspend},
    error::JlisError,
    state::Jlis,
    store::CardStatus,
};

const PREFIX: &str = "myna-suspend/1";
/// How far the statement's time may be from J-LIS's clock.
const SKEW_SECS: i64 = 300;

impl Jlis {
    pub async fn suspend_by_holder(&self, card: &str, req: &HolderSuspend) -> Result<CardView, JlisError> {
        let number = crate::jpki::card_number(card)?;
        let bad =
            |why: &str| JlisError::invalid("statement", format!("{why}; sign {PREFIX}:<card number>:<unix time>"));
        let mut parts = req.statement.splitn(3, ':');
        let (Some(PREFIX), Some(named), Some(at)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("not a suspension statement"));
        };
        if named != card {
            return Err(bad("the statement names another card"));
        }
        let at: i64 = at.parse().map_err(|_| bad("the time is not a number"))?;
        let now = myna_node::now_secs();
        if (now - at).abs() > SKEW_SECS {
            return Err(bad("the statement is more than five minutes from now"));
        }
        let cert = crate::jpki::read_cert(&req.certificate)?;
        let status = self.status_of(cert.kind, cert.serial).await?;
        self.trust
            .check(&cert, CertKind::UserAuth, now, status)
            .map_err(|e| JlisError::Unauthenticated(e.to_string()))?;
        let signature = crate::jpki::decode_b64("signature", &req.signature)?;
        myna_pki::verify_signature(&cert, req.statement.as_bytes(), &signature)
            .map_err(|e| JlisError::Unauthenticated(e.to_string()))?;
        match self.cards.certificate(cert.serial).await? {
            Some(row) if row.card == number => {}
            _ => return Err(JlisError::Unauthenticated("the certificate is not this card's".into())),
        }
        self.set_card_status((number, "holder"), &[CardStatus::Issued], CardStatus::Suspended, Some(Reason::Suspended))
            .await
    }
}
