//! The labelled secret vectors (detect-secrets and gitleaks test cases) and how a scan of one row
//! is judged. Pure: rows in, verdicts out. Shared with `crates/scan/tests/secret_vectors.rs`,
//! which includes this file, so it may only use `warden_scan` and `serde_json`.
//!
//! Judging:
//! - a positive row is *found* if the scan reports a `SECRET` finding overlapping the row's known
//!   secret (gitleaks `secret`, detect-secrets `expected_secret`, when given and present in the
//!   text) or, when the row names no secret, any `SECRET` finding; it is *found typed* if such a
//!   finding has one of the subtypes mapped to the row's plugin or rule;
//! - a detect-secrets negative is a false positive if the scan reports any `SECRET` finding;
//! - a gitleaks `fp` row is only negative for its own rule: it is a false positive if the scan
//!   reports a finding of a subtype mapped to that rule ([`kinds`]), or any `SECRET` finding when
//!   the rule has no Warden counterpart. Findings of other subtypes are listed, not counted;
//! - detect-secrets `IPPublicDetector` rows are left out: public IP addresses are `IP_ADDRESS`
//!   findings in Warden, not secrets, and are scored with the PII data.

use warden_scan::{EntityType, Finding};

/// Which tool's test vectors a row comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    DetectSecrets,
    Gitleaks,
}

impl Source {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Source::DetectSecrets => "detect-secrets",
            Source::Gitleaks => "gitleaks",
        }
    }
}

/// One labelled line.
#[derive(Clone, Debug)]
pub(crate) struct Row {
    pub(crate) source: Source,
    /// detect-secrets plugin or gitleaks rule id.
    pub(crate) group: String,
    pub(crate) positive: bool,
    pub(crate) text: String,
    /// The secret inside `text`, when the row names it.
    pub(crate) secret: Option<String>,
}

impl Row {
    /// Reads a row of either file, telling the format from its fields.
    pub(crate) fn parse(value: &serde_json::Value) -> Option<Row> {
        let text = value.get("text")?.as_str()?.to_owned();
        let secret_of = |field: &str| {
            value
                .get(field)
                .and_then(serde_json::Value::as_str)
                .filter(|s| !s.is_empty() && text.contains(*s))
                .map(str::to_owned)
        };
        if let Some(flag) = value
            .get("should_flag")
            .and_then(serde_json::Value::as_bool)
        {
            let group = value.get("plugin")?.as_str()?.to_owned();
            let secret = secret_of("expected_secret");
            return Some(Row {
                source: Source::DetectSecrets,
                group,
                positive: flag,
                text,
                secret,
            });
        }
        let kind = value.get("kind")?.as_str()?;
        let group = value.get("rule_id")?.as_str()?.to_owned();
        let secret = secret_of("secret");
        Some(Row {
            source: Source::Gitleaks,
            group,
            positive: kind != "fp",
            text,
            secret,
        })
    }

    /// Rows that are not about secrets and are left out of the secret figures.
    pub(crate) fn excluded(&self) -> Option<&'static str> {
        (self.source == Source::DetectSecrets && self.group == "IPPublicDetector")
            .then_some("public IP addresses are IP_ADDRESS findings, not secrets")
    }
}

