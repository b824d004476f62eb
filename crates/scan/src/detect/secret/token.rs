//! Provider tokens recognised by a fixed prefix: the prefix is found by the shared automaton, then
//! the body is parsed by hand (charset, length, structure, checksum where the format has one).
//!
//! Checksums verified: GitHub (`ghp_` … : CRC32 of the first 30 body characters, base62, as the last
//! 6), npm (`npm_`, same scheme), age (`AGE-SECRET-KEY-1`: bech32). Structure verified: Anthropic
//! (`AA` tail), OpenAI (the `T3BlbkFJ` marker, base64 of "OpenAI"), Slack (numeric team and user
//! segments), PyPI (macaroon header for pypi.org / test.pypi.org), AWS Bedrock (base64 of
//! "BedrockAPIKey-"), 1Password (segment layout). Every other format is checked by charset and length.
//!
//! A body that is only filler (`xxxx`, `****`) is a placeholder and is not reported, except for the
//! few legacy formats marked [`Placeholders::Report`], reported at [`PLACEHOLDER_SCORE`]: labelled
//! sets count `AKCxxxxxxxxxx` as an Artifactory finding, and redacting a placeholder costs nothing.

use crate::detect::secret::value::{
    Profile, is_alnum, is_b64, is_b64url, is_filler, is_hex, is_hex_lower, open_after, open_before,
    run,
};

/// Score of a token whose body is a placeholder or one repeated character.
pub(crate) const PLACEHOLDER_SCORE: f32 = 0.5;

/// What to do with a body made of filler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Placeholders {
    Reject,
    Report,
}

/// How much of a token was verified.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Verified {
    /// A checksum or an internal structure that random text cannot fake.
    Structure,
    /// Charset and length.
    Shape,
    /// The shape is right but the checksum fails: a mangled or made-up token.
    BadChecksum,
    /// Filler or one repeated character in the body.
    Synthetic,
    /// A value published in the provider's documentation (`AKIAIOSFODNN7EXAMPLE`).
    Example,
}

/// A parsed token.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Parsed {
    pub(crate) end: usize,
    pub(crate) subtype: &'static str,
    pub(crate) verified: Verified,
}

/// A prefix format.
pub(crate) struct Format {
    pub(crate) prefix: &'static str,
    pub(crate) subtype: &'static str,
    rule: Rule,
    placeholders: Placeholders,
}

enum Rule {
    /// A run of `charset` of `min..=max` characters after the prefix; with `mixed`, at least two of
    /// upper case, lower case and digits (random base62 has all three).
    Body {
        charset: fn(u8) -> bool,
        min: usize,
        max: usize,
        mixed: bool,
    },
    /// Parsed by hand: gets the text, the start of the prefix and the start of the body.
    Custom(fn(&[u8], usize, usize) -> Option<Parsed>),
}

const fn body(
    prefix: &'static str,
    subtype: &'static str,
    charset: fn(u8) -> bool,
    min: usize,
    max: usize,
) -> Format {
    Format {
        prefix,
        subtype,
        rule: Rule::Body {
            charset,
            min,
            max,
            mixed: true,
        },
        placeholders: Placeholders::Reject,
    }
}

const fn custom(
    prefix: &'static str,
    subtype: &'static str,
    parse: fn(&[u8], usize, usize) -> Option<Parsed>,
) -> Format {
    Format {
        prefix,
        subtype,
        rule: Rule::Custom(parse),
        placeholders: Placeholders::Reject,
    }
}

