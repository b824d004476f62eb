//! Reading an [`Operator`] from configuration or a command line.
//!
//! Two forms, both validated the same way:
//! - a string: the name, optionally with options after a colon, `"mask"`, `"mask:keep_last=2,char=#"`,
//!   `"hash:length=32"`, `"encrypt:mode=deterministic"`, `"pseudonymize:style=fake"`,
//!   `"redact:marker="` (empty marker: delete);
//! - a table: `{ operator = "mask", keep_last = 2, char = "#" }`.
//!
//! An option that does not belong to the operator is an error naming it, as is an unknown name.

use std::str::FromStr;

use serde::Deserialize;

use crate::error::Error;
use crate::operator::{
    DEFAULT_HASH_LENGTH, DEFAULT_KEEP_LAST, DEFAULT_MARKER, DEFAULT_MASK_CHAR, EncryptMode,
    MAX_HASH_LENGTH, MIN_HASH_LENGTH, Operator, PseudonymStyle,
};

const NAMES: &str = "redact, replace, mask, hash, encrypt, pseudonymize";

/// The table form, before validation.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOperator {
    operator: String,
    #[serde(default)]
    marker: Option<String>,
    #[serde(default, rename = "char")]
    mask_char: Option<char>,
    #[serde(default)]
    keep_last: Option<usize>,
    #[serde(default)]
    length: Option<usize>,
    #[serde(default)]
    mode: Option<EncryptMode>,
    #[serde(default)]
    style: Option<PseudonymStyle>,
}

impl RawOperator {
    fn validate(self) -> Result<Operator, Error> {
        let invalid = |reason: String| Error::InvalidOperator(reason);
        let name = self.operator.as_str();
        // Which options were given, to refuse those that do not belong to the operator.
        let given = [
            ("marker", self.marker.is_some()),
            ("char", self.mask_char.is_some()),
            ("keep_last", self.keep_last.is_some()),
            ("length", self.length.is_some()),
            ("mode", self.mode.is_some()),
            ("style", self.style.is_some()),
        ];
        let allowed: &[&str] = match name {
            "redact" => &["marker"],
            "replace" => &[],
            "mask" => &["char", "keep_last"],
            "hash" => &["length"],
            "encrypt" => &["mode"],
            "pseudonymize" => &["style"],
            _ => {
                return Err(invalid(format!(
                    "unknown operator `{name}` (known: {NAMES})"
                )));
            }
        };
        if let Some((option, _)) = given.iter().find(|(o, g)| *g && !allowed.contains(o)) {
            return Err(invalid(format!(
                "option `{option}` does not apply to `{name}`"
            )));
        }
        Ok(match name {
            "redact" => Operator::Redact {
                marker: self.marker.unwrap_or_else(|| DEFAULT_MARKER.to_owned()),
            },
            "replace" => Operator::Replace,
            "mask" => {
                let mask_char = self.mask_char.unwrap_or(DEFAULT_MASK_CHAR);
                if mask_char.is_whitespace() || mask_char.is_control() {
                    return Err(invalid(
                        "mask: `char` must be a visible character".to_owned(),
                    ));
                }
                Operator::Mask {
                    mask_char,
                    keep_last: self.keep_last.unwrap_or(DEFAULT_KEEP_LAST),
                }
            }
            "hash" => {
                let length = self.length.unwrap_or(DEFAULT_HASH_LENGTH);
                if !(MIN_HASH_LENGTH..=MAX_HASH_LENGTH).contains(&length) {
                    return Err(invalid(format!(
                        "hash: `length` {length} is outside {MIN_HASH_LENGTH}..={MAX_HASH_LENGTH}"
                    )));
                }
                Operator::Hash { length }
            }
            "encrypt" => Operator::Encrypt {
                mode: self.mode.unwrap_or_default(),
            },
            _ => Operator::Pseudonymize {
                style: self.style.unwrap_or_default(),
            },
        })
    }
}

impl FromStr for Operator {
    type Err = Error;

    fn from_str(text: &str) -> Result<Operator, Error> {
        let invalid = |reason: String| Error::InvalidOperator(reason);
        let (name, options) = match text.split_once(':') {
            Some((name, options)) => (name.trim(), Some(options)),
            None => (text.trim(), None),
        };
        let mut raw = RawOperator {
            operator: name.to_owned(),
            ..RawOperator::default()
        };
        for option in options.into_iter().flat_map(|o| o.split(',')) {
            let Some((key, value)) = option.split_once('=') else {
                return Err(invalid(format!(
                    "{name}: option `{}` needs `=value`",
                    option.trim()
                )));
            };
            let key = key.trim();
            let number = |value: &str| {
                value.trim().parse::<usize>().map_err(|_| {
                    invalid(format!(
                        "{name}: `{key}` must be a number, got `{}`",
                        value.trim()
                    ))
                })
            };
            match key {
                // The marker is taken verbatim: spaces may be intended.
                "marker" => raw.marker = Some(value.to_owned()),
                "char" => {
                    let mut chars = value.chars();
                    match (chars.next(), chars.next()) {
                        (Some(c), None) => raw.mask_char = Some(c),
                        _ => {
                            return Err(invalid(format!("{name}: `char` must be one character")));
                        }
                    }
                }
                "keep_last" => raw.keep_last = Some(number(value)?),
                "length" => raw.length = Some(number(value)?),
                "mode" => {
                    raw.mode = Some(match value.trim() {
                        "randomized" => EncryptMode::Randomized,
                        "deterministic" => EncryptMode::Deterministic,
                        other => {
                            return Err(invalid(format!(
                                "{name}: unknown mode `{other}` (known: randomized, deterministic)"
                            )));
                        }
                    });
                }
                "style" => {
                    raw.style = Some(match value.trim() {
                        "placeholder" => PseudonymStyle::Placeholder,
                        "fake" => PseudonymStyle::Fake,
                        other => {
                            return Err(invalid(format!(
                                "{name}: unknown style `{other}` (known: placeholder, fake)"
                            )));
                        }
                    });
                }
                other => return Err(invalid(format!("{name}: unknown option `{other}`"))),
            }
        }
        raw.validate()
    }
}

