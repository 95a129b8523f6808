//! Who may call which route of the portal's web server (`myna_node::access`): its API, each
//! route with the credential it checks, and its pages, open or behind the resident's or the
//! clerk's session. Routes not listed are refused to everyone.

use myna_node::access::{Access, Table, rule};

const RESIDENT: Access = Access::Page("a resident's session (logged in with the card)");
const CLERK: Access = Access::Page("a municipal clerk's session");
const OPEN: Access = Access::Page("open");
const CLERK_API: Access = Access::InRequest("a clerk's session token (Authorization: Bearer <token>)");
const OPERATOR: Access = Access::InRequest("the operator token (Authorization: Bearer <token>)");
const PUBLISHED: Access = Access::Page(
    "the OpenID provider's published metadata and keys, open (OpenID Discovery, not in the OpenAPI document)",
);

pub const TABLE: Table = Table {
    node: "Myna Portal",
    rules: &[
        // The API (in the OpenAPI document).
        rule("POST", "/v1/login/challenge", Access::Public("a challenge for the card to sign; stateless")),
        rule("POST", "/v1/login", Access::InRequest("the card's signature over the challenge")),
        rule(
            "POST",
            "/v1/clerk/login",
            Access::InRequest("a clerk account's password, for the municipality's back-office system"),
        ),
        rule("GET", "/v1/clerk/applications", CLERK_API),
        rule("GET", "/v1/clerk/applications/{receipt}", CLERK_API),
        rule("PUT", "/v1/clerk/applications/{receipt}/status", CLERK_API),
        rule("POST", "/v1/operator/clerks", OPERATOR),
        rule("POST", "/oauth/clients", OPERATOR),
        rule("POST", "/oauth/token", Access::InRequest("the client's credentials and the code's PKCE verifier")),
        rule("GET", "/oauth/userinfo", Access::InRequest("an access token (Authorization: Bearer <token>)")),
        rule("GET", "/v1/self/{scope}", Access::InRequest("an access token (Authorization: Bearer <token>)")),
        // Published documents.
        rule("GET", "/.well-known/openid-configuration", PUBLISHED),
        rule("GET", "/oauth/jwks", PUBLISHED),
        // Pages.
        rule("GET", "/", OPEN),
        rule("GET", "/lang/{lang}", OPEN),
        rule("GET", "/static/tokens.css", OPEN),
        rule("GET", "/static/portal.css", OPEN),
        rule("GET", "/static/portal.js", OPEN),
        rule("GET", "/static/verify.js", OPEN),
        rule("GET", "/documents/verify", OPEN),
        rule("POST", "/documents/verify", Access::Page("open: anyone checks a document; nothing is kept or changed")),
        rule("GET", "/login", OPEN),
        rule("GET", "/login/status", OPEN),
        rule("GET", "/login/continue", OPEN),
        rule("GET", "/login/card-reader", Access::Page("the demo's card reader, only when the demo switches it on")),
        rule("POST", "/login/card-reader", Access::Page("the demo's card reader, only when the demo switches it on")),
        rule("POST", "/logout", RESIDENT),
        rule("GET", "/me", RESIDENT),
        rule("GET", "/history", RESIDENT),
        rule("GET", "/history/identity", RESIDENT),
        rule("GET", "/notices", RESIDENT),
        rule("GET", "/notices/events", RESIDENT),
        rule("GET", "/notices/{id}", RESIDENT),
        rule("POST", "/notices/{id}/reply", RESIDENT),
        rule("GET", "/accounts", RESIDENT),
        rule("POST", "/accounts/confirm", RESIDENT),
        rule("POST", "/accounts/submit", RESIDENT),
        rule("GET", "/deposits", RESIDENT),
        rule("POST", "/deposits/confirm", RESIDENT),
        rule("POST", "/deposits/submit", RESIDENT),
        rule("GET", "/qualifications", RESIDENT),
        rule("POST", "/qualifications/confirm", RESIDENT),
        rule("POST", "/qualifications/apply", RESIDENT),
        rule("POST", "/qualifications/credential", RESIDENT),
        rule("GET", "/qualifications/present", RESIDENT),
        rule("POST", "/qualifications/present", RESIDENT),
        rule("GET", "/moving", RESIDENT),
        rule("POST", "/moving/confirm", RESIDENT),
        rule("POST", "/moving/submit", RESIDENT),
        rule("GET", "/health", RESIDENT),
        rule("POST", "/health/register", RESIDENT),
        rule("GET", "/health/medication", RESIDENT),
        rule("GET", "/health/checkups", RESIDENT),
        rule("GET", "/health/expenses", RESIDENT),
        rule("GET", "/health/download/{what}", RESIDENT),
        rule("GET", "/apply", OPEN),
        rule("POST", "/apply/submit", RESIDENT),
        rule("GET", "/apply/{municipality}/{procedure}", OPEN),
        rule("POST", "/apply/{municipality}/{procedure}", RESIDENT),
        rule("GET", "/applications", RESIDENT),
        rule("GET", "/applications/{receipt}", RESIDENT),
        rule("GET", "/oauth/authorize", RESIDENT),
        rule("POST", "/oauth/authorize", RESIDENT),
        rule("GET", "/connections", RESIDENT),
        rule("POST", "/connections/{client}/revoke", RESIDENT),
        rule("GET", "/clerk/login", OPEN),
        rule("GET", "/clerk/card", Access::Page("a resident session opened with a card bound as a clerk's staff card")),
        rule("GET", "/clerk", CLERK),
        rule("GET", "/clerk/open", CLERK),
        rule("POST", "/clerk/logout", CLERK),
        rule("GET", "/clerk/applications/{receipt}", CLERK),
        rule("POST", "/clerk/applications/{receipt}/status", CLERK),
    ],
};