/// Subtype names, SCREAMING_SNAKE, as reported in `Finding::subtype`.
pub(crate) mod subtype {
    pub(crate) const AGE_SECRET_KEY: &str = "AGE_SECRET_KEY";
    pub(crate) const ANTHROPIC_ADMIN_KEY: &str = "ANTHROPIC_ADMIN_KEY";
    pub(crate) const ANTHROPIC_API_KEY: &str = "ANTHROPIC_API_KEY";
    pub(crate) const ARTIFACTORY_TOKEN: &str = "ARTIFACTORY_TOKEN";
    pub(crate) const ATLASSIAN_API_TOKEN: &str = "ATLASSIAN_API_TOKEN";
    pub(crate) const AWS_ACCESS_KEY_ID: &str = "AWS_ACCESS_KEY_ID";
    pub(crate) const AWS_BEDROCK_API_KEY: &str = "AWS_BEDROCK_API_KEY";
    pub(crate) const AWS_SECRET_ACCESS_KEY: &str = "AWS_SECRET_ACCESS_KEY";
    pub(crate) const AZURE_AD_CLIENT_SECRET: &str = "AZURE_AD_CLIENT_SECRET";
    pub(crate) const AZURE_STORAGE_KEY: &str = "AZURE_STORAGE_KEY";
    pub(crate) const BEARER_TOKEN: &str = "BEARER_TOKEN";
    pub(crate) const CLICKHOUSE_API_SECRET: &str = "CLICKHOUSE_API_SECRET";
    pub(crate) const CLOJARS_API_TOKEN: &str = "CLOJARS_API_TOKEN";
    pub(crate) const CLOUDANT_CREDENTIAL: &str = "CLOUDANT_CREDENTIAL";
    pub(crate) const CLOUDFLARE_ORIGIN_CA_KEY: &str = "CLOUDFLARE_ORIGIN_CA_KEY";
    pub(crate) const CONNECTION_STRING: &str = "CONNECTION_STRING";
    pub(crate) const DATABRICKS_TOKEN: &str = "DATABRICKS_TOKEN";
    pub(crate) const DIGITALOCEAN_TOKEN: &str = "DIGITALOCEAN_TOKEN";
    pub(crate) const DISCORD_BOT_TOKEN: &str = "DISCORD_BOT_TOKEN";
    pub(crate) const DISCORD_WEBHOOK_URL: &str = "DISCORD_WEBHOOK_URL";
    pub(crate) const DOPPLER_TOKEN: &str = "DOPPLER_TOKEN";
    pub(crate) const DYNATRACE_TOKEN: &str = "DYNATRACE_TOKEN";
    pub(crate) const FACEBOOK_ACCESS_TOKEN: &str = "FACEBOOK_ACCESS_TOKEN";
    pub(crate) const FACEBOOK_APP_SECRET: &str = "FACEBOOK_APP_SECRET";
    pub(crate) const FLYIO_ACCESS_TOKEN: &str = "FLYIO_ACCESS_TOKEN";
    pub(crate) const GENERIC_HIGH_ENTROPY: &str = "GENERIC_HIGH_ENTROPY";
    pub(crate) const GITHUB_TOKEN: &str = "GITHUB_TOKEN";
    pub(crate) const GITLAB_TOKEN: &str = "GITLAB_TOKEN";
    pub(crate) const GOOGLE_API_KEY: &str = "GOOGLE_API_KEY";
    pub(crate) const GOOGLE_OAUTH_CLIENT_SECRET: &str = "GOOGLE_OAUTH_CLIENT_SECRET";
    pub(crate) const GOOGLE_OAUTH_TOKEN: &str = "GOOGLE_OAUTH_TOKEN";
    pub(crate) const GRAFANA_TOKEN: &str = "GRAFANA_TOKEN";
    pub(crate) const GROQ_API_KEY: &str = "GROQ_API_KEY";
    pub(crate) const HEROKU_API_KEY: &str = "HEROKU_API_KEY";
    pub(crate) const HTTP_BASIC_AUTH: &str = "HTTP_BASIC_AUTH";
    pub(crate) const HUBSPOT_API_KEY: &str = "HUBSPOT_API_KEY";
    pub(crate) const HUGGINGFACE_TOKEN: &str = "HUGGINGFACE_TOKEN";
    pub(crate) const IBM_CLOUD_IAM_KEY: &str = "IBM_CLOUD_IAM_KEY";
    pub(crate) const IBM_COS_HMAC_SECRET: &str = "IBM_COS_HMAC_SECRET";
    pub(crate) const INFRACOST_API_KEY: &str = "INFRACOST_API_KEY";
    pub(crate) const INTRA42_CLIENT_SECRET: &str = "INTRA42_CLIENT_SECRET";
    pub(crate) const JWT: &str = "JWT";
    pub(crate) const LANGSMITH_API_KEY: &str = "LANGSMITH_API_KEY";
    pub(crate) const LINEAR_API_KEY: &str = "LINEAR_API_KEY";
    pub(crate) const MAILCHIMP_API_KEY: &str = "MAILCHIMP_API_KEY";
    pub(crate) const MAXMIND_LICENSE_KEY: &str = "MAXMIND_LICENSE_KEY";
    pub(crate) const MESSAGEBIRD_API_KEY: &str = "MESSAGEBIRD_API_KEY";
    pub(crate) const NEW_RELIC_KEY: &str = "NEW_RELIC_KEY";
    pub(crate) const NOTION_API_TOKEN: &str = "NOTION_API_TOKEN";
    pub(crate) const NPM_TOKEN: &str = "NPM_TOKEN";
    pub(crate) const OCTOPUS_DEPLOY_API_KEY: &str = "OCTOPUS_DEPLOY_API_KEY";
    pub(crate) const OKTA_API_TOKEN: &str = "OKTA_API_TOKEN";
    pub(crate) const ONEPASSWORD_SECRET_KEY: &str = "ONEPASSWORD_SECRET_KEY";
    pub(crate) const ONEPASSWORD_SERVICE_ACCOUNT_TOKEN: &str = "ONEPASSWORD_SERVICE_ACCOUNT_TOKEN";
    pub(crate) const OPENAI_API_KEY: &str = "OPENAI_API_KEY";
    pub(crate) const OPENROUTER_API_KEY: &str = "OPENROUTER_API_KEY";
    pub(crate) const OPENSHIFT_TOKEN: &str = "OPENSHIFT_TOKEN";
    pub(crate) const PASSWORD_ASSIGNMENT: &str = "PASSWORD_ASSIGNMENT";
    pub(crate) const PERPLEXITY_API_KEY: &str = "PERPLEXITY_API_KEY";
    pub(crate) const POSTMAN_API_KEY: &str = "POSTMAN_API_KEY";
    pub(crate) const PREFECT_API_KEY: &str = "PREFECT_API_KEY";
    pub(crate) const PRIVATE_KEY: &str = "PRIVATE_KEY";
    pub(crate) const PULUMI_ACCESS_TOKEN: &str = "PULUMI_ACCESS_TOKEN";
    pub(crate) const PYPI_TOKEN: &str = "PYPI_TOKEN";
    pub(crate) const README_API_KEY: &str = "README_API_KEY";
    pub(crate) const REPLICATE_API_TOKEN: &str = "REPLICATE_API_TOKEN";
    pub(crate) const SCALINGO_API_TOKEN: &str = "SCALINGO_API_TOKEN";
    pub(crate) const SENDGRID_API_KEY: &str = "SENDGRID_API_KEY";
    pub(crate) const SENTRY_TOKEN: &str = "SENTRY_TOKEN";
    pub(crate) const SHOPIFY_TOKEN: &str = "SHOPIFY_TOKEN";
    pub(crate) const SIDEKIQ_SECRET: &str = "SIDEKIQ_SECRET";
    pub(crate) const SLACK_TOKEN: &str = "SLACK_TOKEN";
    pub(crate) const SLACK_WEBHOOK_URL: &str = "SLACK_WEBHOOK_URL";
    pub(crate) const SNYK_TOKEN: &str = "SNYK_TOKEN";
    pub(crate) const SOFTLAYER_API_KEY: &str = "SOFTLAYER_API_KEY";
    pub(crate) const SONARQUBE_TOKEN: &str = "SONARQUBE_TOKEN";
    pub(crate) const SOURCEGRAPH_TOKEN: &str = "SOURCEGRAPH_TOKEN";
    pub(crate) const SQUARE_ACCESS_TOKEN: &str = "SQUARE_ACCESS_TOKEN";
    pub(crate) const SQUARE_OAUTH_SECRET: &str = "SQUARE_OAUTH_SECRET";
    pub(crate) const STRIPE_KEY: &str = "STRIPE_KEY";
    pub(crate) const SUMOLOGIC_ACCESS_ID: &str = "SUMOLOGIC_ACCESS_ID";
    pub(crate) const SUMOLOGIC_ACCESS_KEY: &str = "SUMOLOGIC_ACCESS_KEY";
    pub(crate) const TELEGRAM_BOT_TOKEN: &str = "TELEGRAM_BOT_TOKEN";
    pub(crate) const TERRAFORM_CLOUD_TOKEN: &str = "TERRAFORM_CLOUD_TOKEN";
    pub(crate) const TWILIO_KEY: &str = "TWILIO_KEY";
    pub(crate) const VAULT_TOKEN: &str = "VAULT_TOKEN";
    pub(crate) const XAI_API_KEY: &str = "XAI_API_KEY";
}

use subtype::*;

