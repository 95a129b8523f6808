//! 引越しワンストップ at a municipality (issue 19): `store.rs` (the applications received),
//! `desk.rs` (the core: a signed 転出届 recorded at J-LIS, a 転入予約 kept, the 転出証明書情報
//! notified in advance put beside it, the 転入 completed in one step). The clerk's page of
//! arrivals is on the municipality's office system (`myna_benefits::moves`), behind its staff
//! sign-in.

mod counter;
pub mod desk;
pub mod store;

pub use desk::{Arrival, Moving, MovingError};
pub use myna_jlis::ResidentView;

use std::sync::{Arc, OnceLock};

use myna_link::{AgencyKind, PushKind};
use myna_node::ApiError;

/// Where the desk is once it is open: the municipality's inbox (started before it) hands it
/// the portal's pushes through this.
pub type Cell = Arc<OnceLock<Arc<Moving>>>;

impl From<MovingError> for ApiError {
    fn from(e: MovingError) -> Self {
        match e {
            MovingError::Refused(m) => ApiError::unprocessable("refused", m),
            MovingError::Jlis(m) => ApiError::unprocessable("jlis_refused", m),
            MovingError::Store(e) => ApiError::store(e),
            MovingError::Agency(e) => e.into(),
        }
    }
}

/// The push kinds the desk takes.
pub fn takes(kind: PushKind) -> bool {
    matches!(kind, PushKind::MoveOut | PushKind::MoveIn | PushKind::MoveWithin)
}

/// A push the municipality's inbox opened, for the desk: only the portal sends applications.
pub async fn take(cell: &Cell, sender: AgencyKind, kind: PushKind, code: &str, plain: &[u8]) -> Result<(), ApiError> {
    if sender != AgencyKind::Portal {
        return Err(ApiError::unprocessable("kind", "move applications come from the portal only"));
    }
    let desk = cell.get().ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "starting",
            "the moving desk is starting; the hub retries",
        )
    })?;
    Ok(desk.take(kind, code, plain).await?)
}
