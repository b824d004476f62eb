//! The default policies and each example policy of docs/POLICIES.md, decided on concrete requests.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use warden_policy::{
    Action, DEFAULT_POLICIES, Error, ModelInfo, Policies, PrincipalInfo, RequestContext,
};

fn example(name: &str) -> (String, String) {
    let path = format!(
        "{}/policies/examples/{name}.cedar",
        env!("CARGO_MANIFEST_DIR")
    );
    (
        format!("{name}.cedar"),
        std::fs::read_to_string(path).unwrap(),
    )
}

fn with(examples: &[&str]) -> Policies {
    let mut files = vec![("default.cedar".to_owned(), DEFAULT_POLICIES.to_owned())];
    files.extend(examples.iter().map(|name| example(name)));
    Policies::load(&files).unwrap()
}

fn who(roles: &[&str], mfa: bool) -> PrincipalInfo {
    PrincipalInfo {
        id: "key_0123456789abcdef".to_owned(),
        roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        kind: "key".to_owned(),
        mfa,
    }
}

fn model(name: &str, shares_data: bool) -> ModelInfo {
    ModelInfo {
        name: name.to_owned(),
        upstream: "openai".to_owned(),
        shares_data,
    }
}

fn context() -> RequestContext {
    RequestContext {
        client_ip: "127.0.0.1".parse().unwrap(),
        hour: 10,
        weekday: 2,
        entities: Vec::new(),
        injection_score: 0,
        consent: Vec::new(),
        do_not_share: false,
    }
}

#[test]
fn defaults_let_users_use_models_and_only_admins_administer() {
    let policies = Policies::default_policies().unwrap();
    let m = model("gpt-4o-mini", true);
    for action in [Action::Chat, Action::Embed, Action::Scan] {
        assert!(
            policies
                .decide(&who(&["user"], false), action, &m, &context())
                .allowed
        );
    }
    assert!(
        !policies
            .decide(&who(&["user"], false), Action::Admin, &m, &context())
            .allowed
    );
    let admin = policies.decide(&who(&["admin"], false), Action::Admin, &m, &context());
    assert!(admin.allowed);
    assert_eq!(admin.reasons, ["admin-may-do-everything"]);
    assert!(
        !policies
            .decide(&who(&["guest"], false), Action::Chat, &m, &context())
            .allowed
    );
    assert!(
        !policies
            .decide(&who(&[], false), Action::Chat, &m, &context())
            .allowed
    );
}

#[test]
fn admin_actions_require_mfa() {
    let policies = with(&["admin-requires-mfa"]);
    let m = model("warden", false);
    assert!(
        !policies
            .decide(&who(&["admin"], false), Action::Admin, &m, &context())
            .allowed
    );
    assert!(
        policies
            .decide(&who(&["admin"], true), Action::Admin, &m, &context())
            .allowed
    );
    assert!(
        policies
            .decide(&who(&["admin"], false), Action::Chat, &m, &context())
            .allowed
    );
}

#[test]
fn card_numbers_never_go_to_sharing_providers() {
    let policies = with(&["no-cards-to-sharing-providers"]);
    let mut with_card = context();
    with_card.entities = vec!["PERSON".to_owned(), "CREDIT_CARD".to_owned()];
    let user = who(&["user"], false);
    assert!(
        !policies
            .decide(&user, Action::Chat, &model("gpt-4o", true), &with_card)
            .allowed
    );
    assert!(
        policies
            .decide(
                &user,
                Action::Chat,
                &model("local-llama", false),
                &with_card
            )
            .allowed
    );
    assert!(
        policies
            .decide(&user, Action::Chat, &model("gpt-4o", true), &context())
            .allowed
    );
}

#[test]
fn contractors_only_in_business_hours() {
    let policies = with(&["contractors-in-business-hours"]);
    let contractor = who(&["contractor"], false);
    let m = model("gpt-4o-mini", true);
    let at = |hour, weekday| RequestContext {
        hour,
        weekday,
        ..context()
    };
    assert!(
        policies
            .decide(&contractor, Action::Chat, &m, &at(10, 3))
            .allowed
    );
    assert!(
        !policies
            .decide(&contractor, Action::Chat, &m, &at(20, 3))
            .allowed
    );
    assert!(
        !policies
            .decide(&contractor, Action::Chat, &m, &at(10, 6))
            .allowed
    );
    assert!(
        !policies
            .decide(&contractor, Action::Embed, &m, &at(10, 3))
            .allowed
    );
}

#[test]
fn interns_get_a_model_allow_list() {
    let policies = with(&["interns-small-models-only"]);
    let intern = who(&["user", "intern"], false);
    assert!(
        policies
            .decide(
                &intern,
                Action::Chat,
                &model("gpt-4o-mini", true),
                &context()
            )
            .allowed
    );
    assert!(
        !policies
            .decide(&intern, Action::Chat, &model("gpt-4o", true), &context())
            .allowed
    );
    assert!(
        policies
            .decide(
                &who(&["user"], false),
                Action::Chat,
                &model("gpt-4o", true),
                &context()
            )
            .allowed
    );
}

#[test]
fn a_cidr_allow_list() {
    let policies = with(&["office-network-only"]);
    let user = who(&["user"], false);
    let m = model("gpt-4o-mini", true);
    let from = |ip: &str| RequestContext {
        client_ip: ip.parse().unwrap(),
        ..context()
    };
    assert!(
        policies
            .decide(&user, Action::Chat, &m, &from("10.1.2.3"))
            .allowed
    );
    assert!(
        policies
            .decide(&user, Action::Chat, &m, &from("127.0.0.1"))
            .allowed
    );
    assert!(
        !policies
            .decide(&user, Action::Chat, &m, &from("203.0.113.9"))
            .allowed
    );
    assert!(
        !policies
            .decide(&user, Action::Chat, &m, &from("2001:db8::1"))
            .allowed
    );
}

#[test]
fn bad_files_are_refused_naming_file_line_and_policy() {
    let broken = (
        "team.cedar".to_owned(),
        "permit (principal, action, resource);\n\npermit (principal, action resource);\n"
            .to_owned(),
    );
    match Policies::load(&[broken]).unwrap_err() {
        Error::Parse { file, line, .. } => assert_eq!((file.as_str(), line), ("team.cedar", 3)),
        other => panic!("{other}"),
    }
    let unknown = ("team.cedar".to_owned(), "@id(\"bad-attribute\")\npermit (principal, action, resource) when { resource.colour == \"red\" };\n".to_owned());
    let error = Policies::load(&[unknown]).unwrap_err();
    assert!(
        matches!(&error, Error::Invalid { policy, file, .. } if policy == "bad-attribute" && file == "team.cedar"),
        "{error}"
    );
    let duplicate = vec![
        example("office-network-only"),
        example("office-network-only"),
    ];
    assert!(Policies::load(&duplicate).is_err());
}