/// Every prefix format. Prefixes are case-sensitive and none is a prefix of another (the automaton
/// reports the leftmost match only); formats that share a start are told apart by their parser.
pub(crate) static FORMATS: &[Format] = &[
    // AWS access key ids: a four-letter type prefix and 16 upper-case letters or digits.
    custom("AKIA", AWS_ACCESS_KEY_ID, aws_key_id),
    custom("ASIA", AWS_ACCESS_KEY_ID, aws_key_id),
    custom("ABIA", AWS_ACCESS_KEY_ID, aws_key_id),
    custom("ACCA", AWS_ACCESS_KEY_ID, aws_key_id),
    custom("A3T", AWS_ACCESS_KEY_ID, aws_key_id),
    custom("ABSKQmVkcm9ja0FQSUtleS1", AWS_BEDROCK_API_KEY, bedrock_long),
    custom(
        "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t",
        AWS_BEDROCK_API_KEY,
        bedrock_short,
    ),
    // GitHub: classic and app tokens carry a CRC32 checksum; fine-grained ones a fixed layout.
    custom("ghp_", GITHUB_TOKEN, github),
    custom("gho_", GITHUB_TOKEN, github),
    custom("ghu_", GITHUB_TOKEN, github),
    custom("ghs_", GITHUB_TOKEN, github),
    custom("ghr_", GITHUB_TOKEN, github),
    custom("github_pat_", GITHUB_TOKEN, github_fine_grained),
    // GitLab: one prefix per token type, lengths from GitLab's formats.
    custom("glpat-", GITLAB_TOKEN, gitlab_pat),
    body("gldt-", GITLAB_TOKEN, is_b64url, 20, 64),
    body("glsoat-", GITLAB_TOKEN, is_b64url, 20, 50),
    body("glcbt-", GITLAB_TOKEN, is_b64url, 20, 64),
    body("glimt-", GITLAB_TOKEN, is_b64url, 25, 25),
    body("glptt-", GITLAB_TOKEN, is_b64url, 40, 40),
    body("glagent-", GITLAB_TOKEN, is_b64url, 50, 1024),
    body("gloas-", GITLAB_TOKEN, is_b64url, 64, 64),
    custom("glrt-", GITLAB_TOKEN, gitlab_routable),
    body("glft-", GITLAB_TOKEN, is_b64url, 20, 64),
    body("glffct-", GITLAB_TOKEN, is_b64url, 20, 64),
    body("GR1348941", GITLAB_TOKEN, is_b64url, 20, 50),
    // Slack: bot, user, workspace, legacy, configuration and app-level tokens.
    custom("xox", SLACK_TOKEN, slack),
    custom("xapp-", SLACK_TOKEN, slack_app),
    // Stripe secret and restricted keys (live, test), and webhook signing secrets.
    body("sk_live_", STRIPE_KEY, is_alnum, 20, 247),
    body("sk_test_", STRIPE_KEY, is_alnum, 20, 247),
    body("sk_prod_", STRIPE_KEY, is_alnum, 20, 247),
    body("rk_live_", STRIPE_KEY, is_alnum, 20, 247),
    body("rk_test_", STRIPE_KEY, is_alnum, 20, 247),
    body("rk_prod_", STRIPE_KEY, is_alnum, 20, 247),
    body("whsec_", STRIPE_KEY, is_alnum, 32, 64),
    // OpenAI, Anthropic and OpenRouter all start with `sk-`.
    custom("sk-", OPENAI_API_KEY, sk_dash),
    custom("AIza", GOOGLE_API_KEY, google_api_key),
    body("GOCSPX-", GOOGLE_OAUTH_CLIENT_SECRET, is_b64url, 28, 28),
    body("ya29.", GOOGLE_OAUTH_TOKEN, is_b64url, 60, 2048),
    body("gsk_", GROQ_API_KEY, is_alnum, 52, 52),
    body("xai-", XAI_API_KEY, is_alnum, 80, 80),
    body("r8_", REPLICATE_API_TOKEN, is_alnum, 37, 37),
    body("pplx-", PERPLEXITY_API_KEY, is_alnum, 48, 48),
    custom("lsv2_", LANGSMITH_API_KEY, langsmith),
    Format {
        prefix: "AKC",
        subtype: ARTIFACTORY_TOKEN,
        rule: Rule::Body {
            charset: is_alnum,
            min: 10,
            max: 128,
            mixed: true,
        },
        placeholders: Placeholders::Report,
    },
    body("cmVmdGtu", ARTIFACTORY_TOKEN, is_alnum, 56, 56),
    custom("npm_", NPM_TOKEN, npm),
    custom("pypi-", PYPI_TOKEN, pypi),
    custom("SG.", SENDGRID_API_KEY, sendgrid),
    custom("dapi", DATABRICKS_TOKEN, databricks),
    body("dop_v1_", DIGITALOCEAN_TOKEN, is_hex_lower, 64, 64),
    body("doo_v1_", DIGITALOCEAN_TOKEN, is_hex_lower, 64, 64),
    body("dor_v1_", DIGITALOCEAN_TOKEN, is_hex_lower, 64, 64),
    body("shpat_", SHOPIFY_TOKEN, is_hex, 32, 32),
    body("shpca_", SHOPIFY_TOKEN, is_hex, 32, 32),
    body("shppa_", SHOPIFY_TOKEN, is_hex, 32, 32),
    body("shpss_", SHOPIFY_TOKEN, is_hex, 32, 32),
    body("hvs.", VAULT_TOKEN, is_b64url, 24, 512),
    body("hvb.", VAULT_TOKEN, is_b64url, 100, 512),
    body("hvr.", VAULT_TOKEN, is_b64url, 24, 512),
    custom(".atlasv1.", TERRAFORM_CLOUD_TOKEN, terraform_cloud),
    custom("hf_", HUGGINGFACE_TOKEN, huggingface),
    custom("api_org_", HUGGINGFACE_TOKEN, huggingface),
    body(
        "ops_eyJ",
        ONEPASSWORD_SERVICE_ACCOUNT_TOKEN,
        is_b64url,
        250,
        4000,
    ),
    custom("A3-", ONEPASSWORD_SECRET_KEY, onepassword_secret_key),
    custom("AGE-SECRET-KEY-1", AGE_SECRET_KEY, age),
    body("glc_eyJ", GRAFANA_TOKEN, is_b64, 32, 1024),
    custom("glsa_", GRAFANA_TOKEN, grafana_service_account),
    body("fo1_", FLYIO_ACCESS_TOKEN, is_b64url, 43, 43),
    body("fm1r_", FLYIO_ACCESS_TOKEN, is_b64, 100, 4000),
    body("fm1a_", FLYIO_ACCESS_TOKEN, is_b64, 100, 4000),
    body("fm2_", FLYIO_ACCESS_TOKEN, is_b64, 100, 4000),
    body("HRKU-AA", HEROKU_API_KEY, is_b64url, 58, 58),
    body("ico-", INFRACOST_API_KEY, is_alnum, 32, 32),
    body("s-s4t2ud-", INTRA42_CLIENT_SECRET, is_hex_lower, 64, 64),
    body("s-s4t2af-", INTRA42_CLIENT_SECRET, is_hex_lower, 64, 64),
    custom("ntn_", NOTION_API_TOKEN, notion),
    custom("API-", OCTOPUS_DEPLOY_API_KEY, octopus),
    body("sha256~", OPENSHIFT_TOKEN, is_b64url, 43, 43),
    body("pnu_", PREFECT_API_KEY, is_alnum, 36, 36),
    body("rdme_", README_API_KEY, is_alnum, 70, 70),
    body("tk-us-", SCALINGO_API_TOKEN, is_b64url, 48, 48),
    custom("sntrys_eyJ", SENTRY_TOKEN, sentry_org),
    body("sntryu_", SENTRY_TOKEN, is_hex_lower, 64, 64),
    body("sq0atp-", SQUARE_ACCESS_TOKEN, is_b64url, 22, 22),
    // detect-secrets' definition admits `\\` in the body; real secrets never hold one, so allowing it
    // costs nothing.
    body(
        "sq0csp-",
        SQUARE_OAUTH_SECRET,
        |b| is_b64url(b) || b == b'\\',
        43,
        43,
    ),
    body("EAAA", SQUARE_ACCESS_TOKEN, is_b64url, 60, 60),
    body("EAAM", FACEBOOK_ACCESS_TOKEN, is_alnum, 100, 1024),
    body("EAAC", FACEBOOK_ACCESS_TOKEN, is_alnum, 100, 1024),
    body("4b1d", CLICKHOUSE_API_SECRET, is_alnum, 38, 38),
    custom("v1.0-", CLOUDFLARE_ORIGIN_CA_KEY, cloudflare_origin_ca),
    body("CLOJARS_", CLOJARS_API_TOKEN, is_hex_lower, 60, 60),
    body("squ_", SONARQUBE_TOKEN, is_alnum, 40, 40),
    body("sqp_", SONARQUBE_TOKEN, is_alnum, 40, 40),
    body("sqa_", SONARQUBE_TOKEN, is_alnum, 40, 40),
    custom("sgp_", SOURCEGRAPH_TOKEN, sourcegraph),
    body("pul-", PULUMI_ACCESS_TOKEN, is_hex_lower, 40, 40),
    body("dp.pt.", DOPPLER_TOKEN, is_alnum, 43, 43),
    body("dp.st.", DOPPLER_TOKEN, is_b64url, 40, 80),
    body("dp.sa.", DOPPLER_TOKEN, is_alnum, 40, 60),
    body("lin_api_", LINEAR_API_KEY, is_alnum, 40, 40),
    custom("PMAK-", POSTMAN_API_KEY, postman),
    custom("ATATT3", ATLASSIAN_API_TOKEN, atlassian),
    body("NRAK-", NEW_RELIC_KEY, is_alnum, 27, 27),
    custom("dt0c01.", DYNATRACE_TOKEN, dynatrace),
    custom("_mmk", MAXMIND_LICENSE_KEY, maxmind),
];