/// The Warden subtypes that correspond to a plugin or rule; `None` for a plugin or rule not listed.
/// Rules for providers Warden has no subtype for map to an empty list: no finding is of their kind.
pub(crate) fn kinds(source: Source, group: &str) -> Option<&'static [&'static str]> {
    let kinds: &'static [&'static str] = match source {
        Source::DetectSecrets => match group {
            "ArtifactoryDetector" => &["ARTIFACTORY_TOKEN"],
            "AWSKeyDetector" => &["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
            "AzureStorageKeyDetector" => &["AZURE_STORAGE_KEY"],
            "BasicAuthDetector" => &["CONNECTION_STRING"],
            "CloudantDetector" => &["CLOUDANT_CREDENTIAL", "CONNECTION_STRING"],
            "DiscordBotTokenDetector" => &["DISCORD_BOT_TOKEN"],
            "GitHubTokenDetector" => &["GITHUB_TOKEN"],
            "GitLabTokenDetector" => &["GITLAB_TOKEN"],
            "IbmCloudIamDetector" => &["IBM_CLOUD_IAM_KEY"],
            "IbmCosHmacDetector" => &["IBM_COS_HMAC_SECRET"],
            "JwtTokenDetector" => &["JWT"],
            "KeywordDetector" => &["PASSWORD_ASSIGNMENT", "GENERIC_HIGH_ENTROPY"],
            "MailchimpDetector" => &["MAILCHIMP_API_KEY"],
            "NpmDetector" => &["NPM_TOKEN"],
            "OpenAIDetector" => &["OPENAI_API_KEY"],
            "PrivateKeyDetector" => &["PRIVATE_KEY"],
            "PypiTokenDetector" => &["PYPI_TOKEN"],
            "SendGridDetector" => &["SENDGRID_API_KEY"],
            "SlackDetector" => &["SLACK_TOKEN", "SLACK_WEBHOOK_URL"],
            "SoftlayerDetector" => &["SOFTLAYER_API_KEY"],
            "SquareOAuthDetector" => &["SQUARE_OAUTH_SECRET"],
            "StripeDetector" => &["STRIPE_KEY"],
            "TelegramBotTokenDetector" => &["TELEGRAM_BOT_TOKEN"],
            "TwilioKeyDetector" => &["TWILIO_KEY"],
            _ => return None,
        },
        Source::Gitleaks => match group {
            "1password-secret-key" => &["ONEPASSWORD_SECRET_KEY"],
            "1password-service-account-token" => &["ONEPASSWORD_SERVICE_ACCOUNT_TOKEN"],
            "age-secret-key" => &["AGE_SECRET_KEY"],
            "anthropic-api-key" => &["ANTHROPIC_API_KEY"],
            "anthropic-admin-api-key" => &["ANTHROPIC_ADMIN_KEY"],
            "artifactory-api-key" | "artifactory-reference-token" => &["ARTIFACTORY_TOKEN"],
            "atlassian-api-token" => &["ATLASSIAN_API_TOKEN"],
            "aws-access-token" => &["AWS_ACCESS_KEY_ID"],
            "aws-amazon-bedrock-api-key-long-lived" | "aws-amazon-bedrock-api-key-short-lived" => {
                &["AWS_BEDROCK_API_KEY"]
            }
            "azure-ad-client-secret" => &["AZURE_AD_CLIENT_SECRET"],
            "clickhouse-cloud-api-secret-key" => &["CLICKHOUSE_API_SECRET"],
            "cloudflare-origin-ca-key" => &["CLOUDFLARE_ORIGIN_CA_KEY"],
            "curl-auth-user" => &["HTTP_BASIC_AUTH"],
            "curl-auth-header" => &["HTTP_BASIC_AUTH", "BEARER_TOKEN"],
            "databricks-api-token" => &["DATABRICKS_TOKEN"],
            "discord-client-id" | "discord-client-secret" => &["DISCORD_BOT_TOKEN"],
            "facebook-access-token" | "facebook-page-access-token" => &["FACEBOOK_ACCESS_TOKEN"],
            "facebook-secret" => &["FACEBOOK_APP_SECRET"],
            "flyio-access-token" => &["FLYIO_ACCESS_TOKEN"],
            "gcp-api-key" => &["GOOGLE_API_KEY"],
            "generic-api-key" => &["GENERIC_HIGH_ENTROPY", "PASSWORD_ASSIGNMENT"],
            "github-app-token"
            | "github-fine-grained-pat"
            | "github-oauth"
            | "github-pat"
            | "github-refresh-token" => &["GITHUB_TOKEN"],
            "gitlab-pat"
            | "gitlab-pat-routable"
            | "gitlab-ptt"
            | "gitlab-rrt"
            | "gitlab-runner-authentication-token-routable" => &["GITLAB_TOKEN"],
            "grafana-cloud-api-token" | "grafana-service-account-token" => &["GRAFANA_TOKEN"],
            "hashicorp-tf-api-token" => &["TERRAFORM_CLOUD_TOKEN"],
            "heroku-api-key" | "heroku-api-key-v2" => &["HEROKU_API_KEY"],
            "hubspot-api-key" => &["HUBSPOT_API_KEY"],
            "huggingface-access-token" | "huggingface-organization-api-token" => {
                &["HUGGINGFACE_TOKEN"]
            }
            "infracost-api-token" => &["INFRACOST_API_KEY"],
            "intra42-client-secret" => &["INTRA42_CLIENT_SECRET"],
            "jwt" | "jwt-base64" => &["JWT"],
            "mailchimp-api-key" => &["MAILCHIMP_API_KEY"],
            "maxmind-license-key" => &["MAXMIND_LICENSE_KEY"],
            "messagebird-client-id" => &["MESSAGEBIRD_API_KEY"],
            "notion-api-token" => &["NOTION_API_TOKEN"],
            "octopus-deploy-api-key" => &["OCTOPUS_DEPLOY_API_KEY"],
            "okta-access-token" => &["OKTA_API_TOKEN"],
            "openshift-user-token" => &["OPENSHIFT_TOKEN"],
            "perplexity-api-key" => &["PERPLEXITY_API_KEY"],
            "prefect-api-token" => &["PREFECT_API_KEY"],
            "private-key" => &["PRIVATE_KEY"],
            "pulumi-api-token" => &["PULUMI_ACCESS_TOKEN"],
            "readme-api-token" => &["README_API_KEY"],
            "scalingo-api-token" => &["SCALINGO_API_TOKEN"],
            "sentry-org-token" => &["SENTRY_TOKEN"],
            "sidekiq-secret" => &["SIDEKIQ_SECRET"],
            "sidekiq-sensitive-url" => &["CONNECTION_STRING"],
            "slack-webhook-url" => &["SLACK_WEBHOOK_URL"],
            "slack-app-token"
            | "slack-bot-token"
            | "slack-config-access-token"
            | "slack-config-refresh-token"
            | "slack-legacy-bot-token"
            | "slack-legacy-token"
            | "slack-legacy-workspace-token"
            | "slack-user-token" => &["SLACK_TOKEN"],
            "snyk-api-token" => &["SNYK_TOKEN"],
            "sonar-api-token" => &["SONARQUBE_TOKEN"],
            "sourcegraph-access-token" => &["SOURCEGRAPH_TOKEN"],
            "square-access-token" => &["SQUARE_ACCESS_TOKEN"],
            "square-secret" => &["SQUARE_OAUTH_SECRET"],
            "stripe-access-token" => &["STRIPE_KEY"],
            "sumologic-access-id" => &["SUMOLOGIC_ACCESS_ID"],
            "sumologic-access-token" => &["SUMOLOGIC_ACCESS_KEY"],
            "vault-batch-token" | "vault-service-token" => &["VAULT_TOKEN"],
            // Providers without a Warden subtype (and GCP service-account files, whose key is
            // reported as PRIVATE_KEY, not the `"type": "service_account"` line).
            "beamer-api-token"
            | "cisco-meraki-api-key"
            | "cohere-api-token"
            | "easypost-api-token"
            | "easypost-test-api-token"
            | "etsy-access-token"
            | "privateai-api-token"
            | "gcp-service-account" => &[],
            _ => return None,
        },
    };
    Some(kinds)
}

