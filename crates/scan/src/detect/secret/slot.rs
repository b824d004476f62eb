//! Keys that name a provider credential with a known shape: `softlayer_api_key`, `SUMO_ACCESS_ID`,
//! `aws_secret_access_key`, `AccountKey`, `BUNDLE_GEMS__CONTRIBSYS__COM` …
//!
//! A slot both widens and narrows detection. It widens it: a value of the provider's exact shape is
//! reported even when its entropy is low (`abcd1234…` in labelled sets, or a real key that happens to
//! be mostly digits). It narrows it: a token-shaped value of another shape in such a slot is a
//! mangled or made-up example (`…--__extra`, `insert_key_here`), not that credential, and is not
//! reported at all. A value with spaces or punctuation still goes on to the password rules.

use crate::detect::secret::keyword::Key;
use crate::detect::secret::subtype::*;
use crate::detect::secret::value::{Profile, is_alnum, is_b64url, is_filler, is_hex, is_hex_lower};

/// One accepted shape of a slot's value.
#[derive(Clone, Copy)]
enum Shape {
    /// Exactly `len` characters of `charset`.
    Exact(fn(u8) -> bool, usize),
    /// A fixed prefix, then exactly `len` characters of `charset`.
    Prefixed(&'static str, fn(u8) -> bool, usize),
    /// 8-4-4-4-12 hex digits.
    Uuid,
    /// `hex8:hex8` (Sidekiq Enterprise credentials).
    HexPair,
    /// Standard base64 of `len` characters ending in `pad` `=` signs.
    Base64(usize, usize),
}

pub(crate) struct Slot {
    pub(crate) subtype: &'static str,
    shapes: &'static [Shape],
}

fn lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

fn b64_std(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

static AWS_SECRET: Slot = Slot {
    subtype: AWS_SECRET_ACCESS_KEY,
    shapes: &[Shape::Exact(b64_std, 40)],
};
static IBM_COS_HMAC: Slot = Slot {
    subtype: IBM_COS_HMAC_SECRET,
    shapes: &[Shape::Exact(is_hex_lower, 48)],
};
static IBM_CLOUD_IAM: Slot = Slot {
    subtype: IBM_CLOUD_IAM_KEY,
    shapes: &[Shape::Exact(is_b64url, 44)],
};
static SOFTLAYER: Slot = Slot {
    subtype: SOFTLAYER_API_KEY,
    shapes: &[Shape::Exact(lower_alnum, 64)],
};
static CLOUDANT: Slot = Slot {
    subtype: CLOUDANT_CREDENTIAL,
    shapes: &[
        Shape::Exact(lower_alnum, 64),
        Shape::Exact(|b| b.is_ascii_lowercase(), 24),
    ],
};
static SUMO_ID: Slot = Slot {
    subtype: SUMOLOGIC_ACCESS_ID,
    shapes: &[Shape::Prefixed("su", is_alnum, 12)],
};
static SUMO_KEY: Slot = Slot {
    subtype: SUMOLOGIC_ACCESS_KEY,
    shapes: &[Shape::Exact(is_alnum, 64)],
};
static OKTA: Slot = Slot {
    subtype: OKTA_API_TOKEN,
    shapes: &[Shape::Prefixed("00", is_b64url, 40)],
};
static SNYK: Slot = Slot {
    subtype: SNYK_TOKEN,
    shapes: &[Shape::Uuid],
};
static SONAR: Slot = Slot {
    subtype: SONARQUBE_TOKEN,
    shapes: &[
        Shape::Exact(is_alnum, 40),
        Shape::Prefixed("squ_", is_alnum, 40),
        Shape::Prefixed("sqp_", is_alnum, 40),
        Shape::Prefixed("sqa_", is_alnum, 40),
    ],
};
static HEROKU: Slot = Slot {
    subtype: HEROKU_API_KEY,
    shapes: &[Shape::Uuid],
};
static HUBSPOT: Slot = Slot {
    subtype: HUBSPOT_API_KEY,
    shapes: &[Shape::Uuid],
};
static MESSAGEBIRD: Slot = Slot {
    subtype: MESSAGEBIRD_API_KEY,
    shapes: &[Shape::Uuid, Shape::Exact(is_alnum, 25)],
};
static FACEBOOK: Slot = Slot {
    subtype: FACEBOOK_APP_SECRET,
    shapes: &[Shape::Exact(is_hex_lower, 32)],
};
static ATLASSIAN: Slot = Slot {
    subtype: ATLASSIAN_API_TOKEN,
    shapes: &[Shape::Exact(is_alnum, 24)],
};
static SOURCEGRAPH: Slot = Slot {
    subtype: SOURCEGRAPH_TOKEN,
    shapes: &[Shape::Exact(is_hex, 40)],
};
static SIDEKIQ: Slot = Slot {
    subtype: SIDEKIQ_SECRET,
    shapes: &[Shape::HexPair],
};
static AZURE_ACCOUNT_KEY: Slot = Slot {
    subtype: AZURE_STORAGE_KEY,
    shapes: &[Shape::Base64(88, 2)],
};
static AZURE_SHARED_ACCESS_KEY: Slot = Slot {
    subtype: AZURE_STORAGE_KEY,
    shapes: &[Shape::Base64(44, 1)],
};
static TWILIO: Slot = Slot {
    subtype: TWILIO_KEY,
    shapes: &[Shape::Exact(is_hex_lower, 32)],
};

/// The slots a key names, most specific first (a key can name two: `secret_access_key` is AWS's and
/// IBM COS's HMAC secret).
pub(crate) fn slots(key: &Key<'_>) -> [Option<&'static Slot>; 2] {
    let has = |w: &str| key.has_word(w);
    let starts = |w: &str| key.has_word_starting(w);
    if key.compact_contains("contribsys") {
        return [Some(&SIDEKIQ), None];
    }
    if key.compact_eq("accountkey") {
        return [Some(&AZURE_ACCOUNT_KEY), None];
    }
    if key.compact_eq("sharedaccesskey") {
        return [Some(&AZURE_SHARED_ACCESS_KEY), None];
    }
    // IBM Cloud, SoftLayer, Cloudant and Sumo Logic call their API keys passwords too, so these
    // slots hold whatever the key is called.
    if starts("sumo") {
        let id = has("id") || key.compact_contains("accessid");
        return [Some(if id { &SUMO_ID } else { &SUMO_KEY }), None];
    }
    if starts("softlayer") || has("sl") || starts("slapi") {
        return [Some(&SOFTLAYER), None];
    }
    if has("clou") || starts("cloudant") {
        return [Some(&CLOUDANT), None];
    }
    if has("cos") || has("hmac") || starts("coshmac") || starts("ibmcos") {
        return [Some(&IBM_COS_HMAC), None];
    }
    if starts("ibm") || has("iam") || starts("cloudiam") {
        return [Some(&IBM_CLOUD_IAM), None];
    }
    // Elsewhere a key that says "password" holds a password, whatever the provider.
    if key.names_password() {
        return [None, None];
    }
    if key.compact_contains("secretaccesskey") {
        return [Some(&AWS_SECRET), Some(&IBM_COS_HMAC)];
    }
    if has("aws") && (has("secret") || (has("access") && has("key"))) {
        return [Some(&AWS_SECRET), None];
    }
    let api = has("token")
        || has("key")
        || has("secret")
        || has("api")
        || has("apikey")
        || has("apitoken");
    if !api
        && !key.compact_contains("sonar")
        && !key.compact_contains("messagebird")
        && !key.compact_contains("sourcegraph")
    {
        return [None, None];
    }
    if key.compact_contains("okta") {
        return [Some(&OKTA), None];
    }
    if key.compact_contains("snyk") {
        return [Some(&SNYK), None];
    }
    if key.compact_contains("sonar") {
        return [Some(&SONAR), None];
    }
    if key.compact_contains("heroku") {
        return [Some(&HEROKU), None];
    }
    if key.compact_contains("hubspot") {
        return [Some(&HUBSPOT), None];
    }
    if key.compact_contains("messagebird") {
        return [Some(&MESSAGEBIRD), None];
    }
    if key.compact_contains("facebook") {
        return [Some(&FACEBOOK), None];
    }
    if key.compact_contains("jira")
        || key.compact_contains("atlassian")
        || key.compact_contains("confluence")
    {
        return [Some(&ATLASSIAN), None];
    }
    if key.compact_contains("sourcegraph") {
        return [Some(&SOURCEGRAPH), None];
    }
    if key.compact_contains("twilio") {
        return [Some(&TWILIO), None];
    }
    [None, None]
}

/// The score of `value` in `slot`, or `None` if it has none of the slot's shapes.
pub(crate) fn judge(slot: &Slot, value: &[u8]) -> Option<f32> {
    if !slot.shapes.iter().any(|shape| fits(*shape, value)) {
        return None;
    }
    if is_filler(value) || Profile::of(value).dominated() {
        return None;
    }
    // AWS's documentation secret (`wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`): reported, as a
    // placeholder.
    if value.windows(7).any(|w| w == b"EXAMPLE") {
        return Some(super::token::PLACEHOLDER_SCORE);
    }
    Some(0.9)
}

fn fits(shape: Shape, value: &[u8]) -> bool {
    match shape {
        Shape::Exact(charset, len) => value.len() == len && value.iter().all(|&b| charset(b)),
        Shape::Prefixed(prefix, charset, len) => value
            .strip_prefix(prefix.as_bytes())
            .is_some_and(|rest| rest.len() == len && rest.iter().all(|&b| charset(b))),
        Shape::Uuid => is_uuid(value),
        Shape::HexPair => {
            value.len() == 17
                && value[8] == b':'
                && value[..8]
                    .iter()
                    .chain(&value[9..])
                    .all(|&b| is_hex_lower(b))
        }
        Shape::Base64(len, pad) => {
            value.len() == len
                && value[..len - pad].iter().all(|&b| b64_std(b))
                && value[len - pad..].iter().all(|&b| b == b'=')
        }
    }
}

/// 8-4-4-4-12 hex digits, either case.
pub(crate) fn is_uuid(value: &[u8]) -> bool {
    value.len() == 36
        && value.iter().enumerate().all(|(i, &b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                b == b'-'
            } else {
                is_hex(b)
            }
        })
}
