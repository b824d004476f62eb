//! Operators: what replaces a finding in the text (SPEC §4), and the way back for reversible ones.
//!
//! | operator | output | needs |
//! |---|---|---|
//! | `redact` | a fixed marker, `[REDACTED]` by default, or nothing | — |
//! | `replace` | `<ENTITY_TYPE>` | — |
//! | `mask` | letters and digits masked, separators and the last few kept: `****-****-****-1111` | — |
//! | `hash` | keyed HMAC-SHA256 of the normalised value, hex prefix | [`Keys`] |
//! | `encrypt` | AES-256-GCM (or deterministic AES-256-GCM-SIV) base64url token; see [`decrypt`] | [`Keys`], and a [`NonceSource`] unless deterministic |
//! | `pseudonymize` | `<PERSON_1>` or a realistic fake, restorable with the [`PseudonymTable`] | a [`PseudonymTable`], and [`Keys`] for fakes |
//!
//! [`apply`] rewrites a text given its findings and a [`Rewriter`]; an [`Operator`] (parsed from
//! configuration) becomes a rewriter with [`Operator::rewriter`] once it has what it needs. Every
//! rewrite is per finding and depends only on the finding, its value and (for pseudonyms) the table,
//! so the stream scanner can call the same rewriter as findings become final.
//!
//! The engine stays pure: keys are passed in, random nonces come from the caller's [`NonceSource`],
//! and fakes are derived from the key and the value, never from a random generator.
//!
//! ```
//! use warden_scan::{Operator, PseudonymTable, Resources, Scanner, apply};
//! let text = "write to jane.doe@example.com";
//! let findings = Scanner::default().scan(text);
//! let mut table = PseudonymTable::default();
//! table.reserve(text);
//! let operator: Operator = "pseudonymize".parse()?;
//! let mut rewriter = operator.rewriter(Resources { table: Some(&mut table), ..Resources::default() })?;
//! assert_eq!(apply(text, &findings, &mut rewriter), "write to <EMAIL_ADDRESS_1>");
//! drop(rewriter);
//! let answer = "I wrote to < email_address_1 >.";
//! assert_eq!(table.restore(answer), "I wrote to jane.doe@example.com.");
//! # Ok::<(), warden_scan::Error>(())
//! ```

mod date;
mod encrypt;
mod fake;
mod hash;
mod key;
mod mask;
mod normalize;
mod parse;
mod pseudonym;
mod restore;
mod stream;

use std::fmt;

use crate::error::Error;
use crate::finding::Finding;

pub use encrypt::{EncryptMode, decrypt, encrypt, encrypt_deterministic};
pub use hash::{DEFAULT_HASH_LENGTH, MAX_HASH_LENGTH, MIN_HASH_LENGTH, hash};
pub use key::{Keys, NonceSource, OPERATOR_KEY_LEN, OperatorKey};
pub use mask::{DEFAULT_KEEP_LAST, DEFAULT_MASK_CHAR, mask};
pub use pseudonym::{PseudonymStyle, PseudonymTable};
pub use stream::StreamRestorer;

/// The marker `redact` writes by default.
pub const DEFAULT_MARKER: &str = "[REDACTED]";

/// Rewrites one finding's value. Called once per finding, in text order.
pub trait Rewriter {
    /// The text that replaces `value`, the text of `finding`.
    fn rewrite(&mut self, finding: &Finding, value: &str) -> String;
}

impl<F: FnMut(&Finding, &str) -> String> Rewriter for F {
    fn rewrite(&mut self, finding: &Finding, value: &str) -> String {
        self(finding, value)
    }
}

