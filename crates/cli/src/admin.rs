//! The store behind the gateway's admin API: each [`AdminOperation`] carried out on the [`Store`],
//! answered with the same JSON as the matching `warden` command's `--json`.
//!
//! The gateway has already identified and authorized the caller and records the audit event (the
//! response waits for it); this adapter only does the work. Store failures become
//! [`AdminError::Unavailable`] (503, reason logged), the client's mistakes [`AdminError::Invalid`].

use serde_json::json;
use warden_gateway::identity::{BoxFuture, Principal};
use warden_gateway::{AdminAnswer, AdminError, AdminOperation, KeySpec};
use warden_store::{KeyId, KeyLimits, RevokeOutcome, Store, Timestamp};

use crate::keys::{CreatedKey, Revocation, listed, new_key, parse_duration};

/// The longest message of a client mistake echoed back (a role name can be long).
const MAX_MESSAGE_CHARS: usize = 300;

/// The store as the gateway's admin back end.
pub(crate) struct StoreAdmin(pub(crate) Store);

impl warden_gateway::AdminStore for StoreAdmin {
    fn run<'a>(
        &'a self,
        operation: AdminOperation,
        _actor: &'a Principal,
    ) -> BoxFuture<'a, Result<AdminAnswer, AdminError>> {
        Box::pin(async move {
            let now = Timestamp::now();
            match operation {
                AdminOperation::CreateKey(spec) => self.create_key(spec, now).await,
                AdminOperation::ListKeys => self.list_keys(now).await,
                AdminOperation::RevokeKey { id } => self.revoke_key(&id, now).await,
                _ => Err(AdminError::Invalid(
                    "this operation is not supported by this store".to_owned(),
                )),
            }
        })
    }
}

impl StoreAdmin {
    async fn create_key(&self, spec: KeySpec, now: Timestamp) -> Result<AdminAnswer, AdminError> {
        let expires = spec
            .expires_in
            .as_deref()
            .map(|text| parse_duration(text.trim()))
            .transpose()
            .map_err(|_| {
                AdminError::Invalid(
                    "expires_in must be a number followed by d, h or m (`90d`), at most 36500d"
                        .to_owned(),
                )
            })?;
        let limits = KeyLimits {
            requests_per_minute: spec.requests_per_minute,
            tokens_per_minute: spec.tokens_per_minute,
            tokens_per_day: spec.tokens_per_day,
        };
        let key = new_key(spec.name, &spec.roles, expires, spec.models, limits, now)
            .map_err(client_or_store)?;
        let (record, key) = self.0.create_key(key, now).await.map_err(client_or_store)?;
        let body = serde_json::to_value(CreatedKey::of(&record, &key))
            .map_err(|e| AdminError::Unavailable(e.to_string()))?;
        Ok(AdminAnswer {
            created: true,
            body,
            target: Some(record.id.as_str().to_owned()),
        })
    }

    async fn list_keys(&self, now: Timestamp) -> Result<AdminAnswer, AdminError> {
        let records = self.0.list_keys().await.map_err(client_or_store)?;
        Ok(AdminAnswer {
            created: false,
            body: json!({"object": "list", "data": listed(&records, now)}),
            target: None,
        })
    }

    async fn revoke_key(&self, id: &str, now: Timestamp) -> Result<AdminAnswer, AdminError> {
        let id = KeyId::parse(id.trim()).map_err(client_or_store)?;
        let (outcome, revoked_at) = match self.0.revoke_key(&id, now).await {
            Ok(RevokeOutcome::Revoked { at }) => ("revoked", at),
            Ok(RevokeOutcome::AlreadyRevoked { at }) => ("already_revoked", at),
            Err(warden_store::Error::NotFound(_)) => {
                return Err(AdminError::NotFound(format!("no key has the id {id}")));
            }
            Err(error) => return Err(client_or_store(error)),
        };
        let body = serde_json::to_value(Revocation {
            id: &id,
            outcome,
            revoked_at,
        })
        .map_err(|e| AdminError::Unavailable(e.to_string()))?;
        Ok(AdminAnswer {
            created: false,
            body,
            target: Some(id.as_str().to_owned()),
        })
    }
}

/// A store error as the admin API's: the client's mistakes (named by the store without secrets)
/// are 400, everything else 503.
fn client_or_store(error: warden_store::Error) -> AdminError {
    use warden_store::Error;
    match error {
        Error::MalformedKeyId
        | Error::InvalidRole(_)
        | Error::NoRoles
        | Error::InvalidName
        | Error::InvalidModel(_)
        | Error::LimitTooLarge { .. } => {
            let message: String = error.to_string().chars().take(MAX_MESSAGE_CHARS).collect();
            AdminError::Invalid(message)
        }
        Error::NotFound(id) => AdminError::NotFound(format!("no key has the id {id}")),
        other => AdminError::Unavailable(other.to_string()),
    }
}
