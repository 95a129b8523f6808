//! Who may call which route of the health node's facility server (`myna_node::access`): the
//! facilities' API behind the facility's key, the operator's behind the operator token, and
//! the reception pages behind a facility staff session. Routes not listed are refused.

use myna_node::access::{Access, Table, rule};

const FACILITY: Access = Access::InRequest("the facility's key (Authorization: Bearer <facility code>:<key>)");
const OPERATOR: Access = Access::InRequest("the operator token (Authorization: Bearer <token>)");
const STAFF_PAGE: Access = Access::Page("a facility staff session (signed in on the home page)");

pub const TABLE: Table = Table {
    node: "the health node",
    rules: &[
        rule("POST", "/v1/reception/challenge", FACILITY),
        rule("POST", "/v1/reception", FACILITY),
        rule("GET", "/v1/receptions/{id}/{scope}", FACILITY),
        rule("POST", "/v1/eligibility/lookup", FACILITY),
        rule("POST", "/v1/eligibility/batch", FACILITY),
        rule("POST", "/v1/facilities", OPERATOR),
        rule("POST", "/v1/claims", OPERATOR),
        rule("POST", "/v1/reminders", OPERATOR),
        rule("GET", "/", Access::Page("the sign-in page, open")),
        rule("POST", "/login", Access::Page("the facility's code and key, from the sign-in form")),
        rule("POST", "/login/card", Access::Page("a staff card, signed on the demo's staff card reader")),
        rule("POST", "/v1/staff/challenge", Access::Public("a challenge for a staff card to sign; stateless")),
        rule("POST", "/v1/staff/login", Access::InRequest("the staff card's signature over the challenge")),
        rule("POST", "/logout", STAFF_PAGE),
        rule("GET", "/reception", STAFF_PAGE),
        rule("GET", "/reception/{id}", STAFF_PAGE),
        rule("GET", "/reception/{id}/{scope}", STAFF_PAGE),
        rule(
            "GET",
            "/reader",
            Access::Page("the card reader's screen, the patient's side (the facility's terminal session)"),
        ),
        rule(
            "POST",
            "/reader",
            Access::Page("the patient's own check-in: the card's PIN or face match, and their consent"),
        ),
        rule("POST", "/lookup", STAFF_PAGE),
        rule("POST", "/batch", STAFF_PAGE),
        rule("GET", "/static/site.css", Access::Page("the style sheet, open")),
    ],
};
