//! What a scan reports: a typed span of the input with a score.

use std::borrow::Cow;

use crate::entity::EntityType;

/// One sensitive value found in a text.
///
/// `start` and `end` count Unicode code points (end exclusive), as Python and Presidio do;
/// `byte_start` and `byte_end` are the same span in UTF-8 bytes of the scanned `&str`, for slicing.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Finding {
    /// What kind of value this is.
    pub entity_type: EntityType,
    /// A finer kind, for secrets (`AWS_ACCESS_KEY_ID`, `PRIVATE_KEY`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtype: Option<&'static str>,
    /// First code point of the value.
    pub start: usize,
    /// One past the last code point of the value.
    pub end: usize,
    /// Confidence in [0, 1].
    pub score: f32,
    /// The detector that found it.
    pub detector: Cow<'static, str>,
    /// First byte of the value in the scanned text.
    #[serde(skip)]
    pub byte_start: usize,
    /// One past the last byte of the value in the scanned text.
    #[serde(skip)]
    pub byte_end: usize,
}

impl Finding {
    /// The matched text, sliced from the text that was scanned.
    ///
    /// Returns an empty string if `text` is not the text this finding came from.
    pub fn value<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.byte_start..self.byte_end).unwrap_or("")
    }

    /// The label used by the `replace` operator and by placeholders: `ENTITY_TYPE` or, for secrets with
    /// a subtype, still `SECRET` (subtypes stay in reports, not in rewritten text).
    pub fn label(&self) -> &str {
        self.entity_type.as_str()
    }
}
