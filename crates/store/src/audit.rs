//! The audit trail (SPEC §7): one event per request and per admin action, in a hash chain.
//!
//! Each event is stored as its canonical JSON (the fields of [`AuditEvent`] in declaration order,
//! maps sorted) with a sequence number and a MAC:
//! `mac[n] = HMAC-SHA256(chain_key, "warden-audit-v1\n" || n || "\n" || mac[n-1] || "\n" || json[n])`,
//! `mac[0]` being 64 zeros. The chain key is derived from the store's pepper, so nobody without the
//! data directory's secret can forge a chain. [`verify`] walks the chain in order and names the
//! first sequence number whose row is missing, out of place, unreadable or does not match its MAC:
//! an altered, deleted, inserted or reordered event breaks the chain at that point.
//!
//! Events hold ids, names, counts, statuses and times. There is no field for payload text, values or
//! keys, so none can be written by mistake.

use std::collections::BTreeMap;

use aws_lc_rs::hmac;
use serde::{Deserialize, Serialize};

/// The event format version written by this build.
pub const AUDIT_FORMAT_VERSION: u32 = 1;
/// The MAC before the first event.
pub const GENESIS_MAC: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// The label the chain key is derived with.
pub(crate) const CHAIN_KEY_LABEL: &str = "warden/audit-chain/v1";

/// One audited event.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditEvent {
    /// Format version ([`AUDIT_FORMAT_VERSION`]).
    pub v: u32,
    /// When it happened, unix milliseconds.
    pub time_ms: i64,
    /// The request id (`x-request-id`), or a generated id for admin actions.
    pub request_id: String,
    /// Who: a key id, `jwt:<sub>`, or `cli:<user>`; `None` when not identified.
    pub principal: Option<String>,
    /// The data subject, as a keyed hash; never the raw id.
    pub subject: Option<String>,
    /// What: `chat`, `embed`, `scan`, `models`, `admin.keys.create`, …
    pub action: String,
    /// The HTTP route, for requests.
    pub route: Option<String>,
    /// The model asked for.
    pub model: Option<String>,
    /// The upstream that served it.
    pub upstream: Option<String>,
    /// `allowed` or `denied`.
    pub decision: String,
    /// Why it was denied or failed (an error code), or what an admin action did.
    pub reason: Option<String>,
    /// The HTTP status (0 for actions outside HTTP).
    pub status: u16,
    /// Entity types found in the input, with counts.
    pub entities_in: BTreeMap<String, u64>,
    /// Entity types found in the output, with counts.
    pub entities_out: BTreeMap<String, u64>,
    /// Time to the response head, microseconds.
    pub latency_us: u64,
}

impl AuditEvent {
    /// The canonical JSON text the MAC covers.
    pub fn canonical(&self) -> String {
        // Serialising a struct of strings, integers and string-keyed maps cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The MAC of event `seq` with JSON `event`, after `previous`.
pub(crate) fn chain_mac(key: &hmac::Key, seq: i64, previous: &str, event: &str) -> String {
    let mut context = hmac::Context::with_key(key);
    context.update(b"warden-audit-v1\n");
    context.update(seq.to_string().as_bytes());
    context.update(b"\n");
    context.update(previous.as_bytes());
    context.update(b"\n");
    context.update(event.as_bytes());
    hex::encode(context.sign().as_ref())
}

/// The outcome of [`verify`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Events checked (up to the first bad one).
    pub checked: u64,
    /// The last good sequence number.
    pub last_seq: Option<i64>,
    /// The first bad sequence number and why, if any.
    pub first_bad: Option<BadEvent>,
}

/// Where and why the chain breaks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BadEvent {
    /// The sequence number at which the chain breaks.
    pub seq: i64,
    /// What is wrong there.
    pub reason: String,
}

/// Incremental chain checking, fed rows in the order the database returns them by `seq`.
pub(crate) struct Verifier<'k> {
    key: &'k hmac::Key,
    previous_mac: String,
    expected_seq: i64,
    pub(crate) result: Verification,
}

impl<'k> Verifier<'k> {
    pub(crate) fn new(key: &'k hmac::Key) -> Self {
        Verifier {
            key,
            previous_mac: GENESIS_MAC.to_owned(),
            expected_seq: 1,
            result: Verification {
                checked: 0,
                last_seq: None,
                first_bad: None,
            },
        }
    }

    /// Starts the chain after a checkpoint: the next event is `seq + 1`, chained from `mac`.
    pub(crate) fn start_after(&mut self, seq: i64, mac: &str) {
        self.expected_seq = seq.saturating_add(1);
        mac.clone_into(&mut self.previous_mac);
    }

    /// Checks one row; false once the chain is broken (stop feeding).
    pub(crate) fn row(&mut self, seq: i64, event: &str, mac: &str) -> bool {
        let bad = |reason: String| BadEvent {
            seq: self.expected_seq,
            reason,
        };
        let failure = if seq != self.expected_seq {
            if seq > self.expected_seq {
                Some(bad(format!(
                    "event {} is missing (the next stored event is {seq})",
                    self.expected_seq
                )))
            } else {
                Some(bad(format!("event {seq} appears out of order")))
            }
        } else if serde_json::from_str::<AuditEvent>(event).is_err() {
            Some(bad("the event is not a valid audit record".to_owned()))
        } else {
            let expected = chain_mac(self.key, seq, &self.previous_mac, event);
            let equal = aws_lc_rs::constant_time::verify_slices_are_equal(
                expected.as_bytes(),
                mac.as_bytes(),
            )
            .is_ok();
            (!equal).then(|| {
                bad(
                    "the event or its MAC was altered, or an event before it was replaced"
                        .to_owned(),
                )
            })
        };
        if let Some(failure) = failure {
            self.result.first_bad = Some(failure);
            return false;
        }
        self.result.checked += 1;
        self.result.last_seq = Some(seq);
        self.previous_mac = mac.to_owned();
        self.expected_seq += 1;
        true
    }
}