/// The formats by the word they start with, built once with the detector.
///
/// Most prefixes are a word and a separator (`ghp` + `_`, `sk` + `-`,
/// `github` + `_pat_`): they are filed under the first byte and the length of that word, so a word
/// of prose is dismissed without comparing bytes. Prefixes of letters and digits only (`AKIA`,
/// `dapi`, `xox`) are filed under their first byte and tried on long or joined words. A prefix that
/// starts with punctuation (`.atlasv1.`, `_mmk`) is filed under the word after it and matched from
/// the byte before.
#[derive(Debug)]
pub(crate) struct PrefixIndex {
    /// `[first byte][word length]`, for prefixes that are a word then a separator.
    exact: Vec<Vec<usize>>,
    /// `[first byte]`, for prefixes made of letters and digits only.
    starts: Vec<Vec<usize>>,
}

/// Longest word part of a prefix (`GR1348941`, `bedrock`, `github`).
const MAX_PREFIX_WORD: usize = 16;

impl PrefixIndex {
    pub(crate) fn new() -> PrefixIndex {
        let mut exact = vec![Vec::new(); 128 * MAX_PREFIX_WORD];
        let mut starts = vec![Vec::new(); 128];
        for (i, format) in FORMATS.iter().enumerate() {
            let p = format.prefix.as_bytes();
            let lead = usize::from(!p[0].is_ascii_alphanumeric());
            let word = p[lead..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
            let first = usize::from(p[lead]);
            if lead + word == p.len() {
                if let Some(slot) = starts.get_mut(first) {
                    slot.push(i);
                }
            } else if let Some(slot) = exact.get_mut(first * MAX_PREFIX_WORD + word) {
                slot.push(i);
            }
        }
        PrefixIndex { exact, starts }
    }

    /// Parses a token whose prefix starts the word `word_start..word_end` (or one byte before it,
    /// for prefixes that start with punctuation). Returns the span start, the token and its score.
    pub(crate) fn at_word(
        &self,
        bytes: &[u8],
        word_start: usize,
        word_end: usize,
    ) -> Option<(usize, Parsed, f32)> {
        let first = usize::from(*bytes.get(word_start)?);
        let len = word_end - word_start;
        let joined = matches!(bytes.get(word_end), Some(b'_' | b'-' | b'.' | b'~'));
        let exact = if joined && len < MAX_PREFIX_WORD {
            self.exact
                .get(first * MAX_PREFIX_WORD + len)
                .map(Vec::as_slice)
                .unwrap_or_default()
        } else {
            &[]
        };
        // Alphanumeric prefixes start long words (`AKIA` + 16) or words cut by a separator
        // (`AIzaSy…-…`, `xoxb-`).
        let starts = if joined || len >= 12 {
            self.starts
                .get(first)
                .map(Vec::as_slice)
                .unwrap_or_default()
        } else {
            &[]
        };
        for &index in exact.iter().chain(starts) {
            let prefix = FORMATS[index].prefix.as_bytes();
            if prefix.len() > len + 1 && prefix[0].is_ascii_alphanumeric() && !joined {
                continue;
            }
            let at = if prefix[0].is_ascii_alphanumeric() {
                word_start
            } else {
                match word_start.checked_sub(1) {
                    Some(at) => at,
                    None => continue,
                }
            };
            if !bytes[at..].starts_with(prefix) {
                continue;
            }
            if let Some((parsed, score)) = parse(bytes, index, at) {
                return Some((span_start(index, at), parsed, score));
            }
        }
        None
    }
}

/// Parses the token whose prefix (format `index` of [`FORMATS`]) starts at `at`.
pub(crate) fn parse(bytes: &[u8], index: usize, at: usize) -> Option<(Parsed, f32)> {
    let format = FORMATS.get(index)?;
    let body_start = at + format.prefix.len();
    let parsed = match format.rule {
        Rule::Body {
            charset,
            min,
            max,
            mixed,
        } => {
            if !open_before(bytes, at) || preceded_by_dot(bytes, at) {
                return None;
            }
            let n = run(bytes, body_start, max + 1, charset);
            let end = body_start + n;
            if n < min || n > max || !open_after(bytes, end) {
                return None;
            }
            let body = &bytes[body_start..end];
            let verified = if is_filler(body) {
                Verified::Synthetic
            } else if patterned(body) || (mixed && n >= 16 && Profile::of(body).classes() < 2) {
                return None;
            } else {
                Verified::Shape
            };
            Parsed {
                end,
                subtype: format.subtype,
                verified,
            }
        }
        Rule::Custom(parse) => parse(bytes, at, body_start)?,
    };
    let score = match parsed.verified {
        Verified::Structure | Verified::Shape => 1.0,
        Verified::BadChecksum | Verified::Example => PLACEHOLDER_SCORE,
        Verified::Synthetic => {
            let body = bytes.get(body_start..parsed.end).unwrap_or_default();
            if x_filled(body) && format.placeholders == Placeholders::Reject {
                return None;
            }
            PLACEHOLDER_SCORE
        }
    };
    Some((parsed, score))
}

/// True if `value` starts with a prefix of a format above: a value that claims to be such a token is
/// judged by that format's parser only, never as a generic high-entropy string.
///
/// Only prefixes that carry punctuation and at least four characters count (`ghp_`, `glpat-`,
/// `sk_live_`): `sk-` and `AKC` start too many other things.
pub(crate) fn has_known_prefix(value: &[u8]) -> bool {
    let Some(&first) = value.first() else {
        return false;
    };
    FORMATS.iter().any(|f| {
        let p = f.prefix.as_bytes();
        p[0] == first
            && value.starts_with(p)
            && p.len() >= 4
            && p.iter().any(|&b| matches!(b, b'_' | b'-' | b'.' | b'~'))
            && !matches!(p[0], b'.' | b'_')
    })
}

/// The conventional placeholders (`xxxx`, `XXXX_PUT_YOUR_TOKEN_HERE_XXXX`, `****`), as opposed to
/// one repeated letter (`AKIAZZZZZZZZZZZZZZZZ`), which is reported at a low score.
fn x_filled(body: &[u8]) -> bool {
    let profile = Profile::of(body);
    profile.distinct > 2
        || body
            .iter()
            .any(|&b| matches!(b, b'x' | b'X' | b'*' | b'#' | b'.'))
}

/// A token glued to a `.` on its left is part of a file name or a domain (`box.ico-7a38…png`).
fn preceded_by_dot(bytes: &[u8], at: usize) -> bool {
    at > 0 && bytes[at - 1] == b'.'
}

/// Runs `charset` from `start`, requiring `min..=max` characters and no word character after.
fn fixed(
    bytes: &[u8],
    start: usize,
    charset: fn(u8) -> bool,
    min: usize,
    max: usize,
) -> Option<usize> {
    let n = run(bytes, start, max + 1, charset);
    let end = start + n;
    (n >= min && n <= max && open_after(bytes, end)).then_some(end)
}

fn judged(body: &[u8], verified: Verified) -> Verified {
    if is_filler(body) {
        Verified::Synthetic
    } else {
        verified
    }
}

/// A long body with far less entropy than a random one (`5555555dAAAAA7777777Cccc…`): made up.
fn patterned(body: &[u8]) -> bool {
    body.len() >= 32 && Profile::of(body).entropy < 3.0
}

fn aws_key_id(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    let upper_digit = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
    // `A3T` is followed by one more type character; the others by the 16-character body.
    let end = fixed(bytes, body_start, upper_digit, 16, 17)?;
    if end - at != 20 {
        return None;
    }
    let body = &bytes[at + 4..end];
    if body.ends_with(b"EXAMPLE") {
        // AWS's documentation key (`AKIAIOSFODNN7EXAMPLE`): reported, at the placeholder score.
        return Some(Parsed {
            end,
            subtype: AWS_ACCESS_KEY_ID,
            verified: Verified::Example,
        });
    }
    let profile = Profile::of(body);
    if profile.distinct <= 2 {
        return Some(Parsed {
            end,
            subtype: AWS_ACCESS_KEY_ID,
            verified: Verified::Synthetic,
        });
    }
    // Real ids draw from base32-like alphabets and almost always hold a digit; an upper-case word
    // (`ACCAUNTANTSOFFICE`) or a DNA string does not.
    if profile.digit == 0 {
        return None;
    }
    Some(Parsed {
        end,
        subtype: AWS_ACCESS_KEY_ID,
        verified: Verified::Shape,
    })
}

fn bedrock_long(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    let end = fixed(bytes, body_start, is_b64, 80, 200)?;
    Some(Parsed {
        end,
        subtype: AWS_BEDROCK_API_KEY,
        verified: Verified::Structure,
    })
}

fn bedrock_short(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    let end = fixed(bytes, body_start, |b| is_b64(b) || b == b'%', 0, 4000)?;
    Some(Parsed {
        end,
        subtype: AWS_BEDROCK_API_KEY,
        verified: Verified::Structure,
    })
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// CRC32 (IEEE) of `data`, bitwise: tokens are short, a table is not worth its memory.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// GitHub's and npm's token checksum: the last 6 characters are the CRC32 of the 30 before them,
/// in base62, zero-padded.
fn crc32_base62_ok(body: &[u8]) -> bool {
    if body.len() != 36 {
        return false;
    }
    let (data, check) = body.split_at(30);
    let mut n = crc32(data);
    let mut expected = [b'0'; 6];
    for slot in expected.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    expected == check
}

fn github(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    let end = fixed(bytes, body_start, is_alnum, 36, 36)?;
    let body = &bytes[body_start..end];
    let verified = if crc32_base62_ok(body) {
        Verified::Structure
    } else {
        Verified::BadChecksum
    };
    Some(Parsed {
        end,
        subtype: GITHUB_TOKEN,
        verified: judged(body, verified),
    })
}

fn github_fine_grained(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    let first = run(bytes, body_start, 23, is_alnum);
    if first != 22 || bytes.get(body_start + 22) != Some(&b'_') {
        return None;
    }
    let end = fixed(bytes, body_start + 23, is_alnum, 59, 59)?;
    let body = &bytes[body_start..end];
    Some(Parsed {
        end,
        subtype: GITHUB_TOKEN,
        verified: judged(body, Verified::Shape),
    })
}

fn mixed_or_reject(body: &[u8], verified: Verified) -> Option<Verified> {
    let verified = judged(body, verified);
    if verified == Verified::Shape && Profile::of(body).classes() < 2 {
        return None;
    }
    Some(verified)
}

fn gitlab_pat(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    let n = run(bytes, body_start, 320, is_b64url);
    let mut end = body_start + n;
    if n != 20 {
        // Routable tokens (GitLab 17.x): a longer payload, `.`, then a short version-and-check tail.
        if n < 27 || bytes.get(end) != Some(&b'.') {
            return None;
        }
        let tail = run(bytes, end + 1, 10, |b| {
            b.is_ascii_lowercase() || b.is_ascii_digit()
        });
        if tail != 9 {
            return None;
        }
        end += 1 + tail;
    }
    if !open_after(bytes, end) {
        return None;
    }
    let body = &bytes[body_start..end];
    Some(Parsed {
        end,
        subtype: GITLAB_TOKEN,
        verified: mixed_or_reject(body, Verified::Shape)?,
    })
}

fn gitlab_routable(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    let n = run(bytes, body_start, 320, is_b64url);
    let mut end = body_start + n;
    if n < 20 {
        return None;
    }
    if bytes.get(end) == Some(&b'.') {
        let tail = run(bytes, end + 1, 10, |b| {
            b.is_ascii_lowercase() || b.is_ascii_digit()
        });
        if tail == 9 {
            end += 1 + tail;
        }
    }
    if !open_after(bytes, end) {
        return None;
    }
    let body = &bytes[body_start..end];
    Some(Parsed {
        end,
        subtype: GITLAB_TOKEN,
        verified: mixed_or_reject(body, Verified::Shape)?,
    })
}

/// `xox?-…`: bot (`b`), user (`p`), workspace (`a`), legacy (`s`, `o`, `r`), configuration (`e`).
fn slack(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    let kind = *bytes.get(body_start)?;
    if !matches!(kind, b'b' | b'p' | b'a' | b's' | b'o' | b'r' | b'e') {
        return None;
    }
    let sep = *bytes.get(body_start + 1)?;
    let rest = body_start + 2;
    // Configuration tokens: `xoxe.xoxp-1-…` (access) and `xoxe-1-…` (refresh), long base64 bodies.
    if kind == b'e' && sep == b'.' {
        let inner = bytes.get(rest..rest + 7)?;
        if !(inner == b"xoxp-1-" || inner == b"xoxb-1-") {
            return None;
        }
        let end = fixed(bytes, rest + 7, is_b64url, 100, 1024)?;
        return Some(Parsed {
            end,
            subtype: SLACK_TOKEN,
            verified: Verified::Structure,
        });
    }
    if sep != b'-' {
        return None;
    }
    if kind == b'e'
        && bytes.get(rest..rest + 2) == Some(b"1-")
        && let Some(end) = fixed(bytes, rest + 2, is_b64url, 100, 1024)
    {
        return Some(Parsed {
            end,
            subtype: SLACK_TOKEN,
            verified: Verified::Structure,
        });
    }
    // Dash-separated segments: an optional one-digit version, 1–3 numeric ids of 5+ digits, then the
    // secret part of 10+ letters and digits.
    let n = run(bytes, rest, 256, |b| b.is_ascii_alphanumeric() || b == b'-');
    let end = rest + n;
    if !open_after(bytes, end) {
        return None;
    }
    let segments: Vec<&[u8]> = bytes[rest..end].split(|&b| b == b'-').collect();
    let mut i = 0;
    if segments.len() > 2 && segments[0].len() == 1 && segments[0][0].is_ascii_digit() {
        i = 1;
    }
    let mut numeric = 0;
    while i < segments.len() - 1 {
        let seg = segments[i];
        if seg.len() < 5 || !seg.iter().all(u8::is_ascii_digit) {
            return None;
        }
        numeric += 1;
        i += 1;
    }
    let secret = segments.last()?;
    if numeric == 0 || numeric > 3 || secret.len() < 10 || secret.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(Parsed {
        end,
        subtype: SLACK_TOKEN,
        verified: judged(secret, Verified::Structure),
    })
}

/// `xapp-1-A0123ABCDEF-1234567890123-<hex>`: app-level tokens.
fn slack_app(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    let n = run(bytes, body_start, 256, |b| {
        b.is_ascii_alphanumeric() || b == b'-'
    });
    let end = body_start + n;
    let segments: Vec<&[u8]> = bytes[body_start..end].split(|&b| b == b'-').collect();
    let [version, app, number, secret] = segments.as_slice() else {
        return None;
    };
    let ok = version.len() == 1
        && version[0].is_ascii_digit()
        && app.len() >= 9
        && app
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && number.len() >= 10
        && number.iter().all(u8::is_ascii_digit)
        && secret.len() >= 32
        && secret.iter().all(|&b| is_hex(b));
    (ok && open_after(bytes, end)).then_some(Parsed {
        end,
        subtype: SLACK_TOKEN,
        verified: Verified::Structure,
    })
}

/// `sk-…`: Anthropic (`sk-ant-api03-`, `sk-ant-admin01-`: 93 characters then `AA`), OpenRouter
/// (`sk-or-v1-` + 64 hex), OpenAI (the `T3BlbkFJ` marker in legacy and project keys, or a long
/// project/service-account/admin key).
fn sk_dash(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    let rest = bytes.get(body_start..)?;
    if let Some(after) = rest.strip_prefix(b"ant-") {
        // `ant-` + a lower-case kind + two digits + `-`.
        let kind = after.iter().take_while(|b| b.is_ascii_lowercase()).count();
        let digits = after[kind..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if kind == 0 || digits != 2 || after.get(kind + 2) != Some(&b'-') {
            return None;
        }
        let subtype = if &after[..kind] == b"admin" {
            ANTHROPIC_ADMIN_KEY
        } else {
            ANTHROPIC_API_KEY
        };
        let start = body_start + 4 + kind + 3;
        let end = fixed(bytes, start, is_b64url, 95, 95)?;
        if &bytes[end - 2..end] != b"AA" {
            return None;
        }
        return Some(Parsed {
            end,
            subtype,
            verified: judged(&bytes[start..end], Verified::Structure),
        });
    }
    if rest.starts_with(b"or-v1-") {
        let end = fixed(bytes, body_start + 6, is_hex_lower, 64, 64)?;
        return Some(Parsed {
            end,
            subtype: OPENROUTER_API_KEY,
            verified: judged(&bytes[body_start + 6..end], Verified::Shape),
        });
    }
    let named = ["proj-", "svcacct-", "admin-", "None-"]
        .iter()
        .find(|p| rest.starts_with(p.as_bytes()))
        .map_or(0, |p| p.len());
    let start = body_start + named;
    let end = fixed(bytes, start, is_b64url, 20, 400)?;
    let body = &bytes[start..end];
    // The marker sits in the middle with at least 20 characters on each side.
    let marker = body
        .windows(8)
        .position(|w| w == b"T3BlbkFJ")
        .is_some_and(|p| p >= 20 && body.len() - p - 8 >= 20);
    if marker || (named > 0 && body.len() >= 80 && Profile::of(body).classes() == 3) {
        return Some(Parsed {
            end,
            subtype: OPENAI_API_KEY,
            verified: judged(body, Verified::Structure),
        });
    }
    None
}

/// Google API keys published in open-source clients (browsers, SDK samples), listed in gitleaks'
/// allow-list (`config/gitleaks.toml`, rule `gcp-api-key`): they are public by design, not leaks.
const PUBLIC_GOOGLE_API_KEYS: &[&[u8]] = &[
    b"AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs",
    b"AIzaSyCkEhVjf3pduRDt6d1yKOMitrUEke8agEM",
    b"AIzaSyDMAScliyLx7F0NPDEJi1QmyCgHIAODrlU",
    b"AIzaSyD3asb-2pEZVqMkmL6M9N6nHZRR_znhrh0",
    b"AIzaSyAdOS2zB6NCsk1pCdZ4-P6GBdi_UUPwX7c",
    b"AIzaSyASWm6HmTMdYWpgMnjRBjxcQ9CKctWmLd4",
    b"AIzaSyANUvH9H9BsUccjsu2pCmEkOPjjaXeDQgY",
    b"AIzaSyA5_iVawFQ8ABuTZNUdcwERLJv_a_p4wtM",
    b"AIzaSyA4UrcGxgwQFTfaI3no3t7Lt1sjmdnP5sQ",
    b"AIzaSyDSb51JiIcB6OJpwwMicseKRhhrOq1cS7g",
    b"AIzaSyBF2RrAIm4a0mO64EShQfqfd2AFnzAvvuU",
    b"AIzaSyBcE-OOIbhjyR83gm4r2MFCu4MJmprNXsw",
    b"AIzaSyB8qGxt4ec15vitgn44duC5ucxaOi4FmqE",
    b"AIzaSyA8vmApnrHNFE0bApF4hoZ11srVL_n0nvY",
];

/// `AIzaSy` + 33: every key Google issues starts `AIzaSy`; the rest is random base64url.
fn google_api_key(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) || bytes.get(body_start..body_start + 2) != Some(b"Sy") {
        return None;
    }
    let end = fixed(bytes, body_start, is_b64url, 35, 35)?;
    let key = &bytes[at..end];
    if PUBLIC_GOOGLE_API_KEYS.contains(&key) {
        return None;
    }
    let body = &bytes[body_start + 2..end];
    let verified = judged(body, Verified::Shape);
    if verified == Verified::Shape && Profile::of(body).classes() < 3 {
        return None;
    }
    Some(Parsed {
        end,
        subtype: GOOGLE_API_KEY,
        verified,
    })
}

/// `lsv2_pt_` / `lsv2_sk_` + 32 hex + `_` + 10 hex.
fn langsmith(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    let kind = bytes.get(body_start..body_start + 3)?;
    if !open_before(bytes, at) || !(kind == b"pt_" || kind == b"sk_") {
        return None;
    }
    let first = run(bytes, body_start + 3, 33, is_hex_lower);
    if first != 32 || bytes.get(body_start + 35) != Some(&b'_') {
        return None;
    }
    let end = fixed(bytes, body_start + 36, is_hex_lower, 10, 10)?;
    Some(Parsed {
        end,
        subtype: LANGSMITH_API_KEY,
        verified: Verified::Structure,
    })
}

/// `npm_` + 36 base62 with GitHub's CRC32 scheme.
fn npm(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    let end = fixed(bytes, body_start, is_alnum, 36, 36)?;
    let body = &bytes[body_start..end];
    let verified = if crc32_base62_ok(body) {
        Verified::Structure
    } else {
        Verified::BadChecksum
    };
    Some(Parsed {
        end,
        subtype: NPM_TOKEN,
        verified: judged(body, verified),
    })
}

/// `pypi-` + a macaroon for pypi.org or test.pypi.org (its serialised header is fixed), 100+ more.
fn pypi(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    let rest = bytes.get(body_start..)?;
    let header = [&b"AgEIcHlwaS5vcmc"[..], b"AgENdGVzdC5weXBpLm9yZw"]
        .into_iter()
        .find(|h| rest.starts_with(h))?;
    let end = fixed(bytes, body_start + header.len(), is_b64url, 100, 4000)?;
    Some(Parsed {
        end,
        subtype: PYPI_TOKEN,
        verified: Verified::Structure,
    })
}

/// `SG.` + 22 + `.` + 43, both base64url.
fn sendgrid(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    let first = run(bytes, body_start, 23, is_b64url);
    if first != 22 || bytes.get(body_start + 22) != Some(&b'.') {
        return None;
    }
    let end = fixed(bytes, body_start + 23, is_b64url, 43, 43)?;
    Some(Parsed {
        end,
        subtype: SENDGRID_API_KEY,
        verified: judged(&bytes[body_start..end], Verified::Structure),
    })
}

/// `dapi` + 32 lower-case hex, optionally `-` and a digit.
fn databricks(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    let n = run(bytes, body_start, 33, is_hex_lower);
    let mut end = body_start + n;
    if n != 32 {
        return None;
    }
    if bytes.get(end) == Some(&b'-') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end += 2;
    }
    if !open_after(bytes, end) {
        return None;
    }
    Some(Parsed {
        end,
        subtype: DATABRICKS_TOKEN,
        verified: judged(&bytes[body_start..body_start + 32], Verified::Shape),
    })
}

/// `<14 alnum>.atlasv1.<60–70 base64url>`: the prefix is found in the middle, so look back.
fn terraform_cloud(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    let start = at.checked_sub(14)?;
    if !bytes[start..at].iter().all(|&b| is_alnum(b)) || !open_before(bytes, start) {
        return None;
    }
    let end = fixed(bytes, body_start, is_b64url, 60, 70)?;
    let verified = judged(
        &bytes[start..at],
        judged(&bytes[body_start..end], Verified::Structure),
    );
    // The reported span starts at the id before the marker.
    Some(Parsed {
        end,
        subtype: TERRAFORM_CLOUD_TOKEN,
        verified,
    })
}

/// Start of the span to report for a token whose trigger is not at its start.
pub(crate) fn span_start(index: usize, at: usize) -> usize {
    match FORMATS.get(index).map(|f| f.prefix) {
        Some(".atlasv1.") => at.saturating_sub(14),
        Some("_mmk") => at.saturating_sub(36),
        _ => at,
    }
}

/// `hf_` / `api_org_` + 34 letters of both cases (older tokens up to 39).
fn huggingface(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    let end = fixed(bytes, body_start, |b| b.is_ascii_alphabetic(), 34, 39)?;
    let body = &bytes[body_start..end];
    let verified = judged(body, Verified::Shape);
    if verified == Verified::Shape {
        let profile = Profile::of(body);
        if profile.upper == 0 || profile.lower == 0 {
            return None;
        }
    }
    Some(Parsed {
        end,
        subtype: HUGGINGFACE_TOKEN,
        verified,
    })
}

/// 1Password account secret key: `A3-` then groups of upper-case letters and digits, 6-11-5-5-5 or
/// 6-6-5-5-5-5 (the 11 split in two).
fn onepassword_secret_key(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    let alnum_upper = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-';
    let n = run(bytes, body_start, 48, alnum_upper);
    let end = body_start + n;
    if !open_after(bytes, end) {
        return None;
    }
    let groups: Vec<usize> = bytes[body_start..end]
        .split(|&b| b == b'-')
        .map(<[u8]>::len)
        .collect();
    let layout_ok = groups == [6, 11, 5, 5, 5] || groups == [6, 6, 5, 5, 5, 5];
    layout_ok.then(|| Parsed {
        end,
        subtype: ONEPASSWORD_SECRET_KEY,
        verified: judged(&bytes[body_start..end], Verified::Structure),
    })
}

/// `AGE-SECRET-KEY-1` + 58 bech32 characters; the bech32 checksum is verified.
fn age(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    let bech32_upper = |b: u8| b"QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L".contains(&b);
    let end = fixed(bytes, body_start, bech32_upper, 58, 58)?;
    let whole = std::str::from_utf8(&bytes[at..end]).ok()?;
    let verified = if crate::validate::bech32(whole) {
        Verified::Structure
    } else {
        // Includes the all-`Q` sample from age's own documentation.
        Verified::Synthetic
    };
    Some(Parsed {
        end,
        subtype: AGE_SECRET_KEY,
        verified,
    })
}

/// `glsa_` + 32 letters/digits + `_` + 8 hex.
fn grafana_service_account(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    let first = run(bytes, body_start, 33, is_alnum);
    if first != 32 || bytes.get(body_start + 32) != Some(&b'_') {
        return None;
    }
    let end = fixed(bytes, body_start + 33, is_hex, 8, 8)?;
    let body = &bytes[body_start..body_start + 32];
    Some(Parsed {
        end,
        subtype: GRAFANA_TOKEN,
        verified: mixed_or_reject(body, Verified::Structure)?,
    })
}

/// `ntn_` + 11 digits + 35 letters and digits.
fn notion(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    let digits = run(bytes, body_start, 11, |b| b.is_ascii_digit());
    if digits != 11 {
        return None;
    }
    let end = fixed(bytes, body_start + 11, is_alnum, 35, 35)?;
    Some(Parsed {
        end,
        subtype: NOTION_API_TOKEN,
        verified: mixed_or_reject(&bytes[body_start + 11..end], Verified::Structure)?,
    })
}

/// `API-` + 26 upper-case letters and digits (Octopus Deploy), with at least one digit.
fn octopus(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    let upper_digit = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
    let end = fixed(bytes, body_start, upper_digit, 26, 26)?;
    let body = &bytes[body_start..end];
    let verified = judged(body, Verified::Shape);
    if verified == Verified::Shape && Profile::of(body).digit == 0 {
        return None;
    }
    Some(Parsed {
        end,
        subtype: OCTOPUS_DEPLOY_API_KEY,
        verified,
    })
}

/// `sntrys_` + base64 JSON claims + `_` + 43 base64url: Sentry organisation tokens.
fn sentry_org(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    let claims = run(bytes, body_start, 1024, is_b64);
    let sep = body_start + claims;
    if claims < 20 || bytes.get(sep) != Some(&b'_') {
        return None;
    }
    let end = fixed(bytes, sep + 1, is_b64url, 30, 64)?;
    Some(Parsed {
        end,
        subtype: SENTRY_TOKEN,
        verified: Verified::Structure,
    })
}

/// `v1.0-` + 24 hex + `-` + 146 hex: Cloudflare Origin CA keys.
fn cloudflare_origin_ca(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    let first = run(bytes, body_start, 25, is_hex_lower);
    if first != 24 || bytes.get(body_start + 24) != Some(&b'-') {
        return None;
    }
    let end = fixed(bytes, body_start + 25, is_hex_lower, 146, 146)?;
    Some(Parsed {
        end,
        subtype: CLOUDFLARE_ORIGIN_CA_KEY,
        verified: Verified::Structure,
    })
}

/// `sgp_` + 40 hex, `sgp_local_` + 40 hex, or `sgp_` + 16 hex + `_` + 40 hex.
fn sourcegraph(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    let mut start = body_start;
    if bytes.get(start..start + 6) == Some(b"local_") {
        start += 6;
    } else if run(bytes, start, 17, is_hex) == 16 && bytes.get(start + 16) == Some(&b'_') {
        start += 17;
    }
    let end = fixed(bytes, start, is_hex, 40, 40)?;
    if patterned(&bytes[start..end]) {
        return None;
    }
    Some(Parsed {
        end,
        subtype: SOURCEGRAPH_TOKEN,
        verified: judged(&bytes[start..end], Verified::Shape),
    })
}

/// `PMAK-` + 24 hex + `-` + 34 hex.
fn postman(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    if run(bytes, body_start, 25, is_hex) != 24 || bytes.get(body_start + 24) != Some(&b'-') {
        return None;
    }
    let end = fixed(bytes, body_start + 25, is_hex, 34, 34)?;
    Some(Parsed {
        end,
        subtype: POSTMAN_API_KEY,
        verified: Verified::Structure,
    })
}

/// `ATATT3` + base64url payload, then `=` + 8 hex.
fn atlassian(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    let payload = run(bytes, body_start, 400, is_b64url);
    let sep = body_start + payload;
    if payload < 150 || bytes.get(sep) != Some(&b'=') {
        return None;
    }
    let end = fixed(bytes, sep + 1, is_hex, 8, 8)?;
    Some(Parsed {
        end,
        subtype: ATLASSIAN_API_TOKEN,
        verified: Verified::Structure,
    })
}

/// `dt0c01.` + 24 + `.` + 64, upper-case letters and digits.
fn dynatrace(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    if !open_before(bytes, at) {
        return None;
    }
    let upper_digit = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
    if run(bytes, body_start, 25, upper_digit) != 24 || bytes.get(body_start + 24) != Some(&b'.') {
        return None;
    }
    let end = fixed(bytes, body_start + 25, upper_digit, 64, 64)?;
    Some(Parsed {
        end,
        subtype: DYNATRACE_TOKEN,
        verified: judged(&bytes[body_start..end], Verified::Structure),
    })
}

/// MaxMind license keys end in `_mmk`: 6 letters/digits, `_`, 29 letters/digits, `_mmk`.
fn maxmind(bytes: &[u8], at: usize, body_start: usize) -> Option<Parsed> {
    let start = at.checked_sub(36)?;
    let key = &bytes[start..at];
    let layout = key[..6].iter().all(|&b| is_alnum(b))
        && key[6] == b'_'
        && key[7..].iter().all(|&b| is_alnum(b));
    if !layout || !open_before(bytes, start) || !open_after(bytes, body_start) {
        return None;
    }
    Some(Parsed {
        end: body_start,
        subtype: MAXMIND_LICENSE_KEY,
        verified: mixed_or_reject(key, Verified::Structure)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::secret::testing::{check, none, score};

    /// Made-up tokens of the right shapes (random bodies; GitHub and npm with valid checksums).
    #[test]
    fn provider_tokens_are_found_with_their_subtypes() {
        for (subtype, token) in [
            (GITHUB_TOKEN, "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"),
            (
                GITHUB_TOKEN,
                "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",
            ),
            (NPM_TOKEN, "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"),
            (AWS_ACCESS_KEY_ID, "AKIA3TNBZOC7EOGDVBZ5"),
            (
                ANTHROPIC_API_KEY,
                "sk-ant-api03-UP-PVpgXdY2egjRfwJkm5CqAeGFgOfreBV3Oa7BYRtEFntQa2brHNYKuIXiS-WkcUfopdV4XVnBMTFLJrBoCPRvkLE03_AA",
            ),
            (
                ANTHROPIC_ADMIN_KEY,
                "sk-ant-admin01-UP-PVpgXdY2egjRfwJkm5CqAeGFgOfreBV3Oa7BYRtEFntQa2brHNYKuIXiS-WkcUfopdV4XVnBMTFLJrBoCPRvkLE03_AA",
            ),
            (
                OPENAI_API_KEY,
                "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",
            ),
            (
                OPENAI_API_KEY,
                "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",
            ),
            (GOOGLE_API_KEY, "AIzaSyoCVz9Qx49tgHpfrYm1Pr31xuZvq1-RjpV"),
            (STRIPE_KEY, "sk_live_bkS03jsHY7U7LbB1vexD1D2j"),
            (GITLAB_TOKEN, "glpat-b5JEX3oBXBsPzA9dBCqh"),
            (HUGGINGFACE_TOKEN, "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"),
            (
                SENDGRID_API_KEY,
                "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",
            ),
            (
                PYPI_TOKEN,
                "pypi-AgEIcHlwaS5vcmcx6QOYKMck5RKs9duaR4rRT6cXNXAJsdKCWT1D4Kxp-WOCBEfyczJZSm8WvWFeKoqb1P5xRrgWurLzS5dTNB4NK0COuTzQ4sPdvdIgdxm5XxRfe4Tzq7GyrLfBwlIuR2vl_ImUGvysUxFgsPXsY6hS5",
            ),
            (DATABRICKS_TOKEN, "dapi75bcedc132202ca138704b95ab5984bf"),
            (
                DIGITALOCEAN_TOKEN,
                "dop_v1_2484894a20ce027aa84b1a1cf05f3518b25a5321bd677cdfb319f40f289acf40",
            ),
            (SHOPIFY_TOKEN, "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"),
            (
                VAULT_TOKEN,
                "hvs.g94uH1FsKGWGrmubXcjVKkaCamldbWNfUNdYw1_5V6k7HFQ6ieZmp1CmUxP9yVBiSyP4drf0VTzvwSO4AAiVmWlhcO",
            ),
            (
                TERRAFORM_CLOUD_TOKEN,
                "3pJ4szRwwgXoNW.atlasv1.JwW6_Ed_IxVO9Ri-ggTg9clZQRygJQmStgIu1IyDtr6QlmK_kmJpktDZoziu8pYIUMF",
            ),
            (
                SLACK_TOKEN,
                "xoxb-022778545948-9926548182260-uhk2zNxOKp6myiLHT6l5vt4o",
            ),
            (
                SLACK_TOKEN,
                "xoxp-15132660953-453161891967-082396835585-8184e4ccb9562ad859b81567bc00a01d",
            ),
            (
                SLACK_TOKEN,
                "xapp-1-AX1B4FKBBK5-7796508165872-c39749e2c491eb9487395018f7944fe07f5679fff02eba571e7b3ec5decc1db9",
            ),
        ] {
            for text in [
                token.to_owned(),
                format!("use {token} now"),
                format!("KEY=\"{token}\";"),
            ] {
                check(&text, &[(subtype, token)]);
            }
        }
    }

    #[test]
    fn look_alikes_and_placeholders_are_not_tokens() {
        none(&[
            "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "glpat-XXXXXXXXXXX-XXXXXXXX",
            "AKIAXXXXXXXXXXXXXXXX",
            "TODAYINASIAASACKOFRICEFELLOVER",
            "xoxb-xxxxxxxxx-xxxxxxxxxx-xxxxxxxxxxxx",
            "xoxp-1234-1234-1234-4ddbc191d40ee098cbaae6f3523ada2d",
            "sk-proj-Xi8tdMjHV6pmbBbwilTeT4BlbkFJ3UDnpdEwNNm6wVBpYM0o",
            "sk_live_",
            "pk_live_j5krY8XTgIcDaHDb3YrsAfCl",
            "hf_servingcellpriorityparametersdescription",
            "video_box.ico-7a388b69018576d24b59331fd60aab0c.png",
            "the task_sk-ant-api03 notes",
            "AIzaSyabcdefghijklmnopqrstuvwxyz1234567",
            "sgp_5555555dAAAAA7777777CcccCFaaaaaaaaaaaaaa",
            "glpat-b5JEX3oBXBsPzA9dBCqhX",
        ]);
    }

    #[test]
    fn made_up_tokens_are_reported_at_the_placeholder_score() {
        // A GitHub token whose checksum fails, AWS's documentation key, one repeated letter.
        assert_eq!(
            score("ghp_mavzfVABqZ5YsOOlB1f46RfHk7hp3I4XLQxE"),
            PLACEHOLDER_SCORE
        );
        assert_eq!(score("AKIAIOSFODNN7EXAMPLE"), PLACEHOLDER_SCORE);
        assert_eq!(score("AKIAZZZZZZZZZZZZZZZZ"), PLACEHOLDER_SCORE);
        assert_eq!(score("AKIA3TNBZOC7EOGDVBZ5"), 1.0);
    }

    #[test]
    fn every_prefix_is_indexed() {
        let index = PrefixIndex::new();
        let n: usize = index.exact.iter().chain(&index.starts).map(Vec::len).sum();
        assert_eq!(n, FORMATS.len());
    }

    #[test]
    fn no_prefix_is_a_prefix_of_another() {
        for (i, a) in FORMATS.iter().enumerate() {
            for (j, b) in FORMATS.iter().enumerate() {
                if i != j {
                    assert!(
                        !b.prefix.starts_with(a.prefix),
                        "{} / {}",
                        a.prefix,
                        b.prefix
                    );
                }
            }
        }
    }

    #[test]
    fn github_checksum() {
        assert!(crc32_base62_ok(b"wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx"));
        assert!(!crc32_base62_ok(b"wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUy"));
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }
}
