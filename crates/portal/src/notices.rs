//! お知らせ: notices agencies send through the hub (sealed to the portal, the code
//! translated), kept per resident, shown once due (scheduled ones wait), marked read when
//! opened; the page and the unread badge update without reloading (server-sent events).

use std::{convert::Infallible, sync::Arc, time::Duration};

use crate::store::NoticeRow;
use axum::{Form, extract::rejection::FormRejection, response::Redirect};
use axum::{
    Router,
    extract::{Path, State},
    http::StatusCode,
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
    routing::{get, post},
};
use maud::html;
use myna_link::{NoticeText, PushKind, Reply, ReplyOffer};
use myna_node::{ApiError, jose, now_secs};
use serde::Serialize;
use tokio::sync::broadcast;

use crate::{
    Portal, PortalError,
    history::jst,
    page::{Resident, error_page, layout, resident_form},
    store::PortalStore,
};

/// New notices, by the resident's code, for open pages.
#[derive(Clone)]
pub struct Live(broadcast::Sender<String>);

impl Live {
    pub fn new() -> Self {
        Self(broadcast::channel(1024).0)
    }
}

impl Default for Live {
    fn default() -> Self {
        Self::new()
    }
}

/// What the hub's deliveries need: made before the portal, so the inbox depends on nothing
/// that is built after the portal's linkage node starts.
#[derive(Clone)]
pub struct Inbox {
    pub agency: Arc<myna_linkage::agency::Agency>,
    pub store: PortalStore,
    pub live: Live,
}

/// The route on the portal's linkage node where the hub delivers notices.
pub fn inbox_routes(inbox: Inbox) -> Router {
    Router::new()
        .route("/v1/inbox", post(inbox_route))
        .route_layer(axum::middleware::from_fn_with_state(myna_linkage::agency::HUB_ONLY, myna_node::only_peers))
        .with_state(inbox)
}

async fn inbox_route(State(inbox): State<Inbox>, body: String) -> Result<Response, ApiError> {
    Ok(jose(inbox.take(&body).await?))
}

impl Inbox {
    /// A notice the hub delivers (JWS): opened, checked, stored durably before the signed
    /// acknowledgement (JWS) is answered; a resend stores nothing twice.
    async fn take(&self, jws: &str) -> Result<String, PortalError> {
        let (env, plain) = self.agency.open_push(jws)?;
        let f = &env.body;
        if f.kind != myna_link::PushKind::Notice {
            return Err(PortalError::invalid("kind", format!("the portal receives notices, not {}", f.kind.id())));
        }
        let text: NoticeText = serde_json::from_slice(&plain).map_err(|e| PortalError::invalid("notice", e))?;
        text.check().map_err(|e| PortalError::invalid("notice", e))?;
        let code = f.code.to_string();
        let row = NoticeRow {
            id: 0,
            code: code.clone(),
            sender: f.sender.to_string(),
            message: f.notice.to_string(),
            title: text.title.trim().to_string(),
            body: text.body,
            deliver_at: f.deliver_at,
            created_at: now_secs(),
            read_at: None,
            reply: text.reply.as_ref().and_then(|r| serde_json::to_string(r).ok()),
            replied_at: None,
        };
        self.store.add_notice(&row).await?;
        let _ = self.live.0.send(code);
        Ok(self.agency.acknowledge(&env)?)
    }
}

async fn list(State(p): State<Arc<Portal>>, Resident(ctx, s): Resident) -> Response {
    let now = now_secs();
    let (Ok(due), Ok(later)) = (p.store.notices(&s.code, now, 200).await, p.store.scheduled(&s.code, now).await) else {
        return error_page(
            &ctx,
            StatusCode::INTERNAL_SERVER_ERROR,
            "お知らせを読み込めませんでした。",
            "Notices could not be loaded.",
        );
    };
    let names = p.agency_names().await;
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_string());
    let unread = due.iter().filter(|n| n.read_at.is_none()).count();
    let body = html! {
        p #unread-summary aria-live="polite" { (ctx.t("未読 ", "Unread: ")) span #unread-count { (unread) } (ctx.t("件", "")) }
        p #live-status.sr-only aria-live="polite" {}
        ul #notices.notices data-live="/notices/events" {
            @for n in &due {
                li.unread[n.read_at.is_none()] data-id=(n.id) {
                    a href={ "/notices/" (n.id) } { (n.title) }
                    " " small { (name(&n.sender)) " · " (jst(n.deliver_at)) @if n.read_at.is_none() { " · " strong { (ctx.t("未読", "unread")) } } }
                }
            }
        }
        @if due.is_empty() { p #no-notices { (ctx.t("お知らせはありません。", "No notices.")) } }
        @if !later.is_empty() {
            h2 { (ctx.t("予定されているお知らせ", "Scheduled notices")) }
            ul { @for n in &later { li { (name(&n.sender)) " · " (jst(n.deliver_at)) (ctx.t(" に届きます", "")) } } }
        }
    };
    layout(&ctx, ctx.t("お知らせ", "Notices"), body)
}

