//! Applications: a person's, signed with the card and named by J-LIS; the examining body's
//! pass looked up for the clerk; the registration made against it.

use myna_credential::Qualification;
use myna_link::{Enrolment, SignedInstruction};

use super::{QualError, Qualifications, signed_message, squash, today};
use crate::api::{ApplicationView, Registered, Signed};

/// Who an application is from, as this system keeps them (not in the clerk's list).
struct Applicant {
    code: String,
    number: String,
}

impl Qualifications {
    /// A person's application, signed with the card: J-LIS names the signer and gives their
    /// 本人確認情報, which the clerk sees instead of 戸籍抄本 and 住民票.
    pub async fn apply(&self, signed: SignedInstruction) -> Result<ApplicationView, QualError> {
        let Signed::QualificationApplication { qualification, exam_number, .. } = signed_message(&signed)? else {
            return Err(QualError::Invalid { field: "message", reason: "not an application".into() });
        };
        let q: Qualification = qualification.parse()?;
        let issued = self.agency.obtain(Enrolment::Signed(signed)).await?;
        let who = issued
            .identity
            .ok_or_else(|| QualError::Invalid {
                field: "identity", reason: "J-LIS gave no 本人確認情報".into()
            })?;
        if who.deceased {
            return Err(QualError::Deceased);
        }
        let code = issued.code.to_string();
        if self.agency.store.person_of(&code).await?.is_none() {
            self.agency.store.enrol(&code, &code, myna_node::now_secs()).await?;
        }
        let row = sqlx::query(
            "INSERT INTO applications (qualification, exam_number, code, person_number, name, kana, birth, sex, address, received_at, status)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending') RETURNING id",
        )
        .bind(q.id())
        .bind(exam_number.trim())
        .bind(&code)
        .bind(&who.number)
        .bind(&who.name)
        .bind(&who.kana)
        .bind(&who.birth)
        .bind(&who.sex)
        .bind(&who.address)
        .bind(myna_node::now_secs())
        .fetch_one(&self.db.pool)
        .await?;
        let id: i64 = sqlx::Row::try_get(&row, 0)?;
        self.application(id).await?.ok_or(QualError::NoApplication(id))
    }

    async fn pass_found(&self, q: &str, exam_number: &str, name: &str, birth: &str) -> Result<bool, QualError> {
        let pass: Option<(String, String)> = self
            .db
            .read_one(
                "SELECT name, birth FROM exam_passes WHERE qualification = $1 AND exam_number = $2",
                &[q.into(), exam_number.into()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .await?;
        Ok(pass.is_some_and(|(n, b)| squash(&n) == squash(name) && b == birth))
    }

    const APP: &'static str = "SELECT id, qualification, exam_number, name, kana, birth, sex, address, received_at, status, code, person_number FROM applications";

    async fn views(&self, rows: Vec<(ApplicationView, Applicant)>) -> Result<Vec<ApplicationView>, QualError> {
        let mut out = Vec::with_capacity(rows.len());
        for (mut v, _) in rows {
            v.pass_found = self.pass_found(&v.qualification, &v.exam_number, &v.name, &v.birth).await?;
            out.push(v);
        }
        Ok(out)
    }

    async fn rows(
        &self,
        sql: &str,
        params: &[myna_store::Val<'_>],
    ) -> Result<Vec<(ApplicationView, Applicant)>, QualError> {
        Ok(self
            .db
            .read(sql, params, |r| {
                let qualification: String = r.get(1)?;
                let ja = qualification.parse::<Qualification>().map(|q| q.ja().to_string()).unwrap_or_default();
                Ok((
                    ApplicationView {
                        id: r.get(0)?,
                        qualification,
                        qualification_ja: ja,
                        exam_number: r.get(2)?,
                        name: r.get(3)?,
                        kana: r.get(4)?,
                        birth: r.get(5)?,
                        sex: r.get(6)?,
                        address: r.get(7)?,
                        received_at: r.get(8)?,
                        status: r.get(9)?,
                        pass_found: false,
                    },
                    Applicant { code: r.get(10)?, number: r.get(11)? },
                ))
            })
            .await?)
    }

    pub async fn application(&self, id: i64) -> Result<Option<ApplicationView>, QualError> {
        let rows = self.rows(&format!("{} WHERE id = $1", Self::APP), &[id.into()]).await?;
        Ok(self.views(rows).await?.into_iter().next())
    }

    /// Applications waiting for the clerk, oldest first.
    pub async fn pending(&self) -> Result<Vec<ApplicationView>, QualError> {
        let rows = self.rows(&format!("{} WHERE status = 'pending' ORDER BY id", Self::APP), &[]).await?;
        self.views(rows).await
    }

    /// The clerk registers application `id`: the examining body's pass must name this person.
    pub async fn register(&self, id: i64, clerk: &str) -> Result<Registered, QualError> {
        let rows = self.rows(&format!("{} WHERE id = $1", Self::APP), &[id.into()]).await?;
        let (app, who) = rows.into_iter().next().ok_or(QualError::NoApplication(id))?;
        if app.status != "pending" {
            return Err(QualError::Decided(id));
        }
        if !self.pass_found(&app.qualification, &app.exam_number, &app.name, &app.birth).await? {
            return Err(QualError::NoPass { qualification: app.qualification_ja, exam_number: app.exam_number });
        }
        let mut tx = self.db.begin().await?;
        let number = tx.reserve("registration_number", 1).await? as i64 + 1;
        let idx = tx.reserve("status_index", 1).await? as i64;
        let on = today();
        let inserted = sqlx::query(
            "INSERT INTO registrations (number, qualification, code, person_number, name, kana, birth, sex, address, exam_number, registered_on, registered_by, status, status_idx)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'valid', $13)",
        )
        .bind(number)
        .bind(&app.qualification)
        .bind(&who.code)
        .bind(&who.number)
        .bind(&app.name)
        .bind(&app.kana)
        .bind(&app.birth)
        .bind(&app.sex)
        .bind(&app.address)
        .bind(&app.exam_number)
        .bind(&on)
        .bind(clerk)
        .bind(idx)
        .execute(&mut *tx)
        .await;
        // The person already holds this qualification (its unique key); any other failure is
        // the database's, answered as such.
        if let Err(e) = inserted {
            if e.as_database_error().is_some_and(|d| d.is_unique_violation()) {
                return Err(QualError::AlreadyRegistered(app.qualification_ja));
            }
            return Err(e.into());
        }
        self.status_changed();
        sqlx::query("UPDATE applications SET status = 'registered' WHERE id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(Registered { number, qualification: app.qualification, registered_on: on })
    }
}