/// `text` with every finding replaced by what `rewriter` makes of it.
///
/// `findings` are expected as the scanner returns them: sorted, not overlapping, with byte spans on
/// character boundaries of `text`. Other input is handled without panicking and fails closed: spans
/// are clipped to the text and widened to character boundaries, unsorted findings are sorted, and a
/// finding overlapping the previous one has its remaining part rewritten, so no byte of any finding is
/// ever left as it was.
pub fn apply(text: &str, findings: &[Finding], rewriter: &mut dyn Rewriter) -> String {
    let span = |f: &Finding| (f.byte_start, f.byte_end);
    let mut ordered: Vec<&Finding> = findings.iter().collect();
    if !findings.windows(2).all(|w| span(&w[0]) <= span(&w[1])) {
        ordered.sort_by_key(|f| span(f));
    }
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for finding in ordered {
        // An empty or reversed span covers nothing (widening it below would invent a character).
        if finding.byte_end <= finding.byte_start {
            continue;
        }
        let mut start = finding.byte_start.min(text.len());
        let mut end = finding.byte_end.min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let start = start.max(cursor);
        if end <= start {
            continue;
        }
        out.push_str(text.get(cursor..start).unwrap_or(""));
        out.push_str(&rewriter.rewrite(finding, text.get(start..end).unwrap_or("")));
        cursor = end;
    }
    out.push_str(text.get(cursor..).unwrap_or(""));
    out
}

/// An operator with its options, as configured (`"mask"`, `{ operator = "hash", length = 32 }`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operator {
    /// Replace with `marker` (default [`DEFAULT_MARKER`]; may be empty to delete the value).
    Redact {
        /// The text written instead of the value.
        marker: String,
    },
    /// Replace with `<ENTITY_TYPE>`.
    Replace,
    /// Mask letters and digits (see [`mask`]).
    Mask {
        /// The character written instead of a letter or digit.
        mask_char: char,
        /// How many trailing letters and digits stay visible (at most half of them).
        keep_last: usize,
    },
    /// Keyed hash (see [`hash`]).
    Hash {
        /// Hex characters kept, [`MIN_HASH_LENGTH`]`..=`[`MAX_HASH_LENGTH`].
        length: usize,
    },
    /// Authenticated encryption into a token (see [`encrypt`]).
    Encrypt {
        /// Randomised (default) or deterministic.
        mode: EncryptMode,
    },
    /// A placeholder or fake from the conversation's [`PseudonymTable`].
    Pseudonymize {
        /// Placeholder (default) or fake.
        style: PseudonymStyle,
    },
}

impl Default for Operator {
    /// `redact` with `[REDACTED]`, the safe choice.
    fn default() -> Operator {
        Operator::Redact {
            marker: DEFAULT_MARKER.to_owned(),
        }
    }
}

/// What the keyed and stateful operators need. Give an operator what it uses; [`Operator::check`]
/// says what is missing.
#[derive(Default)]
pub struct Resources<'a> {
    /// Keys for `hash`, `encrypt` and fakes.
    pub keys: Option<&'a Keys>,
    /// The conversation's table, for `pseudonymize`.
    pub table: Option<&'a mut PseudonymTable>,
    /// Fresh random nonces, for randomised `encrypt`.
    pub nonces: Option<&'a mut dyn NonceSource>,
}

impl fmt::Debug for Resources<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resources")
            .field("keys", &self.keys.map(|_| "[redacted]"))
            .field("table", &self.table.as_ref().map(|t| t.len()))
            .field("nonces", &self.nonces.as_ref().map(|_| "…"))
            .finish()
    }
}

