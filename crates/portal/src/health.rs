//! 健康・医療: what the health node holds about the resident, read through the hub as the
//! portal's self-information (item `medical_information`): the card's registration for
//! insurance use (and a button to register it), eligibility, every identity check and
//! consent at a facility, medication, checkups with their trend across years and referral
//! thresholds, medical expenses with CSV downloads and the tax-return export, and PMH records
//! with vaccination reminders.

use std::sync::Arc;

use axum::{
    Form, Router,
    extract::{Query, State, rejection::FormRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use maud::{Markup, html};
use myna_health::{
    CHECKUP_ITEMS, MedicalView, expenses_csv, expenses_pdf, medication_csv, medication_pdf, tax_return_csv,
};
use myna_link::{HEALTH_ID, InfoItem, PushKind};
use myna_linkage::{agency::QueryRequest, hub::SELF_INFORMATION};
use serde::Deserialize;

use crate::{
    Portal,
    page::{Ctx, Fields, Resident, error_page, layout, resident_form},
    session::Session,
};

pub fn routes() -> Router<Arc<Portal>> {
    Router::new()
        .route("/health", get(overview))
        .route("/health/register", post(register))
        .route("/health/medication", get(medication))
        .route("/health/checkups", get(checkups))
        .route("/health/expenses", get(expenses))
        .route("/health/download/{what}", get(download))
}

impl Portal {
    /// The resident's medical information from the health node, through the hub (recorded
    /// in their exchange history like any self-information query); fetched at most once a
    /// minute, or again after the resident changes it (registering the card).
    async fn medical(&self, code: &str, proof: &myna_link::LoginProof) -> Result<Arc<MedicalView>, String> {
        let now = myna_node::now_secs();
        if let Some((at, v)) = self.myinfo.medical.lock().ok().and_then(|c| c.get(code).cloned())
            && now - at < crate::myinfo::FRESH_SECS
        {
            return Ok(v);
        }
        let q = QueryRequest {
            person: code.to_string(),
            task: SELF_INFORMATION.parse().map_err(|e: myna_link::TableError| e.to_string())?,
            item: InfoItem::MedicalInformation,
            provider: HEALTH_ID.parse().map_err(|e: myna_link::CodeError| e.to_string())?,
            purpose: "マイナポータル 健康・医療".into(),
            version: None,
            presence: Some(proof.clone()),
        };
        let r = self.agency.ask(&q).await.map_err(|e| e.reason())?;
        let v = Arc::new(match r.data {
            Some(v) if r.outcome == myna_link::Outcome::Delivered => {
                serde_json::from_value(v).map_err(|e| e.to_string())?
            }
            // The health node holds nothing for this person yet.
            _ => MedicalView {
                registered: false,
                eligibility: vec![],
                checks: vec![],
                medication: vec![],
                checkups: vec![],
                expenses: vec![],
                pmh: vec![],
                reminders: vec![],
            },
        });
        if let Ok(mut c) = self.myinfo.medical.lock() {
            if c.len() > 100_000 {
                c.retain(|_, (at, _)| now - *at < crate::myinfo::FRESH_SECS);
            }
            c.insert(code.to_string(), (now, v.clone()));
        }
        Ok(v)
    }

    fn forget_medical(&self, code: &str) {
        if let Ok(mut c) = self.myinfo.medical.lock() {
            c.remove(code);
        }
    }
}

async fn load(p: &Portal, ctx: &Ctx, s: &Session) -> Result<Arc<MedicalView>, Response> {
    p.medical(&s.code, &s.proof).await.map_err(|e| {
        error_page(
            ctx,
            StatusCode::BAD_GATEWAY,
            &format!("健康・医療の情報を取得できませんでした: {e}"),
            &format!("Medical information could not be fetched: {e}"),
        )
    })
}

fn subnav(ctx: &Ctx) -> Markup {
    html! {
        nav.subnav aria-label=(ctx.t("健康・医療のメニュー", "Health menu")) {
            ul {
                @for (href, ja, en) in [("/health", "資格・利用登録・確認履歴", "Eligibility and checks"), ("/health/medication", "薬剤情報", "Medication"), ("/health/checkups", "特定健診情報", "Checkups"), ("/health/expenses", "医療費通知情報", "Medical expenses")] {
                    li { a href=(href) aria-current=[(ctx.path == href).then_some("page")] { (ctx.t(ja, en)) } }
                }
            }
        }
    }
}

/// A value as its wire form reads (a code as its text, a number as digits), or "—" for none.
fn show(v: &impl serde::Serialize) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Null) | Err(_) => "—".into(),
        Ok(other) => other.to_string(),
    }
}

