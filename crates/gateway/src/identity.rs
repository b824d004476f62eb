//! Identify (SPEC §2 step 2): who is calling, from the `Authorization: Bearer wdn_…` header.
//!
//! The gateway does not know how keys are stored: it asks an [`Authenticator`] (the store implements
//! it; tests use [`StaticKeys`]). Every outcome other than a valid key is a 401 with a message that
//! says which case it was (missing, malformed, unknown, revoked, expired) without echoing the key.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::time::SystemTime;

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;

use crate::error::ApiError;

/// A caller the gateway has identified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// A stable, printable id (the key id); never the key.
    pub id: String,
    /// The key's name.
    pub name: String,
    /// Roles (`user`, `admin`, …).
    pub roles: Vec<String>,
    /// Models this principal may use; `None` = every model the policy allows.
    pub allowed_models: Option<Vec<String>>,
    /// The principal's own rate limits and budgets (a key's); unset fields fall back to
    /// `[limits]`.
    pub limits: crate::config::Rates,
    /// Whether the principal authenticated with several factors (a JWT's `amr`/`acr`).
    pub mfa: bool,
}

impl Principal {
    /// Whether the principal has `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

/// What a presented key turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Authentication {
    /// A valid, current key.
    Valid(Principal),
    /// Not shaped like a Warden key.
    Malformed,
    /// Well-formed but not known.
    Unknown,
    /// Known and revoked.
    Revoked,
    /// Known and past its expiry.
    Expired,
}

/// A boxed future, so [`Authenticator`] stays object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Looks presented keys up. Implemented by the store; must compare in constant time and must not
/// remember keys in a way that hides a revocation from the next request.
pub trait Authenticator: Send + Sync + 'static {
    /// What `key` is, at `now`. An `Err` means the lookup could not run (the request is refused).
    fn authenticate<'a>(
        &'a self,
        key: &'a str,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<Authentication, String>>;

    /// Whether the key store is usable (for `/readyz`).
    fn ready(&self) -> BoxFuture<'_, bool>;
}

/// The principal behind the request's bearer key, or the 401 to send.
pub async fn identify(
    authenticator: &dyn Authenticator,
    jwt: &crate::jwt::JwtVerifier,
    headers: &HeaderMap,
) -> Result<Principal, ApiError> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Err(ApiError::unauthorized(
            "missing API key: send `Authorization: Bearer wdn_…`",
        ));
    };
    let Some(key) = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
    else {
        return Err(ApiError::unauthorized(
            "the Authorization header must be `Bearer wdn_…`",
        ));
    };
    // A JWT (three dot-separated parts) goes to the configured issuers; everything else is a key.
    if !key.starts_with("wdn_") && !jwt.is_empty() && key.split('.').count() == 3 {
        return jwt.verify(key);
    }
    match authenticator.authenticate(key, SystemTime::now()).await {
        Ok(Authentication::Valid(principal)) => Ok(principal),
        Ok(Authentication::Malformed) => Err(ApiError::unauthorized(
            "the API key is not a Warden key (wdn_…)",
        )),
        Ok(Authentication::Unknown) => Err(ApiError::unauthorized("the API key is not known")),
        Ok(Authentication::Revoked) => Err(ApiError::unauthorized("the API key was revoked")),
        Ok(Authentication::Expired) => Err(ApiError::unauthorized("the API key has expired")),
        Err(_) => Err(ApiError::unavailable(
            "the key store cannot be reached; the request was refused",
        )),
    }
}

/// Keys held in memory: for tests and embedding. Compares in constant time.
#[derive(Clone, Debug, Default)]
pub struct StaticKeys {
    keys: HashMap<String, (Principal, KeyState)>,
}

/// The state of a key in [`StaticKeys`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyState {
    /// Usable.
    Active,
    /// Revoked.
    Revoked,
    /// Expired.
    Expired,
}

impl StaticKeys {
    /// Adds `key` for `principal`.
    #[must_use]
    pub fn with(mut self, key: &str, principal: Principal, state: KeyState) -> StaticKeys {
        self.keys.insert(key.to_owned(), (principal, state));
        self
    }
}

impl Authenticator for StaticKeys {
    fn authenticate<'a>(
        &'a self,
        key: &'a str,
        _now: SystemTime,
    ) -> BoxFuture<'a, Result<Authentication, String>> {
        Box::pin(async move {
            if !key.starts_with("wdn_") {
                return Ok(Authentication::Malformed);
            }
            let found = self.keys.iter().find(|(candidate, _)| {
                aws_lc_rs::constant_time::verify_slices_are_equal(
                    candidate.as_bytes(),
                    key.as_bytes(),
                )
                .is_ok()
            });
            Ok(match found {
                None => Authentication::Unknown,
                Some((_, (principal, KeyState::Active))) => {
                    Authentication::Valid(principal.clone())
                }
                Some((_, (_, KeyState::Revoked))) => Authentication::Revoked,
                Some((_, (_, KeyState::Expired))) => Authentication::Expired,
            })
        })
    }

    fn ready(&self) -> BoxFuture<'_, bool> {
        Box::pin(async { true })
    }
}
