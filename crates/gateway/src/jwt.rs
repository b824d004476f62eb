//! Identify with JWT bearer tokens from configured OIDC issuers (SPEC §6).
//!
//! Each issuer has its JWKS (a file, or a URL fetched before the server accepts connections and
//! refreshed periodically), an audience, and an algorithm allow-list. Checked: the signature with the
//! key named by `kid`, `iss`, `aud`, `exp` and `nbf` (30 s leeway), `sub` present. Never accepted:
//! `alg: none` (not an algorithm here), HMAC algorithms (the keys are public), an algorithm outside
//! the issuer's list, a key whose type does not fit the algorithm. Roles come from a claim (an array
//! of strings or a space-separated string), optionally renamed through `role_map`; `amr` containing
//! `mfa` (or `acr` naming MFA) marks the principal as having used MFA.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::RwLock;
use std::time::Duration;

use base64::Engine;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use crate::error::ApiError;
use crate::identity::Principal;

/// Where an issuer's keys come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JwksSource {
    /// A JWKS JSON file, read at start.
    File(PathBuf),
    /// A JWKS URL, fetched at start and every `refresh`.
    Url(String),
}

/// One trusted issuer.
#[derive(Clone, Debug)]
pub struct IssuerConfig {
    /// The exact `iss` value.
    pub issuer: String,
    /// The `aud` value required.
    pub audience: String,
    /// Where its keys are.
    pub jwks: JwksSource,
    /// Algorithms accepted (asymmetric only).
    pub algorithms: Vec<Algorithm>,
    /// The claim holding roles.
    pub roles_claim: String,
    /// Claim value → Warden role; empty = claim values are roles as they are.
    pub role_map: BTreeMap<String, String>,
    /// How often a JWKS URL is fetched again.
    pub refresh: Duration,
}

/// Parses an algorithm name for the allow-list; HMAC and unknown names are refused.
pub fn parse_algorithm(name: &str) -> Result<Algorithm, String> {
    let algorithm: Algorithm = name.parse().map_err(|_| {
        format!("`{name}` is not a JWT signature algorithm (RS256, ES256, EdDSA, …)")
    })?;
    if matches!(
        algorithm,
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
    ) {
        return Err(format!(
            "`{name}` is an HMAC algorithm: issuers' keys are public, so it is never accepted"
        ));
    }
    Ok(algorithm)
}

struct Issuer {
    config: IssuerConfig,
    keys: RwLock<JwkSet>,
}

/// The configured issuers and their current keys.
pub struct JwtVerifier {
    issuers: Vec<Issuer>,
}

impl std::fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtVerifier")
            .field("issuers", &self.issuers.len())
            .finish()
    }
}

#[derive(Deserialize)]
struct UnverifiedClaims {
    iss: Option<String>,
}

#[derive(Deserialize)]
struct Claims {
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    amr: Option<Vec<String>>,
    #[serde(default)]
    acr: Option<String>,
    #[serde(flatten)]
    rest: serde_json::Map<String, serde_json::Value>,
}

impl JwtVerifier {
    /// Issuers with file JWKS loaded; URL ones start empty until [`JwtVerifier::refresh`].
    pub fn new(configs: Vec<IssuerConfig>) -> Result<JwtVerifier, String> {
        let mut issuers = Vec::new();
        for config in configs {
            let keys = match &config.jwks {
                JwksSource::File(path) => {
                    let text = std::fs::read_to_string(path)
                        .map_err(|e| format!("reading JWKS {}: {e}", path.display()))?;
                    serde_json::from_str(&text)
                        .map_err(|e| format!("JWKS {}: not a key set: {e}", path.display()))?
                }
                JwksSource::Url(_) => JwkSet { keys: Vec::new() },
            };
            issuers.push(Issuer {
                config,
                keys: RwLock::new(keys),
            });
        }
        Ok(JwtVerifier { issuers })
    }

    /// Whether any issuer is configured.
    pub fn is_empty(&self) -> bool {
        self.issuers.is_empty()
    }

    /// The shortest refresh period of the URL issuers, if any.
    pub fn refresh_period(&self) -> Option<Duration> {
        self.issuers
            .iter()
            .filter(|i| matches!(i.config.jwks, JwksSource::Url(_)))
            .map(|i| i.config.refresh)
            .min()
    }

