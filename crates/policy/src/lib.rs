//! Warden's access policies (SPEC §6): Cedar policies over a fixed schema, evaluated as a pure
//! function of (principal, action, model, context).
//!
//! The schema (`schema.cedarschema`) names `Warden::Principal` (in `Warden::Role`s, with `kind` and
//! `mfa`), `Warden::Model` (`name`, `upstream`, `shares_data`), the actions `chat`, `embed`, `scan`,
//! `admin`, and the request context the gateway fills in after inspecting the input: client IP,
//! hour and weekday (UTC), entity types found, injection score, consent, `do_not_share`, MFA.
//! The default policies (`policies/default.cedar`) are SPEC §12's: role `user` may chat, embed and
//! scan on every model; role `admin` may also administer; Cedar denies everything else.
//!
//! [`Policies::load`] parses and validates a whole set against the schema and fails as a whole,
//! naming the file, the line and the policy: callers keep their previous set when a new one fails.
//! The crate does no IO (callers read the files) and depends on no HTTP or async crate.

#![forbid(unsafe_code)]

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Entities, Entity, EntityUid, PolicyId, PolicySet, Request,
    RestrictedExpression, Schema, ValidationMode, Validator,
};

/// The schema, in Cedar's schema syntax.
pub const SCHEMA: &str = include_str!("../schema.cedarschema");
/// The default policies (SPEC §12).
pub const DEFAULT_POLICIES: &str = include_str!("../policies/default.cedar");

/// A policy set that cannot be used, with the place that is wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file does not parse.
    #[error("{file}:{line}: {message}")]
    Parse {
        /// The file's name.
        file: String,
        /// The line (from 1) of the first error.
        line: usize,
        /// Cedar's message.
        message: String,
    },
    /// A policy does not fit the schema (an unknown attribute, a wrong type, …).
    #[error("{file}: policy {policy}: {message}")]
    Invalid {
        /// The file holding the policy.
        file: String,
        /// The policy's id.
        policy: String,
        /// What is wrong.
        message: String,
    },
    /// The built-in schema failed to load (a bug).
    #[error("schema: {0}")]
    Schema(String),
}

/// What a principal wants to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Chat completions.
    Chat,
    /// Embeddings.
    Embed,
    /// The guard API and model listing.
    Scan,
    /// The admin API.
    Admin,
}

impl Action {
    fn name(self) -> &'static str {
        match self {
            Action::Chat => "chat",
            Action::Embed => "embed",
            Action::Scan => "scan",
            Action::Admin => "admin",
        }
    }
}

/// Who asks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PrincipalInfo {
    /// The principal's id (key id or `jwt:<sub>`).
    pub id: String,
    /// Its roles.
    pub roles: Vec<String>,
    /// `key` or `jwt`.
    pub kind: String,
    /// Whether it authenticated with several factors.
    pub mfa: bool,
}

/// The model asked for (the gateway itself for `scan` and `admin`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModelInfo {
    /// The model's name.
    pub name: String,
    /// The upstream serving it.
    pub upstream: String,
    /// Whether that upstream may keep or train on data.
    pub shares_data: bool,
}

/// What the gateway knows about the request when it decides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestContext {
    /// The client's address.
    pub client_ip: IpAddr,
    /// Hour of the day, UTC, 0–23.
    pub hour: u8,
    /// Day of the week, UTC, 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    /// Entity types found in the input.
    pub entities: Vec<String>,
    /// Prompt-injection score, 0–1000.
    pub injection_score: u16,
    /// Purposes the data subject consented to.
    pub consent: Vec<String>,
    /// The data subject opted out of sharing.
    pub do_not_share: bool,
}

/// The decision and the policies behind it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Permitted.
    pub allowed: bool,
    /// The ids of the policies that determined it (permits when allowed, forbids when denied).
    pub reasons: Vec<String>,
    /// Evaluation errors (a policy that could not be evaluated is skipped by Cedar; listed here).
    pub errors: Vec<String>,
}

/// A validated policy set with the schema.
#[derive(Debug)]
pub struct Policies {
    set: PolicySet,
    schema: Schema,
}

impl Policies {
    /// The default policies of SPEC §12.
    pub fn default_policies() -> Result<Policies, Error> {
        Policies::load(&[("default.cedar".to_owned(), DEFAULT_POLICIES.to_owned())])
    }

    /// Parses and validates `files` (name, text) as one set. Policies get the id of their `@id`
    /// annotation, else `<file>#<n>`. Fails as a whole on the first file or policy that is wrong.
    pub fn load(files: &[(String, String)]) -> Result<Policies, Error> {
        let schema = Schema::from_cedarschema_str(SCHEMA)
            .map_err(|e| Error::Schema(e.to_string()))?
            .0;
        let mut set = PolicySet::new();
        let mut origin: HashMap<String, String> = HashMap::new();
        for (file, text) in files {
            let parsed = PolicySet::from_str(text).map_err(|errors| {
                let offset = miette::Diagnostic::labels(&errors)
                    .and_then(|mut labels| labels.next())
                    .map_or(0, |label| label.offset());
                Error::Parse {
                    file: file.clone(),
                    line: line_of(text, offset),
                    message: errors.to_string(),
                }
            })?;
            for (n, policy) in parsed.policies().enumerate() {
                let id = policy
                    .annotation("id")
                    .map_or_else(|| format!("{file}#{n}"), str::to_owned);
                if origin.contains_key(&id) {
                    return Err(Error::Invalid {
                        file: file.clone(),
                        policy: id,
                        message: "another policy has the same id".to_owned(),
                    });
                }
                origin.insert(id.clone(), file.clone());
                set.add(policy.new_id(PolicyId::new(&id)))
                    .map_err(|e| Error::Invalid {
                        file: file.clone(),
                        policy: id.clone(),
                        message: e.to_string(),
                    })?;
            }
        }
        let validation = Validator::new(schema.clone()).validate(&set, ValidationMode::Strict);
        if let Some(error) = validation.validation_errors().next() {
            let policy = error.policy_id().to_string();
            return Err(Error::Invalid {
                file: origin.get(&policy).cloned().unwrap_or_default(),
                policy,
                message: error.to_string(),
            });
        }
        Ok(Policies { set, schema })
    }