impl Operator {
    /// The operator's name in configuration.
    pub fn name(&self) -> &'static str {
        match self {
            Operator::Redact { .. } => "redact",
            Operator::Replace => "replace",
            Operator::Mask { .. } => "mask",
            Operator::Hash { .. } => "hash",
            Operator::Encrypt { .. } => "encrypt",
            Operator::Pseudonymize { .. } => "pseudonymize",
        }
    }

    /// Whether the operator's output can be turned back into the value (with the key or the table).
    pub fn is_reversible(&self) -> bool {
        matches!(
            self,
            Operator::Encrypt { .. } | Operator::Pseudonymize { .. }
        )
    }

    /// Fails with [`Error::OperatorNeeds`] if `resources` lacks something this operator uses.
    pub fn check(&self, resources: &Resources<'_>) -> Result<(), Error> {
        let needs = |needs: &'static str| Error::OperatorNeeds {
            operator: self.name(),
            needs,
        };
        let needs_keys = matches!(
            self,
            Operator::Hash { .. }
                | Operator::Encrypt { .. }
                | Operator::Pseudonymize {
                    style: PseudonymStyle::Fake
                }
        );
        if needs_keys && resources.keys.is_none() {
            return Err(needs("keys"));
        }
        if matches!(self, Operator::Pseudonymize { .. }) && resources.table.is_none() {
            return Err(needs("a pseudonym table"));
        }
        let randomized = Operator::Encrypt {
            mode: EncryptMode::Randomized,
        };
        if *self == randomized && resources.nonces.is_none() {
            return Err(needs("a nonce source"));
        }
        Ok(())
    }

    /// The replacement for one finding's `value`.
    ///
    /// Fails only if `resources` lacks what the operator needs (see [`Operator::check`]) or the
    /// cipher fails ([`Error::Encrypt`]).
    pub fn rewrite(
        &self,
        finding: &Finding,
        value: &str,
        resources: &mut Resources<'_>,
    ) -> Result<String, Error> {
        let entity = &finding.entity_type;
        let needs = |needs: &'static str| Error::OperatorNeeds {
            operator: self.name(),
            needs,
        };
        let keys = resources.keys;
        let keys = || keys.ok_or_else(|| needs("keys"));
        match self {
            Operator::Redact { marker } => Ok(marker.clone()),
            Operator::Replace => Ok(format!("<{}>", finding.label())),
            Operator::Mask {
                mask_char,
                keep_last,
            } => Ok(mask(value, *mask_char, *keep_last)),
            Operator::Hash { length } => Ok(hash(keys()?, entity, value, *length)),
            Operator::Encrypt {
                mode: EncryptMode::Deterministic,
            } => encrypt_deterministic(keys()?, entity, value),
            Operator::Encrypt {
                mode: EncryptMode::Randomized,
            } => {
                let keys = keys()?;
                let nonces = resources
                    .nonces
                    .as_deref_mut()
                    .ok_or_else(|| needs("a nonce source"))?;
                encrypt(keys, entity, value, nonces)
            }
            Operator::Pseudonymize { style } => {
                let table = resources
                    .table
                    .as_deref_mut()
                    .ok_or_else(|| needs("a pseudonym table"))?;
                Ok(match style {
                    PseudonymStyle::Placeholder => table.placeholder(entity, value),
                    PseudonymStyle::Fake => table.fake(keys()?, entity, value),
                })
            }
        }
    }

    /// This operator as a [`Rewriter`], after checking `resources` holds what it needs.
    pub fn rewriter<'a>(&'a self, resources: Resources<'a>) -> Result<OperatorRewriter<'a>, Error> {
        self.check(&resources)?;
        Ok(OperatorRewriter {
            operator: self,
            resources,
        })
    }
}

/// An [`Operator`] with the resources it needs: a [`Rewriter`].
#[derive(Debug)]
pub struct OperatorRewriter<'a> {
    operator: &'a Operator,
    resources: Resources<'a>,
}

