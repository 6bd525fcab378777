//! What the server accepts before any route sees a request: it answers
//! its own page only.
//!
//! - `Host` must name the server: `localhost`, a loopback address or the
//!   address it listens on, with its port. A page of another site that
//!   points its own name at 127.0.0.1 (DNS rebinding) sends its own name
//!   and is refused. When the server listens on every address (`0.0.0.0`
//!   or `::`) it cannot know all of the machine's addresses, so any IP
//!   literal with the right port is accepted: rebinding needs a name.
//! - `Origin`, when a browser sends it, must be this server's; so must
//!   `Sec-Fetch-Site` for the API (`/api/...`). A page of another site can
//!   neither read an answer nor start, cancel or download anything, even
//!   with a simple request (a form, an image) that a browser sends without
//!   asking first. The page itself may be opened from anywhere: a shared
//!   link clicked on another site is a cross-site navigation.
//! - A write (POST, DELETE) must say `Content-Type: application/json`,
//!   which no other site can send without the browser asking this server
//!   first (a preflight, which it does not answer).
//! - A request body must arrive within `BODY_TIMEOUT` and within the
//!   size limit.
//!
//! Every answer carries a Content-Security-Policy that lets the page run
//! only its own script and style, so text from a link or a scenario can
//! never run as script even if it became markup.

use super::api::refuse;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use std::net::IpAddr;
use std::time::Duration;

/// Time a client has to send a request's whole body.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// The page's own script and style only: no inline script, no other
/// site, no frames around it.
const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; \
     base-uri 'none'; form-action 'none'";

/// The addresses the server answers as, and the body limit.
#[derive(Debug, Clone)]
pub struct Guard {
    /// The address it listens on.
    pub host: IpAddr,
    /// The port it listens on (the one chosen, when 0 was asked).
    pub port: u16,
    /// Bytes of a request body.
    pub max_body: usize,
}

impl Guard {
    /// Whether `authority` (`host:port`, `[v6]:port`, or a host alone for
    /// port 80) names this server.
    pub fn names_me(&self, authority: &str) -> bool {
        let (name, port) = match authority.rsplit_once(':') {
            // `[::1]` alone has colons inside its brackets, not a port.
            Some((name, port)) if !port.contains(']') => (name, port.parse::<u16>().ok()),
            _ => (authority, Some(80)),
        };
        if port != Some(self.port) {
            return false;
        }
        if name.eq_ignore_ascii_case("localhost") {
            return true;
        }
        let literal = name.trim_start_matches('[').trim_end_matches(']');
        match literal.parse::<IpAddr>() {
            Ok(ip) => ip.is_loopback() || ip == self.host || self.host.is_unspecified(),
            Err(_) => false,
        }
    }

    /// Why `request`'s headers are refused, if they are: status, field
    /// (the header) and message.
    fn refusal(
        &self,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
    ) -> Option<(StatusCode, String, String)> {
        let text = |name: &header::HeaderName| {
            headers
                .get(name)
                .map(|v| v.to_str().unwrap_or("(not text)").to_string())
        };
        let forbidden = |field: &str, message: String| {
            Some((StatusCode::FORBIDDEN, field.to_string(), message))
        };
        match text(&header::HOST) {
            Some(host) if self.names_me(&host) => {}
            Some(host) => {
                return forbidden(
                    "host",
                    format!("the Host header '{host}' does not name this server; open it as http://localhost:{}/", self.port),
                )
            }
            None => return forbidden("host", "a request must name this server in its Host header".into()),
        }
        if let Some(origin) = text(&header::ORIGIN) {
            let mine = origin
                .strip_prefix("http://")
                .is_some_and(|authority| self.names_me(authority));
            if !mine {
                return forbidden(
                    "origin",
                    format!("the Origin header '{origin}' is another site; this server answers only its own page"),
                );
            }
        }
        let api = path.starts_with("/api/");
        if let Some(site) = headers.get("sec-fetch-site").filter(|_| api) {
            // `none` is the user's own doing (an address typed, a bookmark).
            if site != "same-origin" && site != "none" {
                return forbidden(
                    "sec-fetch-site",
                    "the request comes from another site; this server answers only its own page"
                        .into(),
                );
            }
        }
        if *method == Method::POST || *method == Method::DELETE {
            let json = text(&header::CONTENT_TYPE).is_some_and(|kind| {
                kind.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .eq_ignore_ascii_case("application/json")
            });
            if !json {
                return Some((
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "content-type".into(),
                    "a POST or DELETE must be sent as Content-Type: application/json".into(),
                ));
            }
        }
        None
    }
}

/// The middleware: refuses what `Guard::refusal` refuses before the body
/// is read, reads the body within its time and size, and adds the
/// security headers to every answer.
pub async fn check(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    let refused = guard.refusal(request.method(), request.uri().path(), request.headers());
    let mut response = match refused {
        Some((status, field, message)) => refuse(status, &field, message),
        None => match read_body(request, guard.max_body).await {
            Ok(request) => next.run(request).await,
            Err(refused) => refused,
        },
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// The request with its body read whole, or the refusal: 408 when the
/// body does not arrive within `BODY_TIMEOUT`, 413 when it passes `limit`.
async fn read_body(request: Request, limit: usize) -> Result<Request, Response> {
    let (parts, body) = request.into_parts();
    match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(bytes)) => Ok(Request::from_parts(parts, Body::from(bytes))),
        Ok(Err(_)) => Err(refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body",
            format!("the request body is over {limit} bytes, or was cut off"),
        )),
        Err(_) => Err(refuse(
            StatusCode::REQUEST_TIMEOUT,
            "body",
            format!(
                "the request body did not arrive within {} s",
                BODY_TIMEOUT.as_secs()
            ),
        )),
    }
}
