//! Data subjects' choices (SPEC §8): consent per purpose and the CCPA opt-out of sharing, looked up
//! through the [`SubjectDirectory`] trait (the store implements it) for every model call that names
//! a subject (`X-Warden-Subject`, else the `user` field).
//!
//! - An upstream with `require_consent = ["purpose", …]` serves a request only when its subject
//!   gave consent for every listed purpose; otherwise 403 `consent_required` (also when the request
//!   names no subject: there is nobody whose consent could be checked).
//! - A subject who opted out (`do_not_share`) is served only by an upstream with
//!   `shares_data = false` for the model (the first in configuration order), or refused.
//! - Both facts also reach the Cedar context (`context.consent`, `context.do_not_share`).
//!
//! A lookup that fails refuses the request (503): never served unchecked.

use crate::error::{ApiError, printable};
use crate::identity::BoxFuture;
use crate::upstream::{Upstream, Upstreams};

/// What a subject chose.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubjectState {
    /// Purposes the subject consented to (withdrawn ones are absent).
    pub consents: Vec<String>,
    /// Whether the subject opted out of sharing.
    pub do_not_share: bool,
}

/// Looks subjects' choices up. Implemented by the store.
pub trait SubjectDirectory: Send + Sync + 'static {
    /// The choices of `subject` (the id the client sent); an unknown subject has none.
    fn state<'a>(&'a self, subject: &'a str) -> BoxFuture<'a, Result<SubjectState, String>>;
}

/// The choices of the request's subject (none without a subject or a directory).
pub(crate) async fn lookup(
    directory: Option<&dyn SubjectDirectory>,
    subject: Option<&str>,
) -> Result<SubjectState, ApiError> {
    let (Some(directory), Some(subject)) = (directory, subject) else {
        return Ok(SubjectState::default());
    };
    directory.state(subject).await.map_err(|reason| {
        tracing::error!(%reason, "looking the data subject's choices up failed");
        ApiError::unavailable(
            "the data subject's consent could not be checked; the request was refused",
        )
    })
}

/// The upstream that may serve `model` for this subject: the routed one, or for an opted-out
/// subject one that does not share data; then its consent requirements.
pub(crate) fn gate<'a>(
    upstreams: &'a Upstreams,
    routed: &'a Upstream,
    model: &str,
    subject: Option<&str>,
    state: &SubjectState,
) -> Result<&'a Upstream, ApiError> {
    let upstream = if state.do_not_share && routed.config().shares_data {
        upstreams.route_not_sharing(model).ok_or_else(|| {
            ApiError::policy_denied(format!(
                "the data subject opted out of sharing (do_not_share) and no upstream that does not \
                 share data serves `{}`",
                printable(model)
            ))
        })?
    } else {
        routed
    };
    for purpose in &upstream.config().require_consent {
        if subject.is_none() {
            return Err(ApiError::consent_required(format!(
                "`{}` requires the data subject's consent for `{purpose}`: name the subject with \
                 X-Warden-Subject or `user`",
                printable(model)
            )));
        }
        if !state.consents.iter().any(|given| given == purpose) {
            return Err(ApiError::consent_required(format!(
                "the data subject has not consented to `{purpose}`, which `{}` requires",
                printable(model)
            )));
        }
    }
    Ok(upstream)
}
