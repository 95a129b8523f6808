//! The clerks' pages (written next).
use std::sync::Arc;

pub fn routes(_b: Arc<crate::Benefits>) -> axum::Router {
    axum::Router::new()
}
