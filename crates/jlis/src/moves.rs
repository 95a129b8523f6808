//! 引越しワンストップ at J-LIS: the municipality a resident leaves records the 転出 from the
//! resident's own signed application (J-LIS checks the signature and who signed it); the
//! 転出証明書情報 is then handed, through 住基ネット, to the municipality of the destination
//! and to no other (`incoming`, each hand-over in the access log the resident reads), which
//! completes the 転入 at the visit. The rules of a move are `myna_registry::moving`'s.

use base64ct::{Base64, Encoding as _};
use myna_link::{MoveApplication, Movers, SignedInstruction};
use myna_node::today_jst as today;
use myna_registry::{
    EventKind, LifeEvent, Relationship, Resident, Status,
    moving::{self, keeper},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    JlisError,
    access::Caller,
    api::ResidentView,
    registry::{address_of, code, date, invalid, keeps, municipality},
    state::Jlis,
};

/// How long a signed application stays good: a node refuses one signed earlier.
const FRESH_SECS: i64 = 600;

/// What was recorded for a 転出届.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MoveOutRecorded {
    /// The application's id (the same application sent again is the same move).
    pub id: String,
    /// Who moved out, each as recorded now.
    pub movers: Vec<ResidentView>,
    /// The destination, normalized.
    pub to: String,
    /// Its municipality's local government code (the one that completes the 転入).
    pub to_municipality: String,
    pub on: String,
    /// The last day the destination may complete the 転入 with this notice.
    pub lapses_after: String,
}

/// One resident's 転出証明書情報, as the destination receives it ahead of the visit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MoveNotice {
    /// The record as it stands at the old address (name, birth, sex, 続柄, number, household).
    pub resident: ResidentView,
    pub to: String,
    /// The planned move-out date.
    pub on: String,
    pub lapses_after: String,
}

/// A 転入 completed at the visit: the people who came, and when they moved in.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MoveInRequest {
    /// 住民票コード of each person moving in together.
    pub residents: Vec<String>,
    /// The day they started living at the new address (`YYYY-MM-DD`).
    pub on: String,
    /// The new address, when it differs from the one the 転出届 gave.
    #[serde(default)]
    pub address: Option<String>,
}

/// A checked application: its id, where to, when, who.
struct Checked {
    id: String,
    to: myna_registry::Address,
    on: time::Date,
    movers: Vec<Resident>,
    /// The destination is kept by the signer's own municipality (a 転居).
    within: bool,
}

impl Checked {
    fn answer(&self, movers: Vec<ResidentView>) -> MoveOutRecorded {
        MoveOutRecorded {
            id: self.id.clone(),
            movers,
            to: self.to.line(),
            to_municipality: keeper(&self.to),
            on: self.on.to_string(),
            lapses_after: moving::lapses_after(self.on).to_string(),
        }
    }
}

fn same_name(a: &str, b: &str) -> bool {
    let key = |s: &str| myna_text::normalize_width(s).split_whitespace().collect::<String>();
    key(a) == key(b)
}

impl Jlis {
    /// A resident's signed application, checked for the municipality that keeps their
    /// register: fresh, signed by a good signing certificate, the destination an address, the
    /// movers members of the signer's household living there.
    async fn checked(&self, caller: &Caller, s: &SignedInstruction) -> Result<Checked, JlisError> {
        let bytes = Base64::decode_vec(&s.message).map_err(|_| invalid("message", "not base64"))?;
        let app = MoveApplication::parse(&bytes).map_err(|e| invalid("message", e))?;
        let age = myna_node::now_secs() - app.at;
        if !(-60..=FRESH_SECS).contains(&age) {
            return Err(invalid("message", "the application was signed more than 10 minutes ago; sign it again"));
        }
        let signer = self.by_signature(s).await?;
        let signer = self
            .registry
            .resident(crate::jpki::stored_code(signer)?)
            .await?
            .ok_or_else(|| JlisError::NotFound("the signer has no record".into()))?;
        keeps(caller, &signer)?;
        let to = address_of("to", &app.to)?;
        let household = self.registry.household_members(signer.household).await?;
        let living: Vec<Resident> = household.into_iter().filter(|r| r.status == Status::Resident).collect();
        let movers: Vec<Resident> = match &app.movers {
            Movers::Household => living,
            Movers::Named { names } => {
                let mut m = vec![signer.clone()];
                for n in names.iter().filter(|n| !same_name(n, &signer.name.kanji)) {
                    let r = living.iter().find(|r| same_name(&r.name.kanji, n)).ok_or_else(|| {
                        invalid("movers", format!("{n} is not a member of the signer's household living here"))
                    })?;
                    if !m.iter().any(|x| x.code == r.code) {
                        m.push(r.clone());
                    }
                }
                m
            }
        };
        let on = date("on", &app.on)?;
        let within = keeper(&to) == keeper(&signer.address);
        Ok(Checked { id: MoveApplication::id(&bytes), to, on, movers, within })
    }

    /// Records the 転出 of a resident's signed application, for the municipality that keeps
    /// their register; each mover's event is idempotent by the application, so a retry
    /// records nothing twice.
    pub async fn move_out(&self, caller: &Caller, s: &SignedInstruction) -> Result<MoveOutRecorded, JlisError> {
        let recorder = municipality(caller)?;
        let c = self.checked(caller, s).await?;
        if c.within {
            return Err(invalid(
                "to",
                "a move within the municipality is a 転居: send it as a 転居予約 to the municipality",
            ));
        }
        let fingerprint = format!("{}\nmove {}", caller.id(), c.id);
        let mut recorded = Vec::new();
        for r in &c.movers {
            let event = LifeEvent { on: c.on, kind: EventKind::MoveOut { to: c.to.clone() } };
            let key = format!("move:{}:{}", c.id, r.code.as_str());
            let rec = self
                .registry
                .record_by(Some(recorder), Some(r.code), &event, Some((&key, &fingerprint)), today())
                .await?;
            // The old municipality keeps their register: it gets the numbers (it stops
            // holding their copies by them).
            recorded.push(ResidentView::of(&rec.resident, true));
        }
        Ok(c.answer(recorded))
    }