    /// How many policies the set holds.
    pub fn len(&self) -> usize {
        self.set.policies().count()
    }

    /// True if the set is empty (everything is denied).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Decides one request. Pure: the same inputs give the same decision. Anything that cannot be
    /// expressed (an invalid id) is a denial, never an error that lets the request through.
    pub fn decide(
        &self,
        principal: &PrincipalInfo,
        action: Action,
        model: &ModelInfo,
        context: &RequestContext,
    ) -> Decision {
        match self.try_decide(principal, action, model, context) {
            Ok(decision) => decision,
            Err(error) => Decision {
                allowed: false,
                reasons: Vec::new(),
                errors: vec![error],
            },
        }
    }

    fn try_decide(
        &self,
        principal: &PrincipalInfo,
        action: Action,
        model: &ModelInfo,
        context: &RequestContext,
    ) -> Result<Decision, String> {
        let uid = |kind: &str, id: &str| -> Result<EntityUid, String> {
            let type_name =
                cedar_policy::EntityTypeName::from_str(kind).map_err(|e| e.to_string())?;
            Ok(EntityUid::from_type_name_and_id(
                type_name,
                cedar_policy::EntityId::new(id),
            ))
        };
        let roles: HashSet<EntityUid> = principal
            .roles
            .iter()
            .map(|role| uid("Warden::Role", role))
            .collect::<Result<_, _>>()?;
        let principal_uid = uid("Warden::Principal", &principal.id)?;
        let principal_entity = Entity::new(
            principal_uid.clone(),
            HashMap::from([
                (
                    "kind".to_owned(),
                    RestrictedExpression::new_string(principal.kind.clone()),
                ),
                (
                    "mfa".to_owned(),
                    RestrictedExpression::new_bool(principal.mfa),
                ),
            ]),
            roles.clone(),
        )
        .map_err(|e| e.to_string())?;
        let model_uid = uid("Warden::Model", &model.name)?;
        let model_entity = Entity::new(
            model_uid.clone(),
            HashMap::from([
                (
                    "name".to_owned(),
                    RestrictedExpression::new_string(model.name.clone()),
                ),
                (
                    "upstream".to_owned(),
                    RestrictedExpression::new_string(model.upstream.clone()),
                ),
                (
                    "shares_data".to_owned(),
                    RestrictedExpression::new_bool(model.shares_data),
                ),
            ]),
            HashSet::new(),
        )
        .map_err(|e| e.to_string())?;
        let mut entities = vec![principal_entity, model_entity];
        entities.extend(
            roles
                .into_iter()
                .map(|role| Entity::new_no_attrs(role, HashSet::new())),
        );
        let entities =
            Entities::from_entities(entities, Some(&self.schema)).map_err(|e| e.to_string())?;
        let strings = |items: &[String]| {
            RestrictedExpression::new_set(
                items
                    .iter()
                    .map(|s| RestrictedExpression::new_string(s.clone())),
            )
        };
        let context = Context::from_pairs([
            (
                "client_ip".to_owned(),
                RestrictedExpression::new_ip(context.client_ip.to_string()),
            ),
            (
                "hour".to_owned(),
                RestrictedExpression::new_long(i64::from(context.hour)),
            ),
            (
                "weekday".to_owned(),
                RestrictedExpression::new_long(i64::from(context.weekday)),
            ),
            ("entities".to_owned(), strings(&context.entities)),
            (
                "injection_score".to_owned(),
                RestrictedExpression::new_long(i64::from(context.injection_score)),
            ),
            ("consent".to_owned(), strings(&context.consent)),
            (
                "do_not_share".to_owned(),
                RestrictedExpression::new_bool(context.do_not_share),
            ),
            (
                "mfa".to_owned(),
                RestrictedExpression::new_bool(principal.mfa),
            ),
        ])
        .map_err(|e| e.to_string())?;
        let action_uid = uid("Warden::Action", action.name())?;
        let request = Request::new(
            principal_uid,
            action_uid,
            model_uid,
            context,
            Some(&self.schema),
        )
        .map_err(|e| e.to_string())?;
        let response = Authorizer::new().is_authorized(&request, &self.set, &entities);
        Ok(Decision {
            allowed: response.decision() == cedar_policy::Decision::Allow,
            reasons: response
                .diagnostics()
                .reason()
                .map(ToString::to_string)
                .collect(),
            errors: response
                .diagnostics()
                .errors()
                .map(ToString::to_string)
                .collect(),
        })
    }
}

/// The line (from 1) of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}
