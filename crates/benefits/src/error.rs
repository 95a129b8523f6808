use myna_linkage::agency::AgencyError;
use myna_store::StoreError;
use myna_zengin::TransferError;

/// Why the benefit system refused or failed, by kind (the edge gives each its status).
#[derive(Debug, thiserror::Error)]
pub enum BenefitError {
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("no benefit {0}")]
    NotFound(String),
    /// The benefit is not at the stage the step needs (approve before the deadline, …).
    #[error("{0}")]
    Stage(String),
    #[error(transparent)]
    Agency(#[from] AgencyError),
    #[error(transparent)]
    Transfer(#[from] TransferError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl BenefitError {
    pub fn invalid(field: &'static str, reason: impl std::fmt::Display) -> Self {
        Self::Invalid { field, reason: reason.to_string() }
    }
}

impl From<crate::rule::DefinitionError> for BenefitError {
    fn from(e: crate::rule::DefinitionError) -> Self {
        Self::Invalid { field: e.field, reason: e.reason }
    }
}