impl Rewriter for OperatorRewriter<'_> {
    fn rewrite(&mut self, finding: &Finding, value: &str) -> String {
        match self.operator.rewrite(finding, value, &mut self.resources) {
            Ok(text) => text,
            // `rewriter` checked every resource, so only a failing cipher gets here: fail closed,
            // never let the value through.
            Err(_) => DEFAULT_MARKER.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;
    use crate::entity::EntityType;
    use crate::operator::normalize::comparison_key;
    use crate::scanner::Scanner;

    fn keys() -> Keys {
        Keys::derive(&OperatorKey::from_bytes([0x42; 32]).unwrap()).unwrap()
    }

    fn counter() -> impl FnMut() -> Option<[u8; 12]> {
        let mut n: u32 = 0;
        move || {
            n += 1;
            let mut nonce = [0u8; 12];
            nonce[8..].copy_from_slice(&n.to_be_bytes());
            Some(nonce)
        }
    }

    /// Findings over the given substrings of `text` (first occurrence after the previous one).
    fn findings(text: &str, spans: &[(EntityType, &str)]) -> Vec<Finding> {
        let mut from = 0;
        spans
            .iter()
            .map(|(entity, needle)| {
                let start = from + text[from..].find(needle).unwrap();
                from = start + needle.len();
                Finding::from_bytes(text, entity.clone(), start, from, 1.0)
            })
            .collect()
    }

    fn check(operator: &str, text: &str, spans: &[(EntityType, &str)], expect: &str) {
        let operator: Operator = operator.parse().unwrap();
        let mut rewriter = operator.rewriter(Resources::default()).unwrap();
        let found = findings(text, spans);
        assert_eq!(apply(text, &found, &mut rewriter), expect, "{operator:?}");
    }

    #[test]
    fn keyless_operators() {
        use EntityType as E;
        let text = "Card 4111-1111-1111-1111 of Zoë Ångström, ssn 078-05-1121.";
        let spans = [
            (E::CreditCard, "4111-1111-1111-1111"),
            (E::Person, "Zoë Ångström"),
            (E::UsSsn, "078-05-1121"),
        ];
        let cases = [
            ("redact", "Card [REDACTED] of [REDACTED], ssn [REDACTED]."),
            ("redact:marker=", "Card  of , ssn ."),
            ("redact:marker=█", "Card █ of █, ssn █."),
            ("replace", "Card <CREDIT_CARD> of <PERSON>, ssn <US_SSN>."),
            (
                "mask",
                "Card ****-****-****-1111 of *** ****tröm, ssn ***-**-1121.",
            ),
            (
                "mask:keep_last=0,char=X",
                "Card XXXX-XXXX-XXXX-XXXX of XXX XXXXXXXX, ssn XXX-XX-XXXX.",
            ),
            (
                "mask:keep_last=2,char=#",
                "Card ####-####-####-##11 of ### ######öm, ssn ###-##-##21.",
            ),
        ];
        for (operator, expect) in cases {
            check(operator, text, &spans, expect);
        }
        check("redact", "", &[], "");
        check("replace", "no findings", &[], "no findings");
    }

    #[test]
    fn hash_and_encrypt_through_apply() {
        let k = keys();
        let text = "mail jane@corp.example and JANE@corp.example";
        let found = findings(
            text,
            &[
                (EntityType::EmailAddress, "jane@corp.example"),
                (EntityType::EmailAddress, "JANE@corp.example"),
            ],
        );

        let hash_op: Operator = "hash:length=20".parse().unwrap();
        let mut rewriter = hash_op
            .rewriter(Resources {
                keys: Some(&k),
                ..Resources::default()
            })
            .unwrap();
        let out = apply(text, &found, &mut rewriter);
        let words: Vec<&str> = out.split(' ').collect();
        assert_eq!(words[1].len(), 20);
        assert_eq!(words[1], words[3], "same e-mail, any case: same hash");

        for mode in ["randomized", "deterministic"] {
            let op: Operator = format!("encrypt:mode={mode}").parse().unwrap();
            let mut nonces = counter();
            let mut rewriter = op
                .rewriter(Resources {
                    keys: Some(&k),
                    nonces: Some(&mut nonces),
                    ..Resources::default()
                })
                .unwrap();
            let out = apply(text, &found, &mut rewriter);
            let words: Vec<&str> = out.split(' ').collect();
            assert_eq!(
                decrypt(&k, &EntityType::EmailAddress, words[1]).unwrap(),
                "jane@corp.example"
            );
            assert_eq!(
                decrypt(&k, &EntityType::EmailAddress, words[3]).unwrap(),
                "JANE@corp.example"
            );
            assert!(decrypt(&k, &EntityType::Person, words[1]).is_err());
        }
        // Deterministic: the same exact value, the same token.
        let op: Operator = "encrypt:mode=deterministic".parse().unwrap();
        let text = "a b a";
        let found = findings(
            text,
            &[
                (EntityType::Person, "a"),
                (EntityType::Person, "b"),
                (EntityType::Person, "a"),
            ],
        );
        let mut rewriter = op
            .rewriter(Resources {
                keys: Some(&k),
                ..Resources::default()
            })
            .unwrap();
        let out = apply(text, &found, &mut rewriter);
        let words: Vec<&str> = out.split(' ').collect();
        assert_eq!(words[0], words[2]);
        assert_ne!(words[0], words[1]);
    }

    #[test]
    fn operators_say_what_they_need() {
        let k = keys();
        let mut table = PseudonymTable::default();
        let cases: [(&str, &str); 5] = [
            ("hash", "operator `hash` needs keys"),
            ("encrypt", "operator `encrypt` needs keys"),
            (
                "encrypt:mode=deterministic",
                "operator `encrypt` needs keys",
            ),
            (
                "pseudonymize",
                "operator `pseudonymize` needs a pseudonym table",
            ),
            (
                "pseudonymize:style=fake",
                "operator `pseudonymize` needs keys",
            ),
        ];
        for (operator, message) in cases {
            let operator: Operator = operator.parse().unwrap();
            let error = operator.rewriter(Resources::default()).unwrap_err();
            assert_eq!(error.to_string(), message);
        }
        let encrypt: Operator = "encrypt".parse().unwrap();
        let error = encrypt
            .rewriter(Resources {
                keys: Some(&k),
                ..Resources::default()
            })
            .unwrap_err();
        assert_eq!(error.to_string(), "operator `encrypt` needs a nonce source");
        let fake: Operator = "pseudonymize:style=fake".parse().unwrap();
        let error = fake
            .rewriter(Resources {
                table: Some(&mut table),
                ..Resources::default()
            })
            .unwrap_err();
        assert_eq!(error.to_string(), "operator `pseudonymize` needs keys");
        // Direct use without a check reports the same, and the checked rewriter never sees it.
        let finding = Finding::from_bytes("x", EntityType::Person, 0, 1, 1.0);
        assert!(matches!(
            Operator::Hash { length: 16 }.rewrite(&finding, "x", &mut Resources::default()),
            Err(Error::OperatorNeeds { .. })
        ));
        assert!(!Operator::Replace.is_reversible());
        assert!(
            Operator::Encrypt {
                mode: EncryptMode::Randomized
            }
            .is_reversible()
        );
    }

    #[test]
    fn rewriter_fails_closed_when_encryption_fails() {
        let k = keys();
        let mut failing = || None;
        let operator: Operator = "encrypt".parse().unwrap();
        let mut rewriter = operator
            .rewriter(Resources {
                keys: Some(&k),
                nonces: Some(&mut failing),
                ..Resources::default()
            })
            .unwrap();
        let text = "call Jane now";
        let found = findings(text, &[(EntityType::Person, "Jane")]);
        assert_eq!(apply(text, &found, &mut rewriter), "call [REDACTED] now");
    }

    #[test]
    fn apply_fails_closed_on_bad_findings() {
        let text = "abc é def";
        let mut marker = |_: &Finding, value: &str| format!("[{value}]");
        let mk = |start, end| Finding {
            byte_start: start,
            byte_end: end,
            ..Finding::from_bytes(text, EntityType::Person, 0, 0, 1.0)
        };
        // Unsorted and overlapping: every byte of every finding is rewritten exactly once.
        let out = apply(text, &[mk(7, 10), mk(0, 3), mk(1, 5)], &mut marker);
        assert_eq!(out, "[abc][ é] [def]");
        // Inside a multi-byte character: widened to the whole character.
        assert_eq!(apply(text, &[mk(5, 5 + 1)], &mut marker), "abc [é] def");
        // Past the end: clipped.
        assert_eq!(apply(text, &[mk(8, 100)], &mut marker), "abc é d[ef]");
        assert_eq!(apply(text, &[mk(100, 200)], &mut marker), text);
        // Empty and reversed spans are nothing to rewrite.
        assert_eq!(apply(text, &[mk(2, 2), mk(5, 1)], &mut marker), text);
        // Nested inside the previous finding.
        assert_eq!(
            apply(text, &[mk(0, 6), mk(2, 3)], &mut marker),
            "[abc é] def"
        );
    }

    #[test]
    fn scan_pseudonymize_restore_end_to_end() {
        let scanner = Scanner::default();
        let k = keys();
        let text = "Write to jane.doe@example.com or call +1 415 555 2671; card 4111 1111 1111 1111. \
                    Again: JANE.DOE@EXAMPLE.COM.";
        let found = scanner.scan(text);
        assert!(found.len() >= 2, "{found:?}");
        for style in ["placeholder", "fake"] {
            let operator: Operator = format!("pseudonymize:style={style}").parse().unwrap();
            let mut table = PseudonymTable::default();
            table.reserve(text);
            let out = {
                let mut rewriter = operator
                    .rewriter(Resources {
                        keys: Some(&k),
                        table: Some(&mut table),
                        ..Resources::default()
                    })
                    .unwrap();
                apply(text, &found, &mut rewriter)
            };
            for finding in &found {
                assert!(!out.contains(finding.value(text)), "{style}: {out}");
            }
            if style == "placeholder" {
                assert!(
                    out.contains("<EMAIL_ADDRESS_1>") && !out.contains("EMAIL_ADDRESS_2"),
                    "{out}"
                );
            }
            // The model answers in its own words, case and spacing.
            let answer = out.replace("<EMAIL_ADDRESS_1>", "< email address 1 >");
            let restored = table.restore(&answer);
            assert_eq!(
                restored,
                text.replace("JANE.DOE@EXAMPLE.COM", "jane.doe@example.com"),
                "{style}: {out}"
            );
        }
    }

    /// A text made of plain pieces and values, with findings over the values.
    #[derive(Clone, Debug)]
    struct Sample {
        text: String,
        findings: Vec<Finding>,
    }

    fn sample(
        plain: impl Strategy<Value = String> + Clone,
        values: Vec<(EntityType, Vec<&'static str>)>,
    ) -> impl Strategy<Value = Sample> {
        let value = (0..values.len(), 0usize..8).prop_map(move |(t, v)| {
            let (entity, pool) = &values[t];
            (entity.clone(), pool[v % pool.len()])
        });
        prop::collection::vec((plain, value), 0..10).prop_map(|parts| {
            let mut text = String::new();
            let mut spans = Vec::new();
            for (plain, (entity, value)) in parts {
                text.push_str(&plain);
                spans.push((entity, text.len(), text.len() + value.len()));
                text.push_str(value);
            }
            let findings = spans
                .into_iter()
                .map(|(entity, start, end)| Finding::from_bytes(&text, entity, start, end, 1.0))
                .collect();
            Sample { text, findings }
        })
    }

    /// What restore must give back: each value as first seen in its class.
    fn expected_restore(sample: &Sample) -> String {
        let mut first_seen: HashMap<(EntityType, String), &str> = HashMap::new();
        let mut rewrite = |finding: &Finding, value: &str| -> String {
            let key = (
                finding.entity_type.clone(),
                comparison_key(&finding.entity_type, value),
            );
            (*first_seen.entry(key).or_insert(finding.value(&sample.text))).to_owned()
        };
        apply(&sample.text, &sample.findings, &mut rewrite)
    }

    fn pools() -> Vec<(EntityType, Vec<&'static str>)> {
        vec![
            (
                EntityType::Person,
                vec!["Jane Doe", "jane  doe", "John", "JOHN", "Bob", "Mary Smith"],
            ),
            (
                EntityType::EmailAddress,
                vec!["jane@corp.example", "Jane@Corp.Example", "bob@x.example"],
            ),
            (
                EntityType::CreditCard,
                vec![
                    "4111 1111 1111 1111",
                    "4111-1111-1111-1111",
                    "5500 0000 0000 0004",
                ],
            ),
            (EntityType::UsSsn, vec!["078-05-1121", "219-09-9998"]),
            (
                EntityType::PhoneNumber,
                vec!["+44 20 7946 0958", "(415) 555-2671"],
            ),
            (
                EntityType::Custom("CODE".into()),
                vec!["AB-12", "ab-12", "7"],
            ),
        ]
    }

    fn pseudonymize(sample: &Sample, style: &str, table: &mut PseudonymTable) -> String {
        let k = keys();
        let operator: Operator = format!("pseudonymize:style={style}").parse().unwrap();
        table.reserve(&sample.text);
        let mut rewriter = operator
            .rewriter(Resources {
                keys: Some(&k),
                table: Some(table),
                ..Resources::default()
            })
            .unwrap();
        apply(&sample.text, &sample.findings, &mut rewriter)
    }

    proptest! {
        #[test]
        fn restore_undoes_placeholders_for_any_text(sample in sample(
            prop_oneof![
                "\\PC{0,10}",
                Just("<PERSON_1>".to_owned()),
                Just("PERSON_2".to_owned()),
                Just("[email address 1]".to_owned()),
                Just("<PERSON_".to_owned()),
                Just("_1>".to_owned()),
                Just("CODE_1".to_owned()),
            ],
            pools(),
        )) {
            let mut table = PseudonymTable::default();
            let out = pseudonymize(&sample, "placeholder", &mut table);
            prop_assert_eq!(table.restore(&out), expected_restore(&sample));
            // And through a serialised copy of the table.
            let copy: PseudonymTable = serde_json::from_str(&serde_json::to_string(&table).unwrap()).unwrap();
            prop_assert_eq!(copy.restore(&out), expected_restore(&sample));
        }

        #[test]
        fn restore_undoes_placeholders_for_arbitrary_findings(
            text in "(\\PC|<PERSON_[12]>|CODE_1|\\[person 2\\]|_|<|>){0,40}",
            cuts in prop::collection::vec((0usize..60, 0usize..3), 0..12),
        ) {
            // Arbitrary disjoint spans on character boundaries, of a few types.
            let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let mut points: Vec<(usize, usize)> =
                cuts.iter().map(|&(c, t)| (boundaries[c % boundaries.len()], t)).collect();
            points.sort_unstable();
            points.dedup_by_key(|p| p.0);
            let types = [EntityType::Person, EntityType::Custom("CODE".into()), EntityType::Secret];
            let findings: Vec<Finding> = points
                .chunks_exact(2)
                .map(|pair| Finding::from_bytes(&text, types[pair[0].1].clone(), pair[0].0, pair[1].0, 1.0))
                .collect();
            let sample = Sample { text, findings };
            let mut table = PseudonymTable::default();
            let out = pseudonymize(&sample, "placeholder", &mut table);
            prop_assert_eq!(table.restore(&out), expected_restore(&sample));
        }

        #[test]
        fn restore_undoes_fakes(sample in sample("[|~¶§\n]{1,4}", pools())) {
            let mut table = PseudonymTable::default();
            let out = pseudonymize(&sample, "fake", &mut table);
            for finding in &sample.findings {
                let value = finding.value(&sample.text);
                // Short values ("7") may well occur inside other fakes by chance.
                if value.len() < 5 {
                    continue;
                }
                prop_assert!(!out.to_lowercase().contains(&value.to_lowercase()), "{} in {}", value, out);
            }
            prop_assert_eq!(table.restore(&out), expected_restore(&sample));
        }

        #[test]
        fn apply_covers_every_finding_byte(
            text in "\\PC{0,30}",
            spans in prop::collection::vec((0usize..40, 0usize..40), 0..6),
        ) {
            let findings: Vec<Finding> = spans
                .iter()
                .map(|&(start, end)| Finding {
                    byte_start: start,
                    byte_end: end,
                    ..Finding::from_bytes(&text, EntityType::Person, 0, 0, 1.0)
                })
                .collect();
            let mut delete = |_: &Finding, _: &str| String::new();
            let out = apply(&text, &findings, &mut delete);
            // Reference: drop every character that any (widened, clipped) span touches.
            let kept: String = text
                .char_indices()
                .filter(|&(i, c)| {
                    !spans.iter().any(|&(s, e)| s < e && i < e && i + c.len_utf8() > s)
                })
                .map(|(_, c)| c)
                .collect();
            prop_assert_eq!(out, kept);
        }

        #[test]
        fn operators_never_panic_and_round_trip(
            entity in prop::sample::select(EntityType::BUILTIN.to_vec()),
            value in "\\PC{0,40}",
        ) {
            let k = keys();
            let finding = Finding::from_bytes(&value, entity.clone(), 0, value.len(), 1.0);
            let mut nonces = counter();
            let mut table = PseudonymTable::default();
            let mut resources = Resources { keys: Some(&k), table: Some(&mut table), nonces: Some(&mut nonces) };
            for name in ["redact", "replace", "mask", "hash", "encrypt", "encrypt:mode=deterministic"] {
                let operator: Operator = name.parse().unwrap();
                let out = operator.rewrite(&finding, &value, &mut resources).unwrap();
                if name.starts_with("encrypt") {
                    prop_assert_eq!(decrypt(&k, &entity, &out).unwrap(), value.clone());
                }
            }
            let mut table = PseudonymTable::default();
            let fake = table.fake(&k, &entity, &value);
            prop_assert_ne!(fake.to_lowercase(), value.to_lowercase());
            prop_assert_eq!(table.restore(&fake), value.clone());
            let mut table = PseudonymTable::default();
            let placeholder = table.placeholder(&entity, &value);
            prop_assert_eq!(table.restore(&placeholder), value);
        }

        #[test]
        fn fakes_keep_format_and_checksums(
            digits in prop::collection::vec(0u8..10, 20),
            separator in prop::sample::select(vec!["", " ", "-"]),
            key_byte in 1u8..=255,
        ) {
            let k = Keys::derive(&OperatorKey::from_bytes([key_byte; 32]).unwrap()).unwrap();
            let mut table = PseudonymTable::default();
            let text = |d: &[u8]| d.iter().map(|x| char::from(b'0' + x)).collect::<String>();

            // A Luhn-valid 16-digit card in groups of four.
            let mut card = digits[..15].to_vec();
            card[0] = 4;
            card.push(crate::operator::fake::luhn_check_digit(&card));
            let card = card.chunks(4).map(text).collect::<Vec<_>>().join(separator);
            let fake = table.fake(&k, &EntityType::CreditCard, &card);
            prop_assert!(crate::validate::luhn(&fake), "{}", fake);
            prop_assert_eq!(fake.len(), card.len());
            prop_assert_eq!(&fake[..2], &card[..2]);
            prop_assert_eq!(fake.replace(char::is_numeric, "0"), card.replace(char::is_numeric, "0"));

            // A valid German IBAN.
            let bban = text(&digits[..18]);
            let check = 98 - iban_remainder(&format!("{bban}DE00"));
            let iban = format!("DE{check:02}{bban}");
            prop_assume!(crate::validate::iban(&iban));
            let fake = table.fake(&k, &EntityType::IbanCode, &iban);
            prop_assert!(crate::validate::iban(&fake), "{} -> {}", iban, fake);
            prop_assert!(fake.starts_with("DE") && fake.len() == iban.len());

            // A valid SSN.
            let ssn = format!("{}{}{}", text(&digits[..3]), separator, text(&digits[3..5])) + separator + &text(&digits[5..9]);
            if crate::validate::us_ssn(&ssn) {
                let fake = table.fake(&k, &EntityType::UsSsn, &ssn);
                prop_assert!(crate::validate::us_ssn(&fake), "{} -> {}", ssn, fake);
                prop_assert_eq!(fake.replace(char::is_numeric, "0"), ssn.replace(char::is_numeric, "0"));
            }
        }
    }

    fn iban_remainder(rearranged: &str) -> u32 {
        rearranged.chars().fold(0, |r, c| match c.to_digit(10) {
            Some(d) => (r * 10 + d) % 97,
            None => (r * 100 + (u32::from(c) - u32::from('A') + 10)) % 97,
        })
    }
}
