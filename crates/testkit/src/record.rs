//! Requests the mock received, as tests inspect them.

use std::borrow::Cow;
use std::collections::BTreeMap;

use axum::extract::OriginalUri;
use axum::http::request::Parts;
use bytes::Bytes;
use serde::Serialize;
use serde::ser::Serializer;

/// One request to the OpenAI routes (`/v1/…`), recorded before authentication, so requests the
/// mock refused are recorded too. Requests to the control API (`/_mock/…`) are not recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedRequest {
    /// The method, e.g. `POST`.
    pub method: String,
    /// The path as sent, e.g. `/v1/chat/completions`.
    pub path: String,
    /// The query string without `?`, when there is one.
    pub query: Option<String>,
    /// Headers by lower-case name; repeated headers are joined with `, `.
    pub headers: BTreeMap<String, String>,
    /// The body as received.
    pub body: Bytes,
    /// The body parsed as JSON, when it is JSON.
    pub json: Option<serde_json::Value>,
}

impl RecordedRequest {
    pub(crate) fn new(parts: &Parts, body: Bytes) -> Self {
        // Inside the nested `/v1` router the URI has lost its prefix; the original keeps it.
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map_or(&parts.uri, |original| &original.0);
        let mut headers: BTreeMap<String, String> = BTreeMap::new();
        for (name, value) in &parts.headers {
            let value = String::from_utf8_lossy(value.as_bytes());
            headers
                .entry(name.as_str().to_owned())
                .and_modify(|joined| {
                    joined.push_str(", ");
                    joined.push_str(&value);
                })
                .or_insert_with(|| value.into_owned());
        }
        let json = if body.is_empty() {
            None
        } else {
            serde_json::from_slice(&body).ok()
        };
        RecordedRequest {
            method: parts.method.as_str().to_owned(),
            path: uri.path().to_owned(),
            query: uri.query().map(str::to_owned),
            headers,
            body,
            json,
        }
    }

    /// The value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn body_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

/// As `GET /_mock/requests` lists it: `body` is the parsed JSON when the body is JSON, `null` when
/// empty, else the body as a string.
impl Serialize for RecordedRequest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Listed<'a> {
            method: &'a str,
            path: &'a str,
            query: Option<&'a str>,
            headers: &'a BTreeMap<String, String>,
            body: Cow<'a, serde_json::Value>,
        }
        let body = match (&self.json, self.body.is_empty()) {
            (Some(json), _) => Cow::Borrowed(json),
            (None, true) => Cow::Owned(serde_json::Value::Null),
            (None, false) => Cow::Owned(serde_json::Value::String(self.body_text().into_owned())),
        };
        Listed {
            method: &self.method,
            path: &self.path,
            query: self.query.as_deref(),
            headers: &self.headers,
            body,
        }
        .serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use axum::http::Request;

    use super::*;

    fn recorded(request: Request<()>, body: &'static [u8]) -> RecordedRequest {
        let (parts, ()) = request.into_parts();
        RecordedRequest::new(&parts, Bytes::from_static(body))
    }

    #[test]
    fn headers_are_lower_case_and_repeats_joined() {
        let request = Request::post("/v1/embeddings?x=1")
            .header("X-Trace", "a")
            .header("x-trace", "b")
            .header("Content-Type", "application/json")
            .body(())
            .unwrap();
        let recorded = recorded(request, br#"{"input":"hi"}"#);
        assert_eq!(recorded.header("X-TRACE"), Some("a, b"));
        assert_eq!(recorded.headers["content-type"], "application/json");
        assert_eq!(recorded.path, "/v1/embeddings");
        assert_eq!(recorded.query.as_deref(), Some("x=1"));
        assert_eq!(recorded.json.unwrap()["input"], "hi");
    }

    #[test]
    fn listed_bodies_are_json_text_or_null() {
        let listed = |body: &'static [u8]| {
            let request = Request::post("/v1/models").body(()).unwrap();
            serde_json::to_value(recorded(request, body)).unwrap()["body"].clone()
        };
        assert_eq!(listed(br#"{"a":1}"#), serde_json::json!({"a": 1}));
        assert_eq!(listed(b"not json"), serde_json::json!("not json"));
        assert_eq!(listed(b""), serde_json::Value::Null);
    }
}
