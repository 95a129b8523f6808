//! A synthetic population of Japan: names in kanji with kana, sexes, birth dates following
//! the age pyramid, households with relationships, addresses in real municipalities weighted
//! by population, and what the country's agencies would record about each resident
//! ([`livelihood`]). Deterministic for a seed (ChaCha8). No I/O: the caller loads what it
//! yields.

mod households;
pub mod livelihood;
pub mod mislinks;
mod names;
mod places;
mod pyramid;

pub use households::Generator;
