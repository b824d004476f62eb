//! Property tests of `authenticate` on arbitrary presented strings: it never panics, only strings
//! shaped like a key reach the database, and nothing but a real key is ever `Valid`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use proptest::prelude::*;
use tokio::runtime::Runtime;
use warden_store::{Authentication, KeyLimits, NewKey, Role, Store, StoreOptions, Timestamp};

const T0: Timestamp = Timestamp::from_unix_millis(1_700_000_000_000);

/// Two stores on one runtime: one open with a key in it, one closed (every query fails on it, so
/// an `Ok` answer from it proves no query was made).
struct Fixture {
    runtime: Runtime,
    open: Store,
    closed: Store,
    _dir: tempfile::TempDir,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (open, closed) = runtime.block_on(async {
            let open = Store::open(StoreOptions::in_dir(dir.path().join("open")))
                .await
                .unwrap();
            let key = NewKey {
                name: "ci".into(),
                roles: vec![Role::parse("user").unwrap()],
                expires_at: None,
                allowed_models: None,
                limits: KeyLimits::default(),
            };
            open.create_key(key, T0).await.unwrap();
            let closed = Store::open(StoreOptions::in_dir(dir.path().join("closed")))
                .await
                .unwrap();
            closed.close().await;
            (open, closed)
        });
        Fixture {
            runtime,
            open,
            closed,
            _dir: dir,
        }
    })
}

/// SPEC §6's shape, written independently of the crate: `wdn_` then 43 ASCII letters or digits.
fn shaped_like_a_key(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 47
        && bytes.starts_with(b"wdn_")
        && bytes[4..].iter().all(u8::is_ascii_alphanumeric)
}

fn presented() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "wdn_[0-9A-Za-z]{43}",
        "wdn_[0-9A-Za-z]{40,46}",
        "(wdn_|WDN_|wdn-|sk-)[0-9A-Za-z_ é\\-\u{0}\u{200b}]{41,45}",
        "[ \t]?wdn_[0-9A-Za-z]{43}[ \t\r\n]?",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn only_key_shaped_strings_reach_the_database(presented in presented()) {
        let fixture = fixture();
        let answer = fixture.runtime.block_on(fixture.closed.authenticate(&presented, T0));
        if shaped_like_a_key(&presented) {
            prop_assert!(answer.is_err(), "a well-formed key was not looked up");
        } else {
            prop_assert_eq!(answer.unwrap(), Authentication::Malformed);
        }
    }

    #[test]
    fn arbitrary_strings_are_never_valid(presented in presented()) {
        let fixture = fixture();
        let answer = fixture.runtime.block_on(fixture.open.authenticate(&presented, T0)).unwrap();
        let expected = if shaped_like_a_key(&presented) {
            Authentication::Unknown
        } else {
            Authentication::Malformed
        };
        prop_assert_eq!(answer, expected);
    }
}
