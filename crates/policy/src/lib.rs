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
use std::sync::{Arc, Mutex, PoisonError};

use cedar_policy::{
    ActionConstraint, Authorizer, Context, Entities, Entity, EntityUid, Policy, PolicyId,
    PolicySet, PrincipalConstraint, Request, RestrictedExpression, Schema, ValidationMode,
    Validator,
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
    /// The schema's entity type names, parsed once.
    types: TypeNames,
    /// Client addresses as Cedar `ip` values: building one parses the extension's name each
    /// time (a fifth of a decision's cost), and a deployment sees few distinct clients.
    addresses: Mutex<HashMap<IpAddr, RestrictedExpression>>,
    /// The slices already built, by action and sorted roles (see [`Policies::slice`]).
    slices: Mutex<HashMap<SliceKey, Arc<PolicySet>>>,
}

/// The entity type names a request uses.
#[derive(Debug)]
struct TypeNames {
    principal: cedar_policy::EntityTypeName,
    role: cedar_policy::EntityTypeName,
    model: cedar_policy::EntityTypeName,
    action: cedar_policy::EntityTypeName,
}

impl TypeNames {
    fn parse() -> Result<TypeNames, Error> {
        let name = |text: &str| {
            cedar_policy::EntityTypeName::from_str(text).map_err(|e| Error::Schema(e.to_string()))
        };
        Ok(TypeNames {
            principal: name("Warden::Principal")?,
            role: name("Warden::Role")?,
            model: name("Warden::Model")?,
            action: name("Warden::Action")?,
        })
    }
}

/// The most client addresses kept as Cedar values.
const MAX_ADDRESSES: usize = 4_096;
/// A slice's key: the action and the principal's roles, sorted.
type SliceKey = (Action, Vec<String>);

/// The most slices kept; past it, requests with new role sets are decided on the whole set.
const MAX_SLICES: usize = 1_024;

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
        Ok(Policies {
            set,
            types: TypeNames::parse()?,
            addresses: Mutex::new(HashMap::new()),
            slices: Mutex::new(HashMap::new()),
        })
    }

    /// `address` as a Cedar `ip` value, from the cache (emptied when it holds [`MAX_ADDRESSES`]).
    fn ip_expression(&self, address: IpAddr) -> RestrictedExpression {
        let mut addresses = self
            .addresses
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(expression) = addresses.get(&address) {
            return expression.clone();
        }
        if addresses.len() >= MAX_ADDRESSES {
            addresses.clear();
        }
        let expression = RestrictedExpression::new_ip(address.to_string());
        addresses.insert(address, expression.clone());
        expression
    }

    /// The policies whose scope can match `action` for a principal with `roles` (sorted): Cedar
    /// evaluates every policy it is given (about 0.85 µs each), and most policies in a large set
    /// name a role or an action the request does not have. Leaving out a policy whose scope cannot
    /// match changes no decision: such a policy is never satisfied and never errs (its condition
    /// is not reached). Scopes this cannot judge (a principal `==` or `is`, an unknown action
    /// group) are kept. Built once per (action, roles) and cached.
    fn slice(&self, action: Action, roles: &[String]) -> Option<Arc<PolicySet>> {
        let key = (action, roles.to_vec());
        let mut slices = self.slices.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(slice) = slices.get(&key) {
            return Some(Arc::clone(slice));
        }
        if slices.len() >= MAX_SLICES {
            return None;
        }
        let mut slice = PolicySet::new();
        for policy in self.set.policies() {
            if may_match(policy, action, roles) {
                slice.add(policy.clone()).ok()?;
            }
        }
        let slice = Arc::new(slice);
        slices.insert(key, Arc::clone(&slice));
        Some(slice)
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
        let (request, entities) = self.build(principal, action, model, context, None)?;
        let mut roles = principal.roles.clone();
        roles.sort_unstable();
        roles.dedup();
        let slice = self.slice(action, &roles);
        let set = slice.as_deref().unwrap_or(&self.set);
        let response = Authorizer::new().is_authorized(&request, set, &entities);
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

    /// The Cedar request and entities for a decision; `schema`: also check them against it (the
    /// tests do; decisions do not, see below).
    fn build(
        &self,
        principal: &PrincipalInfo,
        action: Action,
        model: &ModelInfo,
        context: &RequestContext,
        schema: Option<&Schema>,
    ) -> Result<(Request, Entities), String> {
        let uid = |type_name: &cedar_policy::EntityTypeName, id: &str| {
            EntityUid::from_type_name_and_id(type_name.clone(), cedar_policy::EntityId::new(id))
        };
        let roles: HashSet<EntityUid> = principal
            .roles
            .iter()
            .map(|role| uid(&self.types.role, role))
            .collect();
        let principal_uid = uid(&self.types.principal, &principal.id);
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
            roles,
        )
        .map_err(|e| e.to_string())?;
        let model_uid = uid(&self.types.model, &model.name);
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
        // Not checked against the schema here: these entities, the request and its context are
        // built above with the schema's exact shape (the tests decide every action with the
        // schema on), the policies were validated against the schema when loaded, and the check
        // cost more than the decision. Role entities need not exist: `in` follows the principal's
        // parents.
        let entities = Entities::from_entities([principal_entity, model_entity], schema)
            .map_err(|e| e.to_string())?;
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
                self.ip_expression(context.client_ip),
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
        let action_uid = uid(&self.types.action, action.name());
        let request = Request::new(principal_uid, action_uid, model_uid, context, schema)
            .map_err(|e| e.to_string())?;
        Ok((request, entities))
    }
}

