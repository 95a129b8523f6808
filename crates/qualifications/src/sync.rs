//! Keeping registrations current from J-LIS: each standing registration's individual number
//! and 4 items are classed by J-LIS's inspection (`POST /v1/inspection`, for the task
//! `qualification_registration`, in the access log the resident sees). A death recorded at
//! J-LIS ends the registration ex officio (職権抹消); a name change is taken into the
//! registration without a 書換え application, and the holder is told to receive a new
//! credential.

use myna_link::inspection::{INSPECTION_BATCH_MAX, InspectionLine, InspectionRequest, InspectionResult};
use myna_linkage::agency::NoticeSend;
use myna_store::WriteQuery as _;

use crate::{Qualifications, api::Synced, core::QualError};

/// The linkage task the keepers read 本人確認情報 for.
pub const TASK: &str = myna_link::QUALIFICATION_TASK;

/// A standing registration as J-LIS is asked about it.
struct Standing {
    number: i64,
    code: String,
    qualification: String,
    line: InspectionLine,
}

impl Qualifications {
    /// Classes every standing registration at J-LIS and applies what changed.
    pub async fn sync(&self) -> Result<Synced, QualError> {
        let rows: Vec<Standing> = self
            .db()
            .read(
                "SELECT number, code, qualification, person_number, name, birth, sex, address FROM registrations
                 WHERE status <> 'ended' ORDER BY number",
                &[],
                |r| {
                    Ok(Standing {
                        number: r.get(0)?,
                        code: r.get(1)?,
                        qualification: r.get(2)?,
                        line: InspectionLine {
                            number: r.get(3)?,
                            name: r.get(4)?,
                            birth: r.get(5)?,
                            sex: r.get(6)?,
                            address: r.get(7)?,
                        },
                    })
                },
            )
            .await?;
        let mut out = Synced { checked: 0, ended: 0, renamed: 0 };
        let url = format!("{}/v1/inspection", self.agency.jlis_url());
        let case = format!("sync-{}", myna_node::today_jst());
        for chunk in rows.chunks(INSPECTION_BATCH_MAX) {
            let req = InspectionRequest {
                task: TASK.into(),
                case: case.clone(),
                lines: chunk.iter().map(|s| s.line.clone()).collect(),
            };
            let results: Vec<InspectionResult> = myna_node::post_json(self.agency.client(), &url, &req)
                .await
                .map_err(|e| QualError::Invalid { field: "jlis", reason: e.to_string() })?;
            for r in results {
                let Some(s) = chunk.get(r.line) else { continue };
                out.checked += 1;
                match r.standing.as_str() {
                    "deceased" => {
                        self.set_status(
                            s.number,
                            "ended",
                            "死亡（住民基本台帳の記録による職権抹消） / deceased: ended ex officio",
                        )
                        .await?;
                        out.ended += 1;
                    }
                    "changed" => {
                        let Some(now) = r.current else { continue };
                        sqlx::query("UPDATE registrations SET name = $1, kana = $2, address = $3, changed_at = $4 WHERE number = $5")
                            .bind(&now.name)
                            .bind(&now.kana)
                            .bind(&now.address)
                            .bind(myna_node::now_secs())
                            .bind(s.number)
                            .write(self.db())
                            .await?;
                        if now.name != s.line.name {
                            out.renamed += 1;
                            self.tell_renamed(s, &now.name).await;
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(out)
    }

    async fn tell_renamed(&self, s: &Standing, name: &str) {
        let q = s.qualification.parse::<myna_credential::Qualification>().map(|q| q.ja()).unwrap_or_default();
        let notice = NoticeSend {
            person: s.code.clone(),
            title: format!("{q}の登録の氏名を書き換えました / Your registration's name was updated"),
            body: format!(
                "住民基本台帳の氏名の変更（{name}）を、{q}の登録（登録番号 {}）に反映しました。書換えの申請は不要です。資格の証明書は、マイナポータルの「国家資格」で新しく受け取ってください。\nThe name change recorded at J-LIS is in your registration {} now; no application is needed. Receive a new certificate on the portal's Qualifications page.",
                s.number, s.number
            ),
            deliver_at: None,
            reply: None,
        };
        if let Err(e) = self.agency.notify(&notice).await {
            tracing::warn!(registration = s.number, error = %e, "the renamed holder was not told");
        }
    }
}