async fn one(State(p): State<Arc<Portal>>, Resident(ctx, s): Resident, Path(id): Path<i64>) -> Response {
    let n = match p.store.mark_read(&s.code, id, now_secs()).await {
        Ok(Some(n)) => n,
        Ok(None) => {
            return error_page(&ctx, StatusCode::NOT_FOUND, "このお知らせはありません。", "There is no such notice.");
        }
        Err(_) => {
            return error_page(
                &ctx,
                StatusCode::INTERNAL_SERVER_ERROR,
                "お知らせを読み込めませんでした。",
                "The notice could not be loaded.",
            );
        }
    };
    let _ = p.notices.0.send(s.code.clone());
    let names = p.agency_names().await;
    let offer: Option<ReplyOffer> = n.reply.as_deref().and_then(|r| serde_json::from_str(r).ok());
    let body = html! {
        p { (ctx.t("差出人: ", "From: ")) (names.get(&n.sender).cloned().unwrap_or(n.sender.clone())) " · " (jst(n.deliver_at)) }
        div.notice-body { @for line in n.body.lines() { (line) br; } }
        @if let Some(o) = &offer {
            section.reply aria-labelledby="reply-h" {
                h2 #reply-h { (ctx.t("受け取らない場合（受給拒否）", "If you do not wish to receive it")) }
                @if let Some(at) = n.replied_at {
                    p #replied role="status" { (ctx.t("受け取らないことを届け出ました（", "You declined it (")) (jst(at)) (ctx.t("）。", ").")) }
                } @else if now_secs() > o.until {
                    p { (ctx.t("届出の期限（", "The deadline (")) (jst(o.until)) (ctx.t("）を過ぎました。", ") has passed.")) }
                } @else {
                    p { (ctx.t("期限: ", "Deadline: ")) (jst(o.until)) }
                    form method="post" action={ "/notices/" (n.id) "/reply" } {
                        (ctx.csrf_field())
                        button #decline type="submit" { (ctx.t("受け取らない（辞退する）", "Decline")) }
                    }
                }
            }
        }
        p { a href="/notices" { (ctx.t("お知らせ一覧へ", "Back to notices")) } }
    };
    layout(&ctx, &n.title, body)
}

/// The resident's answer to a notice that offers one (a benefit declined): pushed to the
/// notice's sender through the hub (the hub translates the portal's code for the resident
/// into the sender's), and shown on the notice once the sender has it.
async fn reply(
    State(p): State<Arc<Portal>>,
    Resident(ctx, s): Resident,
    Path(id): Path<i64>,
    form: Result<Form<crate::page::Fields>, FormRejection>,
) -> Response {
    if let Err(r) = resident_form(&ctx, &s, form) {
        return *r;
    }
    let now = now_secs();
    let n = match p.store.notice(&s.code, id, now).await {
        Ok(Some(n)) => n,
        _ => return error_page(&ctx, StatusCode::NOT_FOUND, "このお知らせはありません。", "There is no such notice."),
    };
    let Some(offer) = n.reply.as_deref().and_then(|r| serde_json::from_str::<ReplyOffer>(r).ok()) else {
        return error_page(
            &ctx,
            StatusCode::CONFLICT,
            "このお知らせには返答できません。",
            "This notice takes no reply.",
        );
    };
    if now > offer.until {
        return error_page(&ctx, StatusCode::CONFLICT, "期限を過ぎています。", "The deadline has passed.");
    }
    let (Ok(to), Ok(body)) = (
        n.sender.parse::<myna_link::AgencyId>(),
        serde_json::to_vec(&Reply { about: offer.about.clone(), answer: offer.answer, at: now }),
    ) else {
        return error_page(&ctx, StatusCode::INTERNAL_SERVER_ERROR, "送信できませんでした。", "Could not send.");
    };
    match p.agency.push(&s.code, &to, PushKind::BenefitReply, body.as_slice(), now).await {
        Ok(_) => {
            if p.store.replied(&s.code, id, now_secs()).await.is_err() {
                return error_page(
                    &ctx,
                    StatusCode::SERVICE_UNAVAILABLE,
                    "届け出ましたが、記録できませんでした。もう一度押してください。",
                    "Sent, but not recorded here: press again.",
                );
            }
            Redirect::to(&format!("/notices/{id}")).into_response()
        }
        Err(e) => error_page(
            &ctx,
            StatusCode::BAD_GATEWAY,
            &format!("届け出られませんでした: {}", e.reason()),
            &format!("Your answer did not reach the sender: {}", e.reason()),
        ),
    }
}

#[derive(Serialize)]
struct LiveView {
    unread: i64,
    latest: Vec<LiveNotice>,
}

#[derive(Serialize)]
struct LiveNotice {
    id: i64,
    title: String,
    at: String,
}

async fn snapshot(p: &Portal, code: &str) -> Option<String> {
    let now = now_secs();
    let unread = p.store.unread(code, now).await.ok()?;
    let latest = p
        .store
        .notices(code, now, 20)
        .await
        .ok()?
        .into_iter()
        .map(|n| LiveNotice { id: n.id, title: n.title, at: jst(n.deliver_at) })
        .collect();
    serde_json::to_string(&LiveView { unread, latest }).ok()
}

/// Server-sent events: the unread count and newest notices, at once, when a notice arrives
/// or is read, and every 15 seconds (when scheduled notices fall due).
async fn events(State(p): State<Arc<Portal>>, Resident(_, s): Resident) -> Response {
    let rx = p.notices.0.subscribe();
    let state = (p, s.code, rx, true);
    let stream = futures_util::stream::unfold(state, |(p, code, mut rx, first)| async move {
        if !first {
            let tick = tokio::time::sleep(Duration::from_secs(15));
            tokio::pin!(tick);
            loop {
                tokio::select! {
                    _ = &mut tick => break,
                    got = rx.recv() => match got {
                        Ok(c) if c == code => break,
                        Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(broadcast::error::RecvError::Closed) => return None,
                    },
                }
            }
        }
        let data = snapshot(&p, &code).await.unwrap_or_else(|| "{}".into());
        Some((Ok::<_, Infallible>(Event::default().event("notices").data(data)), (p, code, rx, false)))
    });
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}

pub fn routes() -> Router<Arc<Portal>> {
    Router::new()
        .route("/notices", get(list))
        .route("/notices/events", get(events))
        .route("/notices/{id}", get(one))
        .route("/notices/{id}/reply", post(reply))
}