/// Whether `policy`'s scope can match `action` asked by a principal whose roles are `roles`.
/// Conservative: `true` unless the scope names only roles the principal lacks or only other actions.
fn may_match(policy: &Policy, action: Action, roles: &[String]) -> bool {
    let is_action = |uid: &EntityUid| {
        uid.type_name().to_string() != "Warden::Action" || uid.id().unescaped() == action.name()
    };
    let action_may = match policy.action_constraint() {
        ActionConstraint::Any => true,
        ActionConstraint::Eq(uid) => is_action(&uid),
        ActionConstraint::In(uids) => uids.iter().any(is_action),
    };
    let principal_may = match policy.principal_constraint() {
        PrincipalConstraint::In(uid) | PrincipalConstraint::IsIn(_, uid)
            if uid.type_name().to_string() == "Warden::Role" =>
        {
            roles
                .iter()
                .any(|role| role.as_str() == uid.id().unescaped())
        }
        _ => true,
    };
    action_may && principal_may
}

/// The line (from 1) of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn context(client_ip: &str, entities: &[&str]) -> RequestContext {
        RequestContext {
            client_ip: client_ip.parse().unwrap(),
            hour: 10,
            weekday: 3,
            entities: entities.iter().map(|e| (*e).to_owned()).collect(),
            injection_score: 0,
            consent: vec!["support".to_owned()],
            do_not_share: false,
        }
    }

    fn principal(roles: &[&str]) -> PrincipalInfo {
        PrincipalInfo {
            id: "key_0123456789abcdef".to_owned(),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            kind: "key".to_owned(),
            mfa: true,
        }
    }

    /// Decisions skip the schema check for speed; this proves what they build conforms to it.
    #[test]
    fn every_request_a_decision_builds_conforms_to_the_schema() {
        let policies = Policies::default_policies().unwrap();
        let schema = Schema::from_cedarschema_str(SCHEMA).unwrap().0;
        let model = ModelInfo {
            name: "gpt-4o-mini".to_owned(),
            upstream: "openai".to_owned(),
            shares_data: true,
        };
        for action in [Action::Chat, Action::Embed, Action::Scan, Action::Admin] {
            for ip in ["10.1.2.3", "::1", "0.0.0.0"] {
                for roles in [&[][..], &["user"][..], &["admin", "user", "team-a"][..]] {
                    let built = policies.build(
                        &principal(roles),
                        action,
                        &model,
                        &context(ip, &["US_SSN", "PERSON"]),
                        Some(&schema),
                    );
                    assert!(
                        built.is_ok(),
                        "{action:?} {ip} {roles:?}: {:?}",
                        built.err()
                    );
                }
            }
        }
    }

    /// The sliced set decides exactly as the whole set, reasons included.
    #[test]
    fn slices_decide_as_the_whole_set() {
        let mut text = String::from(DEFAULT_POLICIES);
        text.push_str(
            "@id(\"mfa\")\nforbid (principal, action == Warden::Action::\"admin\", resource) unless { context.mfa };\n\
             @id(\"team\")\nforbid (principal in Warden::Role::\"team-a\", action, resource) unless { resource.name == \"gpt-4o-mini\" };\n\
             @id(\"cidr\")\npermit (principal in Warden::Role::\"ops\", action in [Warden::Action::\"scan\", Warden::Action::\"admin\"], resource) when { context.client_ip.isInRange(ip(\"10.0.0.0/8\")) };\n\
             @id(\"one\")\npermit (principal == Warden::Principal::\"key_0123456789abcdef\", action == Warden::Action::\"embed\", resource);\n\
             @id(\"card\")\nforbid (principal, action, resource) when { resource.shares_data && context.entities.contains(\"CREDIT_CARD\") };\n",
        );
        let policies = Policies::load(&[("t.cedar".to_owned(), text)]).unwrap();
        let mut decided = 0;
        for action in [Action::Chat, Action::Embed, Action::Scan, Action::Admin] {
            for roles in [
                &[][..],
                &["user"][..],
                &["team-a", "user"][..],
                &["ops"][..],
                &["admin"][..],
            ] {
                for model in ["gpt-4o-mini", "other"] {
                    for (ip, found) in [("10.9.9.9", &["CREDIT_CARD"][..]), ("192.0.2.1", &[][..])]
                    {
                        let who = principal(roles);
                        let model = ModelInfo {
                            name: model.to_owned(),
                            upstream: "u".to_owned(),
                            shares_data: true,
                        };
                        let context = context(ip, found);
                        let sliced = policies.decide(&who, action, &model, &context);
                        let (request, entities) = policies
                            .build(&who, action, &model, &context, None)
                            .unwrap();
                        let whole =
                            Authorizer::new().is_authorized(&request, &policies.set, &entities);
                        assert_eq!(
                            sliced.allowed,
                            whole.decision() == cedar_policy::Decision::Allow
                        );
                        let mut reasons: Vec<String> = whole
                            .diagnostics()
                            .reason()
                            .map(ToString::to_string)
                            .collect();
                        let mut got = sliced.reasons.clone();
                        reasons.sort();
                        got.sort();
                        assert_eq!(got, reasons, "{action:?} {roles:?}");
                        decided += usize::from(sliced.allowed);
                    }
                }
            }
        }
        // Both outcomes occur, so the comparison is not vacuous.
        assert!(decided > 0 && decided < 4 * 5 * 2 * 2);
    }
}
