//! Stored conversations (`[store] conversations = true`, off by default: data minimisation).
//!
//! A conversation is one chat request: the prompt as the client sent it and the answer as the
//! client received it, sealed together under the data subject's data key (see `crypto.rs`), with
//! the row's id and subject as associated data. Only ids, times and the model stay in clear.

use serde::{Deserialize, Serialize};

use crate::timestamp::Timestamp;

/// A conversation to store.
#[derive(Clone, Debug)]
pub struct NewConversation {
    /// The data subject's id as the client gave it (`X-Warden-Subject`, the `user` field); stored
    /// only as a keyed hash.
    pub subject: String,
    /// The principal (key id or JWT subject) that made the request.
    pub principal: Option<String>,
    /// The request id (`x-request-id`), linking the conversation to its audit event.
    pub request_id: String,
    /// The model asked for.
    pub model: Option<String>,
    /// The prompt (the request's messages as JSON text).
    pub prompt: String,
    /// The answer as delivered.
    pub answer: String,
}

/// A stored conversation, decrypted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Conversation {
    /// `conv_` + 16 letters and digits.
    pub id: String,
    /// The subject reference (keyed hash of the subject's id).
    pub subject_ref: String,
    /// The principal that made the request.
    pub principal: Option<String>,
    /// Its request id.
    pub request_id: String,
    /// The model asked for.
    pub model: Option<String>,
    /// When it was stored.
    pub created_at: Timestamp,
    /// When retention ends (`None`: kept until erased).
    pub expires_at: Option<Timestamp>,
    /// The prompt.
    pub prompt: String,
    /// The answer.
    pub answer: String,
}

/// What is sealed.
#[derive(Serialize, Deserialize)]
pub(crate) struct Body {
    pub(crate) prompt: String,
    pub(crate) answer: String,
}

/// The associated data binding a sealed body to its row.
pub(crate) fn body_aad(id: &str, subject_ref: &str) -> Vec<u8> {
    format!("warden conversation v1\0{id}\0{subject_ref}").into_bytes()
}
