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
                AdminOperation::ExportSubject { subject } => {
                    let export = self.0.export_subject(&subject, now).await;
                    answer(export.map_err(client_or_store)?, None)
                }
                AdminOperation::EraseSubject { subject } => {
                    let erasure = self.0.erase_subject(&subject).await;
                    answer(erasure.map_err(client_or_store)?, None)
                }
                AdminOperation::SetConsent {
                    subject,
                    purpose,
                    granted,
                } => {
                    let set = self.0.set_consent(&subject, &purpose, granted, now).await;
                    set.map_err(client_or_store)?;
                    answer(
                        json!({"subject_ref": self.0.subject_ref(&subject), "purpose": purpose, "granted": granted, "updated_at": now}),
                        Some(purpose),
                    )
                }
                AdminOperation::SetDoNotShare {
                    subject,
                    do_not_share,
                } => {
                    let set = self.0.set_do_not_share(&subject, do_not_share, now).await;
                    set.map_err(client_or_store)?;
                    answer(
                        json!({"subject_ref": self.0.subject_ref(&subject), "do_not_share": do_not_share, "updated_at": now}),
                        None,
                    )
                }
                AdminOperation::ListIncidents { since_ms } => {
                    let since = Timestamp::from_unix_millis(since_ms);
                    let incidents = self.0.incidents(since, None).await;
                    answer(
                        json!({"object": "list", "data": incidents.map_err(client_or_store)?}),
                        None,
                    )
                }
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

/// A 200 with `body` as JSON.
fn answer(body: impl serde::Serialize, target: Option<String>) -> Result<AdminAnswer, AdminError> {
    Ok(AdminAnswer {
        created: false,
        body: serde_json::to_value(body).map_err(|e| AdminError::Unavailable(e.to_string()))?,
        target,
    })
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
        | Error::LimitTooLarge { .. }
        | Error::InvalidPurpose => {
            let message: String = error.to_string().chars().take(MAX_MESSAGE_CHARS).collect();
            AdminError::Invalid(message)
        }
        Error::NotFound(id) => AdminError::NotFound(format!("no key has the id {id}")),
        other => AdminError::Unavailable(other.to_string()),
    }
}

/// The store as the gateway's directory of data subjects' choices.
pub(crate) struct StoreSubjects(pub(crate) Store);

impl warden_gateway::subjects::SubjectDirectory for StoreSubjects {
    fn state<'a>(
        &'a self,
        subject: &'a str,
    ) -> BoxFuture<'a, Result<warden_gateway::subjects::SubjectState, String>> {
        Box::pin(async move {
            let consents = self
                .0
                .consents_of(subject)
                .await
                .map_err(|e| e.to_string())?;
            let do_not_share = self
                .0
                .do_not_share(subject)
                .await
                .map_err(|e| e.to_string())?;
            Ok(warden_gateway::subjects::SubjectState {
                consents: consents
                    .into_iter()
                    .filter(|consent| consent.granted)
                    .map(|consent| consent.purpose)
                    .collect(),
                do_not_share,
            })
        })
    }
}

/// The store as the gateway's incident sink.
pub(crate) struct StoreIncidents(pub(crate) Store);

impl warden_gateway::IncidentSink for StoreIncidents {
    fn raise(&self, incident: warden_gateway::IncidentReport) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            let new = warden_store::NewIncident {
                kind: incident.kind.to_owned(),
                severity: incident.severity.to_owned(),
                summary: incident.summary,
                principals: incident.principal.into_iter().collect(),
                subjects: incident.subject.into_iter().collect(),
                request_ids: vec![incident.request_id],
                dedup: None,
            };
            self.0
                .record_incident(new, Timestamp::now())
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    }
}