    /// Checks a 転居予約 (a move within the municipality) for the municipality that keeps the
    /// signer's register, recording nothing: who moves, with their record codes, for the
    /// visit at which the 転居 is recorded.
    pub async fn move_within(&self, caller: &Caller, s: &SignedInstruction) -> Result<MoveOutRecorded, JlisError> {
        let c = self.checked(caller, s).await?;
        if !c.within {
            return Err(invalid("to", "a move to another municipality is a 転出届 and a 転入予約"));
        }
        let views = c.movers.iter().map(|r| ResidentView::of(r, false)).collect();
        self.log_access(
            caller,
            &c.movers.iter().map(|r| r.code.value()).collect::<Vec<_>>(),
            "move_within",
            "resident_registry",
            "",
        )
        .await?;
        Ok(c.answer(views))
    }

    /// The 転出証明書情報 of everyone moving to the caller's municipality whose notice has
    /// not lapsed, logged per resident before it is answered.
    pub async fn incoming_moves(&self, caller: &Caller) -> Result<Vec<MoveNotice>, JlisError> {
        let here = municipality(caller)?.as_str();
        let since = today().saturating_sub(time::Duration::days(moving::CERTIFICATE_DAYS));
        let mut out = Vec::new();
        let mut codes = Vec::new();
        for r in self.registry.moved_out_since(since).await? {
            let (Some(to), Some(on)) = (moving::destination(&r.status), r.status.since()) else { continue };
            if keeper(&to) != here {
                continue;
            }
            codes.push(r.code.value());
            out.push(MoveNotice {
                resident: ResidentView::of(&r, true),
                to: to.line(),
                on: on.to_string(),
                lapses_after: moving::lapses_after(on).to_string(),
            });
        }
        if !codes.is_empty() {
            self.log_access(caller, &codes, "move_notice", "resident_registry", "").await?;
        }
        Ok(out)
    }

    /// Completes the 転入 of people who moved out to the caller's municipality, together, as
    /// one household of the destination with their relationships carried over.
    pub async fn move_in(&self, caller: &Caller, req: &MoveInRequest) -> Result<Vec<ResidentView>, JlisError> {
        let recorder = municipality(caller)?;
        if req.residents.is_empty() || req.residents.len() > 20 {
            return Err(invalid("residents", "name 1 to 20 residents moving in together"));
        }
        let on = date("on", &req.on)?;
        let late = (today() - on).whole_days();
        if late > moving::MOVE_IN_DAYS {
            return Err(invalid(
                "on",
                format!(
                    "moved in on {on}, {late} days ago: a 転入届 is due within {} days (住民基本台帳法 22条); a late one is taken at the counter with the reason",
                    moving::MOVE_IN_DAYS
                ),
            ));
        }
        let mut movers = Vec::new();
        let mut done_before = Vec::new();
        for c in &req.residents {
            let r = self
                .registry
                .resident(code(c)?)
                .await?
                .ok_or_else(|| JlisError::NotFound(format!("no resident with record code {c}")))?;
            // Moved in here already (the same step sent again): one move.
            if r.status == Status::Resident && keeper(&r.address) == recorder.as_str() {
                done_before.push(ResidentView::of(&r, true));
                continue;
            }
            let (Some(to), Some(out)) = (moving::destination(&r.status), r.status.since()) else {
                return Err(JlisError::conflict(
                    "not_moving",
                    format!("{c} has no 転出 on record; a 転入 from abroad is a first registration"),
                ));
            };
            if keeper(&to) != recorder.as_str() {
                return Err(JlisError::forbidden(
                    "wrong_municipality",
                    format!("{c} moved out to {}; the 転入 is recorded there", to.normalized().city),
                ));
            }
            if today() > moving::lapses_after(out) {
                return Err(JlisError::conflict(
                    "lapsed",
                    format!(
                        "the 転出証明書情報 of {c} lapsed after {}; the 転入 needs the paper 転出証明書 from the old municipality",
                        moving::lapses_after(out)
                    ),
                ));
            }
            movers.push((r, to));
        }
        if movers.is_empty() {
            return Ok(done_before);
        }
        // They form one household at the destination (its 世帯番号 is new there): the head
        // moves in first and opens it (or the first named, who becomes its head); the others
        // join it with their relationships.
        let head = movers.iter().position(|(r, _)| r.relationship == Relationship::Head).unwrap_or(0);
        movers.swap(0, head);
        let mut sorted = req.residents.clone();
        sorted.sort();
        let fingerprint = format!("{}\nmove_in {} {}", caller.id(), sorted.join(","), req.on);
        let mut done = done_before;
        let mut household = None;
        for (i, (r, to)) in movers.iter().enumerate() {
            let address = match &req.address {
                Some(a) => address_of("address", a)?,
                None => to.clone(),
            };
            let relationship = if i == 0 { Relationship::Head } else { r.relationship };
            let event = LifeEvent { on, kind: EventKind::MoveIn { address, household, relationship } };
            let key = format!("move_in:{}:{}", r.code.as_str(), req.on);
            let rec = self
                .registry
                .record_by(Some(recorder), Some(r.code), &event, Some((&key, &fingerprint)), today())
                .await?;
            self.after_event(rec.resident.code.value(), &event.kind).await?;
            household = Some(rec.resident.household);
            done.push(ResidentView::of(&rec.resident, true));
        }
        Ok(done)
    }
}