impl<'de> Deserialize<'de> for Operator {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Operator, D::Error> {
        struct Visitor;

        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Operator;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(
                    f,
                    "an operator name ({NAMES}) or a table with `operator` and options"
                )
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Operator, E> {
                text.parse().map_err(E::custom)
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Operator, A::Error> {
                let raw =
                    RawOperator::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                raw.validate().map_err(serde::de::Error::custom)
            }
        }

        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_options() {
        let cases: &[(&str, Operator)] = &[
            ("redact", Operator::default()),
            (
                "redact:marker=",
                Operator::Redact {
                    marker: String::new(),
                },
            ),
            (
                "redact:marker=<gone>",
                Operator::Redact {
                    marker: "<gone>".to_owned(),
                },
            ),
            ("replace", Operator::Replace),
            (
                "mask",
                Operator::Mask {
                    mask_char: '*',
                    keep_last: 4,
                },
            ),
            (
                "mask:keep_last=2,char=#",
                Operator::Mask {
                    mask_char: '#',
                    keep_last: 2,
                },
            ),
            ("hash", Operator::Hash { length: 16 }),
            ("hash:length=64", Operator::Hash { length: 64 }),
            (
                "encrypt",
                Operator::Encrypt {
                    mode: EncryptMode::Randomized,
                },
            ),
            (
                "encrypt:mode=deterministic",
                Operator::Encrypt {
                    mode: EncryptMode::Deterministic,
                },
            ),
            (
                "pseudonymize",
                Operator::Pseudonymize {
                    style: PseudonymStyle::Placeholder,
                },
            ),
            (
                "pseudonymize:style=fake",
                Operator::Pseudonymize {
                    style: PseudonymStyle::Fake,
                },
            ),
            (
                " mask ",
                Operator::Mask {
                    mask_char: '*',
                    keep_last: 4,
                },
            ),
        ];
        for (text, expect) in cases {
            assert_eq!(&text.parse::<Operator>().unwrap(), expect, "{text}");
            let json = serde_json::to_string(text).unwrap();
            assert_eq!(
                &serde_json::from_str::<Operator>(&json).unwrap(),
                expect,
                "{json}"
            );
        }
    }

    #[test]
    fn parses_tables() {
        let cases: &[(&str, Operator)] = &[
            (
                r#"{"operator":"mask","char":"X","keep_last":0}"#,
                Operator::Mask {
                    mask_char: 'X',
                    keep_last: 0,
                },
            ),
            (
                r#"{"operator":"hash","length":32}"#,
                Operator::Hash { length: 32 },
            ),
            (
                r#"{"operator":"pseudonymize","style":"fake"}"#,
                Operator::Pseudonymize {
                    style: PseudonymStyle::Fake,
                },
            ),
            (
                r#"{"operator":"encrypt","mode":"deterministic"}"#,
                Operator::Encrypt {
                    mode: EncryptMode::Deterministic,
                },
            ),
            (r#"{"operator":"redact"}"#, Operator::default()),
        ];
        for (json, expect) in cases {
            assert_eq!(
                &serde_json::from_str::<Operator>(json).unwrap(),
                expect,
                "{json}"
            );
        }
    }

    #[test]
    fn errors_name_what_is_wrong() {
        let cases = [
            ("shred", "unknown operator `shred`"),
            ("mask:length=3", "option `length` does not apply to `mask`"),
            ("hash:length=4", "outside 8..=64"),
            ("hash:length=x", "`length` must be a number"),
            ("mask:char=ab", "`char` must be one character"),
            ("mask:char= ", "visible character"),
            ("encrypt:mode=ecb", "unknown mode `ecb`"),
            ("pseudonymize:style=silly", "unknown style `silly`"),
            ("mask:keep_last", "needs `=value`"),
            ("mask:colour=red", "unknown option `colour`"),
        ];
        for (text, message) in cases {
            let error = text.parse::<Operator>().unwrap_err().to_string();
            assert!(error.contains(message), "{text}: {error}");
        }
        for json in [
            r#"{"operator":"mask","length":3}"#,
            r#"{"operator":"mask","colour":"red"}"#,
            r#"{"char":"X"}"#,
            r#"42"#,
        ] {
            assert!(serde_json::from_str::<Operator>(json).is_err(), "{json}");
        }
    }
}
