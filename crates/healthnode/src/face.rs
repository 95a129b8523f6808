//! Face match (顔認証) is done by the facility's card reader against the photo on the card's
//! chip; the node only records that it was the method. The demo's reception page needs a
//! matcher to stand in for the reader's camera, behind this trait so a real one can replace it.

/// Compares the card's photo with the camera's image.
pub trait FaceMatcher: Send + Sync {
    /// Whether the same person, or why it cannot tell.
    fn matches(&self, card_photo: &[u8], camera: &[u8]) -> Result<bool, String>;
    /// What the reception page tells the staff about this matcher.
    fn describe(&self) -> &'static str;
}

/// A stand-in, not biometrics: the "camera image" matches when it is byte-for-byte the card's
/// photo. It exists so the demo can walk the face-match path; it recognizes no one.
pub struct StandInFace;

impl FaceMatcher for StandInFace {
    fn matches(&self, card_photo: &[u8], camera: &[u8]) -> Result<bool, String> {
        if camera.is_empty() {
            return Err("no image from the camera".into());
        }
        Ok(aws_lc_rs::constant_time::verify_slices_are_equal(card_photo, camera).is_ok())
    }

    fn describe(&self) -> &'static str {
        "stand-in matcher (byte equality with the card's photo; not face recognition)"
    }
}
