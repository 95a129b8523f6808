//! Health insurance by card (オンライン資格確認) and the public medical hub (PMH), without I/O.
//!
//! What an insurer registers (eligibility), what a patient consents to at reception, what the
//! claims give (medication, checkups, medical expenses), and what municipalities register for
//! medical subsidies, vaccinations and maternal checkups — as types that refuse bad values with
//! a reason. The node (`myna-healthnode`) stores and serves them; the individual number never
//! appears here: a person is the health node's own code.

mod claims;
mod consent;
mod date;
mod insurance;
mod medical;
mod pdf;
mod pmh;
mod tax;
mod view;

pub use claims::{Claim, ClaimError, ClaimLine, Claims, ClaimsReader, parse_claims};
pub use consent::{CHECKUP_AGE, Consent, IdentityCheck, Scope};
pub use date::{age_on, parse_date};
pub use insurance::card_key;
pub use insurance::{
    Branch, Change, Copay, Eligibility, EligibilityError, InsurerNumber, LimitCategory, Standing, decisive, supersede,
};
pub use medical::{
    CHECKUP_ITEMS, CheckupItem, CheckupResult, Dispensing, EXPENSE_KINDS, Expense, Flag, Medication, Threshold,
    checkup_item,
};
pub use pdf::{expenses_pdf, medication_pdf};
pub use pmh::{PmhRecord, Reminder, SubsidyKind, VACCINES, Vaccine, reminders};
pub use tax::{expenses_csv, medication_csv, tax_return_csv};
pub use view::{CheckLine, CheckupWire, EligibilityLine, ItemValue, MedicalView, PmhLine, ReminderLine};
