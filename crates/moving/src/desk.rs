//! The moving desk of one municipality (its 住民記録 system's part of 引越しワンストップ):
//! a resident's signed 転出届 is recorded at J-LIS at once (J-LIS checks the signature and the
//! household); a 転入予約 is kept for the visit; the 転出証明書情報 J-LIS hands this
//! municipality in advance is put beside the reservation it belongs to, so the clerk sees who
//! is coming before they come and completes the 転入 in one step.

use std::sync::Arc;

use base64ct::{Base64, Encoding as _};
use myna_jlis::{MoveInRequest, MoveNotice, MoveOutRecorded, ResidentView};
use myna_link::{Enrolment, MoveApplication, PushKind, SignedInstruction, clerk_api::NoticeSend};
use myna_linkage::agency::{Agency, AgencyError};
use myna_node::{CallError, get_json, now_secs, post_json};
use myna_pki::reader::CardReader;
use myna_registry::{Address, moving::keeper};
use myna_store::{Db, StoreError};

use crate::store::{MoveRow, MoveStore};

#[derive(Debug, thiserror::Error)]
pub enum MovingError {
    /// The application is refused; the reason goes back to the resident.
    #[error("{0}")]
    Refused(String),
    /// J-LIS refused or could not be reached (its reason passed on).
    #[error("J-LIS: {0}")]
    Jlis(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Agency(#[from] AgencyError),
}

pub(crate) fn jlis(e: CallError) -> MovingError {
    match e {
        CallError::Refused { message, .. } => MovingError::Jlis(message),
        e => MovingError::Jlis(e.to_string()),
    }
}

/// People J-LIS notified as moving here, with the reservation they sent if one came.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// The 転入予約 (its id and the application), if the resident sent one.
    pub reservation: Option<(String, MoveApplication)>,
    pub people: Vec<MoveNotice>,
}

pub struct Moving {
    agency: Arc<Agency>,
    /// The card reader at the counter (the demo's reader of its residents' cards), once set.
    pub(crate) reader: std::sync::OnceLock<Arc<dyn CardReader>>,
    /// The municipality's own client on the network (J-LIS answers a municipality's certificate).
    pub(crate) client: reqwest::Client,
    pub(crate) jlis: String,
    /// This municipality's local government code and name.
    here: String,
    name: String,
    store: MoveStore,
}

/// The item that moves with the person (住民票関係情報).
const RESIDENT_RECORD: &str = "resident_record";

/// The local id a person J-LIS notified is enrolled under here.
fn arriving(code: &str) -> String {
    format!("jumin-{code}")
}

impl Moving {
    pub async fn open(
        db: Db,
        agency: Arc<Agency>,
        client: reqwest::Client,
        jlis: &str,
        (here, name): (&str, &str),
    ) -> Result<Self, StoreError> {
        let store = MoveStore::open(db).await?;
        let jlis = jlis.trim_end_matches('/').to_string();
        Ok(Self { agency, reader: Default::default(), client, jlis, here: here.into(), name: name.into(), store })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn store(&self) -> &MoveStore {
        &self.store
    }

    /// A push from the portal: the resident's signed application, as the 転出届 or the
    /// 転入予約. Taken once: the same application again changes nothing.
    pub async fn take(&self, kind: PushKind, code: &str, plain: &[u8]) -> Result<(), MovingError> {
        let signed: SignedInstruction = serde_json::from_slice(plain)
            .map_err(|e| MovingError::Refused(format!("not a signed application: {e}")))?;
        let bytes = Base64::decode_vec(&signed.message)
            .map_err(|_| MovingError::Refused("the signed application is not base64".into()))?;
        let app = MoveApplication::parse(&bytes).map_err(MovingError::Refused)?;
        // Two residents may sign the same bytes (the same move, the same second): the
        // application is theirs by the signer too.
        let id = MoveApplication::id(&[code.as_bytes(), b"\n", &bytes].concat());
        // The signer must be the resident the portal names (J-LIS checks the signature and
        // gives this municipality's code for whoever signed).
        let signer = self.agency.obtain_code(Enrolment::Signed(signed.clone())).await.map_err(|e| match e {
            AgencyError::Call(CallError::Refused { message, .. }) => MovingError::Refused(message),
            e => MovingError::Agency(e),
        })?;
        if signer != code {
            return Err(MovingError::Refused(
                "the application is signed by someone other than the resident the portal names".into(),
            ));
        }
        let kept = |role: &str, status: &str, detail: String| MoveRow {
            id: id.clone(),
            role: role.into(),
            code: code.into(),
            application: serde_json::to_string(&app).unwrap_or_default(),
            status: status.into(),
            detail,
            received_at: now_secs(),
            updated_at: now_secs(),
        };
        match kind {
            PushKind::MoveOut => {
                if self.store.get(&id, "out").await?.is_some() {
                    return Ok(());
                }
                let url = format!("{}/v1/moves", self.jlis);
                let done: MoveOutRecorded = post_json(&self.client, &url, &signed).await.map_err(jlis)?;
                let detail = serde_json::to_string(&done).unwrap_or_default();
                self.store.keep(&kept("out", "accepted", detail)).await?;
                // Their 住民票 is no longer this municipality's to provide.
                for m in &done.movers {
                    let Some(items) = m.link_items() else { continue };
                    let theirs = self.agency.obtain_code(Enrolment::Items(items)).await?;
                    self.agency.store.remove_copy(&theirs, RESIDENT_RECORD).await?;
                }
                let names: Vec<&str> = done.movers.iter().map(|m| m.name.as_str()).collect();
                let body = format!(
                    "{}さんの{}への転出届（転出予定日 {}）を{}が受け付けました。転入先の市区町村で {} までに転入の手続をしてください。",
                    names.join("、"),
                    done.to,
                    done.on,
                    self.name,
                    done.lapses_after
                );
                self.tell(code, "転出届を受け付けました", body).await
            }
            PushKind::MoveIn => {
                app.planned(myna_node::today_jst(), myna_registry::moving::ADVANCE_DAYS)
                    .map_err(MovingError::Refused)?;
                let to = Address::parse(&app.to).map_err(|e| MovingError::Refused(format!("the new address: {e}")))?;
                if keeper(&to) != self.here {
                    return Err(MovingError::Refused(format!(
                        "this 転入予約 is for {}, not {}",
                        to.normalized().city,
                        self.name
                    )));
                }
                self.store.keep(&kept("in", "reserved", "{}".into())).await?;
                Ok(())
            }
            PushKind::MoveWithin => {
                if self.store.get(&id, "within").await?.is_some() {
                    return Ok(());
                }
                app.planned(myna_node::today_jst(), myna_registry::moving::ADVANCE_DAYS)
                    .map_err(MovingError::Refused)?;
                let url = format!("{}/v1/moves/within", self.jlis);
                let checked: MoveOutRecorded = post_json(&self.client, &url, &signed).await.map_err(jlis)?;
                let detail = serde_json::to_string(&checked).unwrap_or_default();
                self.store.keep(&kept("within", "reserved", detail)).await?;
                Ok(())
            }
            other => Err(MovingError::Refused(format!("the moving desk does not take {}", other.id()))),
        }
    }

    /// A notice to the resident through the portal, enrolling the code if it is new here.
    async fn tell(&self, code: &str, title: &str, body: String) -> Result<(), MovingError> {
        let person = match self.agency.store.person_of(code).await? {
            Some(p) => p,
            None => {
                self.agency.store.enrol(code, code, now_secs()).await?;
                code.to_string()
            }
        };
        let n = NoticeSend { person, title: title.into(), body, deliver_at: None, reply: None };
        self.agency.notify(&n).await?;
        Ok(())
    }

    /// Everyone J-LIS says is moving here, grouped by the reservation they sent (or, without
    /// one, each alone).
    pub async fn arrivals(&self) -> Result<Vec<Arrival>, MovingError> {
        self.sweep_lapsed(myna_node::today_jst()).await?;
        let url = format!("{}/v1/moves/incoming", self.jlis);
        let notices: Vec<MoveNotice> = get_json(&self.client, &url).await.map_err(jlis)?;
        let reserved = self.store.with_status("in", "reserved").await?;
        // First the signers of reservations, each opening an arrival; then everyone else,
        // joining the arrival of the same household, date and destination (they moved out
        // on the same 転出届), or alone.
        let mut out: Vec<Arrival> = Vec::new();
        let mut rest = Vec::new();
        for n in notices {
            let Some(items) = n.resident.link_items() else { continue };
            let code = self.agency.enrol(&arriving(&n.resident.code), Enrolment::Items(items)).await?;
            match reserved.iter().find(|r| r.code == code) {
                Some(r) => {
                    let app = serde_json::from_str(&r.application).map_err(|e| MovingError::Refused(e.to_string()))?;
                    out.push(Arrival { reservation: Some((r.id.clone(), app)), people: vec![n] });
                }
                None => rest.push(n),
            }
        }
        for n in rest {
            let same = |m: &MoveNotice| m.resident.household == n.resident.household && m.on == n.on && m.to == n.to;
            match out.iter_mut().find(|a| a.people.iter().any(same)) {
                Some(a) => a.people.push(n),
                None => out.push(Arrival { reservation: None, people: vec![n] }),
            }
        }
        Ok(out)
    }

    /// Reservations whose 転出証明書情報 lapsed on `today` (30 days after the planned
    /// move-out date, and no 転入): closed, and each resident told what to do instead.
    /// Returns how many.
    pub async fn sweep_lapsed(&self, today: time::Date) -> Result<usize, MovingError> {
        let mut n = 0;
        for r in self.store.with_status("in", "reserved").await? {
            let Ok(app) = serde_json::from_str::<MoveApplication>(&r.application) else { continue };
            let Ok(on) = myna_registry::parse_date(&app.on) else { continue };
            let last = myna_registry::moving::lapses_after(on);
            if today <= last {
                continue;
            }
            if self.store.advance((&r.id, "in"), "reserved", "lapsed", "{}", now_secs()).await? {
                let body = format!(
                    "{}への転入予約（転出予定日 {}）は、{} を過ぎたため期限切れになりました。転出元で転出証明書を受け取り、{}の窓口で転入届を出してください。",
                    app.to, app.on, last, self.name
                );
                self.tell(&r.code, "転入予約の期限が過ぎました", body).await?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// The 転出届 this municipality took, newest first: each application and what J-LIS
    /// recorded (who moved out, to where, until when the notice serves).
    pub async fn departures(&self) -> Result<Vec<(MoveApplication, MoveOutRecorded)>, MovingError> {
        let mut out = Vec::new();
        for r in self.store.with_status("out", "accepted").await?.into_iter().rev() {
            if let (Ok(app), Ok(done)) = (serde_json::from_str(&r.application), serde_json::from_str(&r.detail)) {
                out.push((app, done));
            }
        }
        Ok(out)
    }

    /// The 転居予約 waiting for their visit: each reservation's id, application, and who
    /// moves as J-LIS checked it.
    pub async fn within(&self) -> Result<Vec<(String, MoveApplication, MoveOutRecorded)>, MovingError> {
        let mut out = Vec::new();
        for r in self.store.with_status("within", "reserved").await? {
            let (Ok(app), Ok(checked)) = (serde_json::from_str(&r.application), serde_json::from_str(&r.detail)) else {
                continue;
            };
            out.push((r.id, app, checked));
        }
        Ok(out)
    }

    /// The 転居 at the visit: recorded at J-LIS for everyone the reservation names (each
    /// event idempotent by the reservation), the reservation closed and the resident told.
    pub async fn complete_within(&self, id: &str, on: &str) -> Result<Vec<ResidentView>, MovingError> {
        let row =
            self.store.get(id, "within").await?.ok_or_else(|| MovingError::Refused(format!("no 転居予約 {id}")))?;
        let checked: MoveOutRecorded =
            serde_json::from_str(&row.detail).map_err(|e| MovingError::Refused(e.to_string()))?;
        let url = format!("{}/v1/events", self.jlis);
        let mut done = Vec::new();
        for m in &checked.movers {
            let body = serde_json::json!({"kind": "move_within", "on": on, "resident": m.code, "address": checked.to});
            let res = self
                .client
                .post(&url)
                .header("idempotency-key", format!("within:{id}:{}", m.code))
                .json(&body)
                .send()
                .await
                .map_err(|e| MovingError::Jlis(myna_node::error_chain(&e)))?;
            let status = res.status();
            let v: serde_json::Value = res.json().await.map_err(|e| MovingError::Jlis(e.to_string()))?;
            if !status.is_success() {
                return Err(MovingError::Jlis(v["error"]["message"].as_str().unwrap_or("refused").to_string()));
            }
            done.push(serde_json::from_value(v["resident"].clone()).map_err(|e| MovingError::Jlis(e.to_string()))?);
        }
        if self.store.advance((id, "within"), "reserved", "completed", &row.detail, now_secs()).await? {
            let body = format!("{}への転居の手続が完了しました（{}）。", checked.to, self.name);
            self.tell(&row.code, "転居の手続が完了しました", body).await?;
        }
        Ok(done)
    }

    /// The 転入 at the visit: recorded at J-LIS for these people together, their
    /// reservations closed, and the resident told.
    pub async fn complete(&self, residents: &[String], on: &str) -> Result<Vec<ResidentView>, MovingError> {
        let req = MoveInRequest { residents: residents.to_vec(), on: on.into(), address: None };
        let url = format!("{}/v1/moves/in", self.jlis);
        let done: Vec<ResidentView> = post_json(&self.client, &url, &req).await.map_err(jlis)?;
        // The new municipality provides their 住民票 from now on: one household here.
        let head = done.iter().find(|r| r.relationship == "head").map(|r| r.name.clone()).unwrap_or_default();
        let members: Vec<serde_json::Value> = done
            .iter()
            .map(|r| serde_json::json!({"name": r.name, "relationship": r.relationship_ja, "birth": r.birth}))
            .collect();
        for r in &done {
            let Some(items) = r.link_items() else { continue };
            let person = arriving(&r.code);
            self.agency.enrol(&person, Enrolment::Items(items)).await?;
            let record = serde_json::json!({"name": r.name, "birth": r.birth, "household_head": head,
                "relationship": r.relationship_ja, "members": members, "moved_in_on": on});
            self.agency.put_copy(&person, RESIDENT_RECORD, None, &record).await?;
        }
        let reserved = self.store.with_status("in", "reserved").await?;
        for r in &done {
            let Some(code) = self.agency.store.code_of(&arriving(&r.code)).await? else { continue };
            for m in reserved.iter().filter(|m| m.code == code) {
                let detail = serde_json::to_string(&done).unwrap_or_default();
                if self.store.advance((&m.id, "in"), "reserved", "completed", &detail, now_secs()).await? {
                    let body = format!("{}への転入の手続が完了しました（{}）。", r.address, self.name);
                    self.tell(&code, "転入の手続が完了しました", body).await?;
                }
            }
        }
        Ok(done)
    }
}