    /// Fetches every URL JWKS; a failed fetch keeps the previous keys. Returns the failures.
    pub async fn refresh(&self, client: &reqwest::Client) -> Vec<String> {
        let mut failures = Vec::new();
        for issuer in &self.issuers {
            let JwksSource::Url(url) = &issuer.config.jwks else {
                continue;
            };
            let fetched = async {
                let response = client.get(url).send().await.map_err(|e| e.to_string())?;
                if !response.status().is_success() {
                    return Err(format!("status {}", response.status()));
                }
                response.json::<JwkSet>().await.map_err(|e| e.to_string())
            }
            .await;
            match fetched {
                Ok(keys) => match issuer.keys.write() {
                    Ok(mut current) => *current = keys,
                    Err(poisoned) => *poisoned.into_inner() = keys,
                },
                Err(error) => {
                    failures.push(format!("{}: JWKS {url}: {error}", issuer.config.issuer))
                }
            }
        }
        failures
    }

    /// The principal a token stands for, or the 401 to send.
    pub fn verify(&self, token: &str) -> Result<Principal, ApiError> {
        let unauthorized = |message: &str| ApiError::unauthorized(message.to_owned());
        let header = jsonwebtoken::decode_header(token).map_err(|_| {
            unauthorized("the bearer token is neither a Warden key nor a well-formed JWT")
        })?;
        let issuer_name =
            unverified_issuer(token).ok_or_else(|| unauthorized("the token has no issuer"))?;
        let Some(issuer) = self.issuers.iter().find(|i| i.config.issuer == issuer_name) else {
            return Err(unauthorized("the token's issuer is not trusted"));
        };
        if !issuer.config.algorithms.contains(&header.alg) {
            return Err(unauthorized(
                "the token's signature algorithm is not allowed",
            ));
        }
        let key = {
            let keys = match issuer.keys.read() {
                Ok(keys) => keys,
                Err(poisoned) => poisoned.into_inner(),
            };
            let jwk = match &header.kid {
                Some(kid) => keys.find(kid),
                None if keys.keys.len() == 1 => keys.keys.first(),
                None => None,
            };
            let jwk = jwk.ok_or_else(|| unauthorized("the token's signing key is not known"))?;
            DecodingKey::from_jwk(jwk)
                .map_err(|_| unauthorized("the token's signing key is not usable"))?
        };
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&issuer.config.issuer]);
        validation.set_audience(&[&issuer.config.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 30;
        let data = jsonwebtoken::decode::<Claims>(token, &key, &validation).map_err(|error| {
            use jsonwebtoken::errors::ErrorKind;
            match error.kind() {
                ErrorKind::ExpiredSignature => unauthorized("the token has expired"),
                ErrorKind::ImmatureSignature => unauthorized("the token is not valid yet"),
                ErrorKind::InvalidAudience => unauthorized("the token's audience is not accepted"),
                ErrorKind::InvalidIssuer => unauthorized("the token's issuer is not trusted"),
                ErrorKind::InvalidAlgorithm => {
                    unauthorized("the token's signature algorithm is not allowed")
                }
                ErrorKind::MissingRequiredClaim(_) => {
                    unauthorized("the token lacks a required claim (exp, iss, aud, sub)")
                }
                ErrorKind::Json(_) => unauthorized("the token's claims are malformed"),
                _ => unauthorized("the token's signature is not valid"),
            }
        })?;
        let claims = data.claims;
        let Some(sub) = claims.sub else {
            return Err(unauthorized(
                "the token lacks a required claim (exp, iss, aud, sub)",
            ));
        };
        let roles = roles_of(&claims.rest, &issuer.config);
        let mfa = claims
            .amr
            .as_ref()
            .is_some_and(|amr| amr.iter().any(|m| m == "mfa" || m == "otp" || m == "hwk"))
            || claims.acr.as_deref().is_some_and(|acr| acr.contains("mfa"));
        Ok(Principal {
            id: format!("jwt:{}", printable_subject(&sub)),
            name: sub,
            roles,
            allowed_models: None,
            limits: crate::config::Rates::default(),
            mfa,
        })
    }
}

/// The `iss` of a token, read without verification (only to choose the issuer's keys).
fn unverified_issuer(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice::<UnverifiedClaims>(&bytes).ok()?.iss
}

fn roles_of(
    claims: &serde_json::Map<String, serde_json::Value>,
    config: &IssuerConfig,
) -> Vec<String> {
    let values: Vec<String> = match claims.get(&config.roles_claim) {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Some(serde_json::Value::String(text)) => {
            text.split_whitespace().map(str::to_owned).collect()
        }
        _ => Vec::new(),
    };
    let mut roles = Vec::new();
    let mut seen = HashSet::new();
    for value in values {
        let role = if config.role_map.is_empty() {
            Some(value)
        } else {
            config.role_map.get(&value).cloned()
        };
        if let Some(role) = role
            && seen.insert(role.clone())
        {
            roles.push(role);
        }
    }
    roles
}

/// A subject made safe for ids and logs: printable ASCII, at most 128 characters.
fn printable_subject(sub: &str) -> String {
    sub.chars()
        .filter(|c| c.is_ascii_graphic())
        .take(128)
        .collect()
}
