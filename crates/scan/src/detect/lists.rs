//! Allow-lists (values never reported) and deny-lists (values always reported).

use std::collections::HashSet;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex_automata::meta::Regex;

use crate::config::DenyList;
use crate::detect::custom::compile;
use crate::detect::{Detector, Sink};
use crate::doc::Doc;
use crate::entity::EntityType;
use crate::error::Error;

/// Reports every occurrence of configured values and patterns.
#[derive(Debug)]
pub(crate) struct Deny {
    entities: [EntityType; 1],
    values: Option<AhoCorasick>,
    patterns: Vec<Regex>,
    score: f32,
}

impl Deny {
    pub(crate) fn new(list: &DenyList) -> Result<Deny, Error> {
        let owner = format!("deny list for {}", list.entity);
        if !(0.0..=1.0).contains(&list.score) {
            return Err(Error::InvalidScore {
                owner,
                score: list.score,
            });
        }
        let values: Vec<&str> = list
            .values
            .iter()
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .collect();
        let values = if values.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::LeftmostLongest)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&values)
                    .or_else(|_| {
                        AhoCorasick::builder()
                            .ascii_case_insensitive(true)
                            .match_kind(MatchKind::LeftmostLongest)
                            .build(&values)
                    })
                    .map_err(|e| Error::InvalidRegex {
                        owner: owner.clone(),
                        reason: e.to_string(),
                    })?,
            )
        };
        let patterns = list
            .patterns
            .iter()
            .map(|p| compile(&owner, p))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Deny {
            entities: [list.entity.clone()],
            values,
            patterns,
            score: list.score,
        })
    }
}

impl Detector for Deny {
    fn entities(&self) -> &[EntityType] {
        &self.entities
    }

    fn detect(&self, doc: &Doc<'_>, sink: &mut Sink<'_>) {
        if let Some(values) = &self.values {
            for m in values.find_iter(doc.text) {
                if doc.boundary_before(m.start()) && doc.boundary_after(m.end()) {
                    sink.push(
                        m.start(),
                        m.end(),
                        self.entities[0].clone(),
                        self.score,
                        "deny_list",
                    );
                }
            }
        }
        for pattern in &self.patterns {
            for m in pattern.find_iter(doc.text) {
                sink.push(
                    m.start(),
                    m.end(),
                    self.entities[0].clone(),
                    self.score,
                    "deny_list",
                );
            }
        }
    }
}

/// Values that are never reported.
#[derive(Debug, Default)]
pub(crate) struct Allow {
    values: HashSet<String>,
    patterns: Vec<Regex>,
}

impl Allow {
    pub(crate) fn new(values: &[String], patterns: &[String]) -> Result<Allow, Error> {
        let patterns = patterns
            .iter()
            .map(|p| compile("allow list", &format!("^(?:{p})$")))
            .collect::<Result<Vec<_>, _>>()?;
        let values = values
            .iter()
            .map(|v| v.trim().to_lowercase())
            .filter(|v| !v.is_empty())
            .collect();
        Ok(Allow { values, patterns })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.values.is_empty() && self.patterns.is_empty()
    }

    /// True if `value` (a whole finding) is allowed.
    pub(crate) fn allows(&self, value: &str) -> bool {
        (!self.values.is_empty() && self.values.contains(&value.to_lowercase()))
            || self.patterns.iter().any(|p| p.is_match(value))
    }
}