async fn overview(State(p): State<Arc<Portal>>, Resident(ctx, s): Resident) -> Response {
    let v = match load(&p, &ctx, &s).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let body = html! {
        (subnav(&ctx))
        section aria-labelledby="reg" {
            h2 #reg { (ctx.t("健康保険証としての利用登録", "Card registered for health insurance")) }
            @if v.registered {
                p.ok { (ctx.t("登録済みです。医療機関・薬局の受付でマイナンバーカードを使えます。", "Registered: use your card at reception in clinics and pharmacies.")) }
            } @else {
                p { (ctx.t("まだ登録されていません。ログインに使ったカードを登録します。", "Not registered yet. This registers the card you logged in with.")) }
                form method="post" action="/health/register" {
                    (ctx.csrf_field())
                    button type="submit" { (ctx.t("健康保険証として利用登録する", "Register my card for health insurance")) }
                }
            }
        }
        section aria-labelledby="elig" {
            h2 #elig { (ctx.t("資格情報", "Eligibility")) }
            @if v.eligibility.is_empty() { p { (ctx.t("保険者から資格情報が登録されていません。", "No insurer has registered eligibility for you.")) } }
            @else {
                table {
                    thead { tr { th scope="col" { (ctx.t("保険者番号", "Insurer")) } th scope="col" { (ctx.t("制度", "Scheme")) } th scope="col" { (ctx.t("記号・番号・枝番", "Symbol, number, branch")) } th scope="col" { (ctx.t("負担割合", "Copay")) } th scope="col" { (ctx.t("限度額区分", "Limit")) } th scope="col" { (ctx.t("期間", "Period")) } } }
                    tbody {
                        @for e in &v.eligibility {
                            tr { td { (show(&e.insurer)) } td { (e.scheme) } td { (e.symbol) "・" (e.number) "・" (show(&e.branch)) } td { (show(&e.copay_percent)) "%" } td { (show(&e.limit)) } td { (e.valid_from) " 〜 " (e.valid_to.as_deref().unwrap_or_default()) } }
                        }
                    }
                }
            }
        }
        section aria-labelledby="checks" {
            h2 #checks { (ctx.t("医療機関等での本人確認・同意の履歴", "Identity checks and consents at facilities")) }
            p { (ctx.t("カードの電子証明書で記録された、受付での本人確認と、あなたが同意した情報の提供です。", "Every check-in with your card, recorded with its certificate, and what you agreed to share.")) }
            @if v.checks.is_empty() { p { (ctx.t("まだありません。", "None yet.")) } }
            @else {
                table {
                    thead { tr { th scope="col" { (ctx.t("日時", "When")) } th scope="col" { (ctx.t("医療機関等", "Facility")) } th scope="col" { (ctx.t("本人確認", "Check")) } th scope="col" { (ctx.t("同意した情報", "Shared")) } th scope="col" { (ctx.t("結果", "Result")) } th scope="col" { (ctx.t("証明書", "Certificate")) } } }
                    tbody {
                        @for c in &v.checks {
                            tr {
                                td { (c.at) } td { (c.facility) }
                                td { (if c.method == "face" { ctx.t("顔認証", "face") } else { ctx.t("暗証番号", "PIN") }) }
                                td { @if c.consented.is_empty() { (ctx.t("提供しない", "nothing")) } @else { (scopes(&ctx, &c.consented)) } }
                                td { (c.outcome) } td { (c.certificate) }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="pmh" {
            h2 #pmh { (ctx.t("公費・予防接種・妊婦健診（PMH）", "Subsidies, vaccinations, maternal checkups (PMH)")) }
            @for r in &v.reminders { p.notice role="status" { (ctx.t("接種のお知らせ: ", "Vaccination due: ")) (r.vaccine) " " (ctx.t("第", "dose ")) (r.dose) (ctx.t("回", "")) } }
            @if v.pmh.is_empty() { p { (ctx.t("登録されている情報はありません。", "Nothing registered.")) } }
            ul { @for r in &v.pmh { li { (r.on.as_deref().unwrap_or("—")) " " (r.summary) } } }
        }
    };
    layout(&ctx, ctx.t("健康・医療", "Health"), body)
}

fn scopes(ctx: &Ctx, s: &str) -> String {
    s.split(' ')
        .map(|x| match x {
            "checkups" => ctx.t("健診情報", "checkups"),
            "medication" => ctx.t("薬剤情報", "medication"),
            "treatment" => ctx.t("診療情報", "treatment"),
            "limit" => ctx.t("限度額情報", "limit"),
            other => other,
        })
        .collect::<Vec<_>>()
        .join(ctx.t("、", ", "))
}

async fn register(
    State(p): State<Arc<Portal>>,
    Resident(ctx, s): Resident,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    if let Err(r) = resident_form(&ctx, &s, form) {
        return *r;
    }
    let Ok(to) = HEALTH_ID.parse() else {
        return error_page(&ctx, StatusCode::INTERNAL_SERVER_ERROR, "設定の誤り", "misconfigured");
    };
    let body = serde_json::json!({"user_auth_serial": s.serial}).to_string();
    match p.agency.push(&s.code, &to, PushKind::CardRegistration, body.as_bytes(), myna_node::now_secs()).await {
        Ok(_) => {
            p.forget_medical(&s.code);
            Redirect::to("/health").into_response()
        }
        Err(e) => error_page(
            &ctx,
            StatusCode::BAD_GATEWAY,
            &format!("登録できませんでした: {}", e.reason()),
            &format!("The card could not be registered: {}", e.reason()),
        ),
    }
}

async fn medication(State(p): State<Arc<Portal>>, Resident(ctx, s): Resident) -> Response {
    let v = match load(&p, &ctx, &s).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let saving: u32 = v.medication.iter().filter_map(|m| m.generic_saving).sum();
    let body = html! {
        (subnav(&ctx))
        p { (ctx.t("電子請求された調剤・診療報酬明細書から抽出した医薬品の情報です。", "Medicines taken from the electronic claims of pharmacies and clinics.")) }
        p { (ctx.t("ジェネリック医薬品に切り替えた場合の削減可能額の合計: ", "Total saving if switched to generics: ")) strong { (saving) (ctx.t("円", " yen")) } }
        p {
            a.button href="/health/download/medication.pdf" download { (ctx.t("PDFをダウンロードする", "Download PDF")) } " "
            a.button href="/health/download/medication.csv" download { (ctx.t("CSVでダウンロード", "Download CSV")) }
        }
        table {
            thead { tr { th scope="col" { (ctx.t("調剤年月日", "Dispensed")) } th scope="col" { (ctx.t("薬局（処方発行医療機関）", "Pharmacy (prescriber)")) } th scope="col" { (ctx.t("区分", "Use")) } th scope="col" { (ctx.t("医薬品名・用法", "Medicine and usage")) } th scope="col" { (ctx.t("調剤数量", "Quantity")) } th scope="col" { (ctx.t("自己負担相当額", "Self-pay")) } th scope="col" { (ctx.t("削減可能額", "Generic saving")) } } }
            tbody {
                @for m in &v.medication {
                    tr {
                        td { (m.dispensed_on.to_string()) } td { (m.pharmacy) " (" (m.prescriber) ")" } td { (m.dispensing.ja()) }
                        td { (m.drug) br; small { "【" (m.usage) "】" } } td { (m.quantity) " " (m.days) (ctx.t("日分", " days")) }
                        td { @if let Some(y) = m.self_pay { (y) (ctx.t("円", " yen")) } } td { @if let Some(y) = m.generic_saving { (y) (ctx.t("円", " yen")) } }
                    }
                }
            }
        }
    };
    layout(&ctx, ctx.t("薬剤情報", "Medication"), body)
}

async fn checkups(State(p): State<Arc<Portal>>, Resident(ctx, s): Resident) -> Response {
    let v = match load(&p, &ctx, &s).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let mut results: Vec<myna_health::CheckupResult> = v.checkups.iter().filter_map(|c| c.to_result()).collect();
    results.sort_by_key(|r| r.on);
    let body = html! {
        (subnav(&ctx))
        p { (ctx.t("▲は受診勧奨判定値以上、▽は以下の値です。年ごとの推移を左から古い順に示します。", "▲ at or above, ▽ at or below the referral threshold. Years run oldest to newest, left to right.")) }
        @if results.is_empty() { p { (ctx.t("健診情報はありません。", "No checkups.")) } }
        @else {
            table.trend {
                caption { (ctx.t("特定健診の結果の推移", "Checkup results over the years")) }
                thead { tr {
                    th scope="col" { (ctx.t("項目", "Item")) } th scope="col" { (ctx.t("受診勧奨判定値", "Referral threshold")) }
                    @for r in &results { th scope="col" { (r.on.to_string()) br; small { (r.institution) } } }
                    th scope="col" { (ctx.t("推移", "Trend")) }
                } }
                tbody {
                    @for item in CHECKUP_ITEMS {
                        @let vals: Vec<Option<f64>> = results.iter().map(|r| r.value(item.id)).collect();
                        @if vals.iter().any(Option::is_some) {
                            tr {
                                th scope="row" { (if ctx.en { item.en } else { item.ja }) " " small { (item.unit) } }
                                td { @if let Some(t) = item.threshold { (t.label()) } }
                                @for x in &vals {
                                    @let refer = x.zip(item.threshold).is_some_and(|(x, t)| t.flags(x));
                                    td.refer[refer] { @if let Some(x) = x { @if refer { span aria-label=(ctx.t("基準値を超えています", "past the threshold")) { "▲" } } (x) } }
                                }
                                td { (trend(&ctx, &vals)) }
                            }
                        }
                    }
                }
            }
        }
    };
    layout(&ctx, ctx.t("特定健診情報", "Checkups"), body)
}

/// The change from the first to the last year measured, in words (screen readers get the
/// same as sighted readers).
fn trend(ctx: &Ctx, vals: &[Option<f64>]) -> String {
    let known: Vec<f64> = vals.iter().flatten().copied().collect();
    match (known.first(), known.last()) {
        (Some(a), Some(b)) if known.len() > 1 && b > a => format!("↑ {}", ctx.t("上昇", "rising")),
        (Some(a), Some(b)) if known.len() > 1 && b < a => format!("↓ {}", ctx.t("低下", "falling")),
        (Some(_), Some(_)) if known.len() > 1 => format!("→ {}", ctx.t("横ばい", "steady")),
        _ => String::new(),
    }
}

#[derive(Deserialize)]
struct Year {
    year: Option<i32>,
}

async fn expenses(State(p): State<Arc<Portal>>, Resident(ctx, s): Resident) -> Response {
    let v = match load(&p, &ctx, &s).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let mut years: Vec<i32> = v.expenses.iter().filter_map(|e| e.month.get(..4)?.parse().ok()).collect();
    years.sort_unstable();
    years.dedup();
    let body = html! {
        (subnav(&ctx))
        p { (ctx.t("医療保険の診療報酬明細書から作成した医療費の情報です。確定申告の医療費控除に使えます。", "Your medical expenses from the claims, usable for the medical-expense deduction in the tax return.")) }
        p {
            a.button href="/health/download/expenses.pdf" download { (ctx.t("PDFをダウンロードする", "Download PDF")) } " "
            a.button href="/health/download/expenses.csv" download { (ctx.t("CSVでダウンロード", "Download CSV")) }
        }
        @for y in years.iter().rev() {
            p { a.button href={ "/health/download/tax.csv?year=" (y) } download { (y) (ctx.t("年分 医療費控除の明細（確定申告用）", " deduction detail for the tax return")) } }
        }
        table {
            thead { tr { th scope="col" { (ctx.t("診療年月", "Month")) } th scope="col" { (ctx.t("医療機関等", "Facility")) } th scope="col" { (ctx.t("区分", "Kind")) } th scope="col" { (ctx.t("日数", "Days")) } th scope="col" { (ctx.t("医療費の総額", "Total")) } th scope="col" { (ctx.t("窓口負担相当額", "You paid")) } } }
            tbody { @for e in &v.expenses { tr { td { (e.month) } td { (e.facility) } td { (e.kind) } td { (e.days) } td { (e.total) } td { (e.paid) } } } }
        }
    };
    layout(&ctx, ctx.t("医療費通知情報", "Medical expenses"), body)
}

/// A BOM so spreadsheet software reads the UTF-8 Japanese correctly.
fn bom(csv: String) -> Vec<u8> {
    format!("\u{feff}{csv}").into_bytes()
}

async fn download(
    State(p): State<Arc<Portal>>,
    Resident(ctx, s): Resident,
    axum::extract::Path(what): axum::extract::Path<String>,
    Query(y): Query<Year>,
) -> Response {
    let v = match load(&p, &ctx, &s).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (name, kind, body): (String, &'static str, Vec<u8>) = match what.as_str() {
        "medication.csv" => ("medication.csv".into(), "text/csv; charset=utf-8", bom(medication_csv(&v.medication))),
        "medication.pdf" => ("medication.pdf".into(), "application/pdf", medication_pdf(&v.medication)),
        "expenses.csv" => ("medical-expenses.csv".into(), "text/csv; charset=utf-8", bom(expenses_csv(&v.expenses))),
        "expenses.pdf" => ("medical-expenses.pdf".into(), "application/pdf", expenses_pdf(&v.expenses)),
        "tax.csv" => {
            let year = y.year.unwrap_or_else(|| myna_node::today_jst().year() - 1);
            (
                format!("iryohi-kojo-{year}.csv"),
                "text/csv; charset=utf-8",
                bom(tax_return_csv(ctx.t("本人", "self"), year, &v.expenses)),
            )
        }
        _ => return error_page(&ctx, StatusCode::NOT_FOUND, "そのファイルはありません。", "No such download."),
    };
    let mut r = body.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}