/// What the scan of one row amounts to.
#[derive(Clone, Debug, Default)]
pub(crate) struct Verdict {
    /// Subtypes of the `SECRET` findings that count for this row (see the module docs).
    pub(crate) subtypes: Vec<&'static str>,
    /// Positive rows: found. Negative rows: a counted false positive.
    pub(crate) flagged: bool,
    /// Positive rows: found with a subtype of the row's plugin or rule.
    pub(crate) typed: bool,
    /// Negative gitleaks rows: flagged, but only as another kind of secret.
    pub(crate) other_kind: bool,
}

fn overlaps(text: &str, secret: &str, finding: &Finding) -> bool {
    // Every occurrence of the secret counts: labelled lines sometimes repeat it.
    text.match_indices(secret)
        .any(|(start, s)| finding.byte_start < start + s.len() && start < finding.byte_end)
}

/// Judges the findings of a scan of `row.text`.
pub(crate) fn judge(row: &Row, findings: &[Finding]) -> Verdict {
    let secrets: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.entity_type == EntityType::Secret)
        .collect();
    let kinds = kinds(row.source, &row.group);
    // A rule not listed at all is judged strictly: any secret counts as its kind.
    let of_kind = |f: &Finding| match (kinds, f.subtype) {
        (Some(kinds), Some(subtype)) => kinds.contains(&subtype),
        (None, _) => true,
        _ => false,
    };
    let mut verdict = Verdict::default();
    if row.positive {
        let relevant: Vec<&Finding> = match &row.secret {
            Some(secret) => secrets
                .iter()
                .copied()
                .filter(|f| overlaps(&row.text, secret, f))
                .collect(),
            None => secrets,
        };
        verdict.flagged = !relevant.is_empty();
        verdict.typed = relevant.iter().any(|f| of_kind(f) && kinds.is_some());
        verdict.subtypes = relevant.iter().filter_map(|f| f.subtype).collect();
        return verdict;
    }
    verdict.subtypes = secrets.iter().filter_map(|f| f.subtype).collect();
    match row.source {
        Source::DetectSecrets => verdict.flagged = !secrets.is_empty(),
        Source::Gitleaks => {
            verdict.flagged = secrets.iter().any(|f| of_kind(f));
            verdict.other_kind = !verdict.flagged && !secrets.is_empty();
        }
    }
    verdict
}

/// Counts for one file or one group.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Tally {
    pub(crate) positives: usize,
    pub(crate) found: usize,
    pub(crate) found_typed: usize,
    pub(crate) negatives: usize,
    pub(crate) false_positives: usize,
    pub(crate) other_kind: usize,
}

impl Tally {
    pub(crate) fn add(&mut self, row: &Row, verdict: &Verdict) {
        if row.positive {
            self.positives += 1;
            self.found += usize::from(verdict.flagged);
            self.found_typed += usize::from(verdict.typed);
        } else {
            self.negatives += 1;
            self.false_positives += usize::from(verdict.flagged);
            self.other_kind += usize::from(verdict.other_kind);
        }
    }

    pub(crate) fn recall(&self) -> f64 {
        ratio(self.found, self.positives)
    }

    pub(crate) fn typed_recall(&self) -> f64 {
        ratio(self.found_typed, self.positives)
    }

    pub(crate) fn fp_rate(&self) -> f64 {
        ratio(self.false_positives, self.negatives)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}
