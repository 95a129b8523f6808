//! Address normalization: prefecture, municipality (with its 6-digit local government code),
//! town (町字) and the rest, from the offline list in `data/municipalities.tsv`.

mod blocks;
mod gazetteer;
mod normalize;

pub use gazetteer::{Gazetteer, Municipality, Town};
pub use normalize::{Level, NormalizedAddress, normalize};
