//! Detectors from configuration: a regex (linear-time, no backtracking), an optional validator,
//! context words and scores.

use std::borrow::Cow;

use regex_automata::meta::Regex;

use crate::config::CustomDetector;
use crate::context::{ContextWords, boost};
use crate::detect::{Detector, Sink};
use crate::doc::Doc;
use crate::entity::EntityType;
use crate::error::Error;
use crate::validate::{self, Validator};

/// Compiles a user regex with bounded memory.
pub(crate) fn compile(owner: &str, pattern: &str) -> Result<Regex, Error> {
    Regex::builder()
        .configure(
            Regex::config()
                .nfa_size_limit(Some(8 << 20))
                .hybrid_cache_capacity(2 << 20),
        )
        .build(pattern)
        .map_err(|e| Error::InvalidRegex {
            owner: owner.to_owned(),
            reason: e.to_string(),
        })
}

#[derive(Debug)]
pub(crate) struct Custom {
    name: Cow<'static, str>,
    entities: [EntityType; 1],
    regex: Regex,
    validator: Option<Validator>,
    context: ContextWords,
    score: f32,
    context_score: f32,
}

impl Custom {
    pub(crate) fn new(config: &CustomDetector) -> Result<Custom, Error> {
        let owner = format!("detector `{}`", config.name);
        for score in [Some(config.score), config.context_score]
            .into_iter()
            .flatten()
        {
            if !(0.0..=1.0).contains(&score) {
                return Err(Error::InvalidScore { owner, score });
            }
        }
        let validator = match &config.validator {
            None => None,
            Some(name) => Some(
                validate::by_name(name).ok_or_else(|| Error::UnknownValidator {
                    owner: owner.clone(),
                    name: name.clone(),
                    known: validate::NAMES.join(", "),
                })?,
            ),
        };
        Ok(Custom {
            name: Cow::Owned(config.name.clone()),
            entities: [config.entity.clone()],
            regex: compile(&owner, &config.pattern)?,
            validator,
            context: ContextWords::new(&config.context),
            score: config.score,
            context_score: config.context_score.unwrap_or_else(|| boost(config.score)),
        })
    }
}

impl Detector for Custom {
    fn entities(&self) -> &[EntityType] {
        &self.entities
    }

    fn detect(&self, doc: &Doc<'_>, sink: &mut Sink<'_>) {
        for m in self.regex.find_iter(doc.text) {
            if m.is_empty() {
                continue;
            }
            let value = &doc.text[m.range()];
            if let Some(validator) = self.validator
                && !validator(value)
            {
                continue;
            }
            let score = if self.context.near(doc, m.start(), m.end()) {
                self.context_score
            } else {
                self.score
            };
            sink.push_full(
                m.start(),
                m.end(),
                self.entities[0].clone(),
                None,
                score,
                self.name.clone(),
            );
        }
    }
}
