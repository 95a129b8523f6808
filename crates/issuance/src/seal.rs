//! A registered seal's impression (印影) as the municipality keeps it and prints it on a
//! 印鑑登録証明書: taken from the clerk's scan (PNG or JPEG), cropped to the ink, scaled to a
//! square of [`SIDE`] grey pixels. The certificate's signed code carries the impression's
//! SHA-256 (the picture is too large for a QR code), so a verifier compares the printed
//! impression against the digest the municipality signed.

use aws_lc_rs::digest::{SHA256, digest};
use image::{GrayImage, imageops};

/// Pixels a side.
pub const SIDE: u32 = 160;
/// Darker than this is ink.
const INK: u8 = 128;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("印影の画像を読めません / the impression's picture does not read: {0}")]
    Picture(String),
    #[error(
        "印影が写っていません / no impression in the picture: scan the seal pressed in red or black on white paper"
    )]
    NoInk,
    #[error(
        "印影がつぶれています / the impression is a solid block: scan it again, pressed lightly, with its edges visible"
    )]
    Solid,
    #[error("stored impression is damaged")]
    Damaged,
}

/// A seal's impression, normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Impression {
    /// `SIDE × SIDE` grey levels, row by row from the top.
    pixels: Vec<u8>,
}

impl Impression {
    /// From a clerk's scan: the ink's bounding square, scaled to `SIDE`; refused when the
    /// picture has no ink or is nearly all ink.
    pub fn from_picture(bytes: &[u8]) -> Result<Self, SealError> {
        let img = image::load_from_memory(bytes).map_err(|e| SealError::Picture(e.to_string()))?.to_luma8();
        let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
        for (x, y, p) in img.enumerate_pixels() {
            if p.0[0] < INK {
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            }
        }
        if x0 > x1 {
            return Err(SealError::NoInk);
        }
        // A square around the ink, centred, so a round or oblong seal keeps its shape.
        let side = (x1 - x0).max(y1 - y0) + 1;
        let (cx, cy) = ((x0 + x1) / 2, (y0 + y1) / 2);
        let mut square = GrayImage::from_pixel(side, side, image::Luma([255]));
        let (ox, oy) = (i64::from(cx) - i64::from(side / 2), i64::from(cy) - i64::from(side / 2));
        imageops::overlay(&mut square, &img, -ox, -oy);
        let scaled = imageops::resize(&square, SIDE, SIDE, imageops::FilterType::Triangle);
        let ink = scaled.pixels().filter(|p| p.0[0] < INK).count() as f64 / f64::from(SIDE * SIDE);
        if ink < 0.02 {
            return Err(SealError::NoInk);
        }
        if ink > 0.85 {
            return Err(SealError::Solid);
        }
        Ok(Self { pixels: scaled.into_raw() })
    }

    /// As stored: the grey levels.
    pub fn from_pixels(pixels: Vec<u8>) -> Result<Self, SealError> {
        if pixels.len() != (SIDE * SIDE) as usize {
            return Err(SealError::Damaged);
        }
        Ok(Self { pixels })
    }

    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// The hex SHA-256 of the grey levels: what the certificate's code carries.
    pub fn digest(&self) -> String {
        hex::encode(digest(&SHA256, &self.pixels))
    }

    /// The impression as a PNG (for the clerk's page).
    pub fn png(&self) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        let img = GrayImage::from_raw(SIDE, SIDE, self.pixels.clone());
        if let Some(img) = img {
            let _ = img.write_to(&mut out, image::ImageFormat::Png);
        }
        out.into_inner()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A round seal pressed on paper, scanned: a ring and a bar of ink on white, off-centre.
    pub(crate) fn scan(w: u32, h: u32, r: f64) -> Vec<u8> {
        let (cx, cy) = (f64::from(w) * 0.4, f64::from(h) * 0.6);
        let img = GrayImage::from_fn(w, h, |x, y| {
            let d = ((f64::from(x) - cx).powi(2) + (f64::from(y) - cy).powi(2)).sqrt();
            let bar = (f64::from(x) - cx).abs() < r * 0.15 && d < r;
            image::Luma([if (d < r && d > r * 0.85) || bar { 30 } else { 245 }])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_scan_is_cropped_to_its_ink_and_the_same_seal_gives_the_same_digest() {
        let a = Impression::from_picture(&scan(400, 300, 60.0)).unwrap();
        assert_eq!(a.pixels().len(), (SIDE * SIDE) as usize);
        // The same seal scanned on a larger sheet, elsewhere on it: the same impression.
        let b = Impression::from_picture(&scan(800, 500, 60.0)).unwrap();
        assert_eq!(a.digest(), b.digest());
        assert_eq!(Impression::from_pixels(a.pixels().to_vec()).unwrap(), a);
        assert!(a.png().starts_with(b"\x89PNG"));

        let blank = {
            let mut out = std::io::Cursor::new(Vec::new());
            GrayImage::from_pixel(100, 100, image::Luma([250])).write_to(&mut out, image::ImageFormat::Png).unwrap();
            out.into_inner()
        };
        assert_eq!(Impression::from_picture(&blank), Err(SealError::NoInk));
        let solid = {
            let mut out = std::io::Cursor::new(Vec::new());
            GrayImage::from_pixel(100, 100, image::Luma([10])).write_to(&mut out, image::ImageFormat::Png).unwrap();
            out.into_inner()
        };
        assert_eq!(Impression::from_picture(&solid), Err(SealError::Solid));
        assert!(matches!(Impression::from_picture(b"not a picture"), Err(SealError::Picture(_))));
        assert_eq!(Impression::from_pixels(vec![0; 10]), Err(SealError::Damaged));
    }
}
