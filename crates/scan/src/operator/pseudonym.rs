//! The per-conversation pseudonym table: which placeholder or fake stands for which original value.
//!
//! One table per conversation (the gateway stores it, serialised and encrypted, between requests).
//! Within a table the same value (compared per type, see `normalize`) always gets the same pseudonym
//! and different values never share one; placeholders are numbered per type in order of first
//! appearance (`<PERSON_1>`, `<PERSON_2>`, `<EMAIL_ADDRESS_1>`). A table restores only what it issued:
//! it holds no key and no reference to other tables, so a placeholder or fake from another
//! conversation is just text to it.
//!
//! The table holds original values: treat a serialised table like the conversation itself. Its
//! `Debug` shows only the number of entries.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use crate::entity::EntityType;
use crate::error::Error;
use crate::operator::fake::{self, FakeBytes};
use crate::operator::key::Keys;
use crate::operator::normalize::comparison_key;
use crate::operator::restore::{self, Form, MAX_NUMBER, Restorer};
use crate::operator::stream::StreamRestorer;

/// What a pseudonym looks like.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PseudonymStyle {
    /// `<ENTITY_TYPE_N>`.
    #[default]
    Placeholder,
    /// A realistic fake of the same format (needs [`Keys`]).
    Fake,
}

/// How many fakes are drawn for one value before falling back to a placeholder.
const MAX_FAKE_ATTEMPTS: u32 = 16;
/// How many labels [`PseudonymTable::reserve`] remembers; beyond that, user-typed placeholder look-alikes
/// of further labels are not reserved (they could then collide with an issued number, which restores
/// the user's own value into their own answer, nothing worse).
const MAX_RESERVED_LABELS: usize = 1024;
/// The version of the serialised form.
const FORMAT_VERSION: u32 = 1;

/// Placeholders and fakes issued in one conversation, and the values they stand for.
#[derive(Clone, Default)]
pub struct PseudonymTable {
    entries: Vec<Entry>,
    /// Per label, the highest number seen in user text (see [`PseudonymTable::reserve`]).
    reserved: BTreeMap<String, u32>,
    // Indexes, rebuilt when a table is deserialised.
    by_key: HashMap<(EntityType, String), usize>,
    highest: HashMap<String, u32>,
    /// Lower-cased fakes issued, and lower-cased originals, so a fake is never one of either.
    fakes: HashSet<String>,
    originals: HashSet<String>,
}

#[derive(Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    entity: EntityType,
    value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    number: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fake: Option<String>,
}

impl PseudonymTable {
    /// The placeholder for `value` as an `entity`: `<ENTITY_TYPE_N>`, issuing a new number on first
    /// sight.
    pub fn placeholder(&mut self, entity: &EntityType, value: &str) -> String {
        let key = comparison_key(entity, value);
        let index = self.entry(entity, value, key);
        let number = match self.entries[index].number {
            Some(number) => number,
            None => {
                let label = entity.as_str();
                let highest = self.highest.get(label).copied().unwrap_or(0);
                let reserved = self.reserved.get(label).copied().unwrap_or(0);
                let number = highest.max(reserved).saturating_add(1);
                self.highest.insert(label.to_owned(), number);
                self.entries[index].number = Some(number);
                number
            }
        };
        format!("<{}_{number}>", entity.as_str())
    }

    /// A realistic fake for `value` as an `entity` (see the `fake` module), the same one every time
    /// within this table and for this key. Falls back to [`PseudonymTable::placeholder`] when the type
    /// has nothing to fake or no fake free of collisions is found.
    pub fn fake(&mut self, keys: &Keys, entity: &EntityType, value: &str) -> String {
        let key = comparison_key(entity, value);
        let issued = self
            .by_key
            .get(&(entity.clone(), key.clone()))
            .and_then(|&index| self.entries[index].fake.as_ref());
        if let Some(fake) = issued {
            return fake.clone();
        }
        let value_folded = fold(value);
        for attempt in 0..MAX_FAKE_ATTEMPTS {
            let mut rng = FakeBytes::new(&keys.fake, entity, key.as_bytes(), attempt);
            let Some(candidate) = fake::fake(entity, value, &mut rng) else {
                break;
            };
            let folded = fold(&candidate);
            let acceptable = !folded.is_empty()
                && folded != value_folded
                && comparison_key(entity, &candidate) != key
                && !self.fakes.contains(&folded)
                && !self.originals.contains(&folded)
                && !looks_like_placeholder(&candidate);
            if acceptable {
                let index = self.entry(entity, value, key);
                self.fakes.insert(folded);
                self.entries[index].fake = Some(candidate.clone());
                return candidate;
            }
        }
        self.placeholder(entity, value)
    }

    /// Marks every placeholder-shaped token in `text` (say, a user's message) as taken, so that this
    /// table never issues it: otherwise a user who typed `<PERSON_1>` would see it replaced by a real
    /// name in the answer. Call it on the input before pseudonymising it.
    pub fn reserve(&mut self, text: &str) {
        let reserved = &mut self.reserved;
        restore::placeholder_like(text, |label, number, _form| {
            // Glued tokens (`XCODE_1`) give every suffix as a label (`XCODE`, `CODE`, …): any of them
            // may be a custom type, so all are kept, within the cap on labels.
            if EntityType::parse(&label).is_none() || number > MAX_NUMBER {
                return;
            }
            if !reserved.contains_key(&label) && reserved.len() >= MAX_RESERVED_LABELS {
                return;
            }
            let highest = reserved.entry(label).or_insert(0);
            *highest = (*highest).max(number);
        });
    }

    /// `text` with this table's placeholders (in the accepted variants, see the `restore` module) and
    /// fakes replaced by the original values.
    pub fn restore(&self, text: &str) -> String {
        self.restorer().restore(text)
    }

    /// A restorer for a streamed answer.
    pub fn stream_restorer(&self) -> StreamRestorer {
        StreamRestorer::new(self.restorer())
    }

    /// How many distinct values the table holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if nothing was pseudonymised yet.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn restorer(&self) -> Restorer {
        Restorer::new(self.entries.iter().map(|e| {
            (
                e.entity.as_str(),
                e.number,
                e.fake.as_deref(),
                e.value.as_str(),
            )
        }))
    }

    /// The entry for (entity, comparison key), created on first sight.
    fn entry(&mut self, entity: &EntityType, value: &str, key: String) -> usize {
        let map_key = (entity.clone(), key);
        if let Some(&index) = self.by_key.get(&map_key) {
            return index;
        }
        let index = self.entries.len();
        self.originals.insert(fold(value));
        self.entries.push(Entry {
            entity: entity.clone(),
            value: value.to_owned(),
            number: None,
            fake: None,
        });
        self.by_key.insert(map_key, index);
        index
    }
}

/// How restore compares fakes: case-insensitive, whitespace collapsed.
fn fold(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// True if `text` contains something restore could take for a placeholder: a bracketed one, or a bare
/// one with a built-in label. (A bare custom-looking `AB_12` inside a fake of a secret is allowed, or
/// such values could never get a fake.)
fn looks_like_placeholder(text: &str) -> bool {
    let mut found = false;
    restore::placeholder_like(text, |label, _, form| {
        found |= form == Form::Bracketed || EntityType::builtin(&label).is_some();
    });
    found
}

impl fmt::Debug for PseudonymTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PseudonymTable")
            .field("entries", &self.entries.len())
            .finish_non_exhaustive()
    }
}

/// The serialised form: `{"version": 1, "entries": [{"entity", "value", "number"?, "fake"?}],
/// "reserved": {"LABEL": n}}`.
#[derive(serde::Serialize)]
struct TableRef<'a> {
    version: u32,
    entries: &'a [Entry],
    reserved: &'a BTreeMap<String, u32>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TableData {
    version: u32,
    entries: Vec<Entry>,
    #[serde(default)]
    reserved: BTreeMap<String, u32>,
}

impl serde::Serialize for PseudonymTable {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        TableRef {
            version: FORMAT_VERSION,
            entries: &self.entries,
            reserved: &self.reserved,
        }
        .serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for PseudonymTable {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let data = TableData::deserialize(deserializer)?;
        PseudonymTable::try_from(data).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<TableData> for PseudonymTable {
    type Error = Error;

    /// Rebuilds the indexes and checks what a table issues is unambiguous, so that a corrupted or
    /// edited table cannot make restore put one value where another was meant.
    fn try_from(data: TableData) -> Result<PseudonymTable, Error> {
        let invalid = |reason: String| Error::InvalidPseudonymTable(reason);
        if data.version != FORMAT_VERSION {
            return Err(invalid(format!("unsupported version {}", data.version)));
        }
        if data.reserved.len() > MAX_RESERVED_LABELS {
            return Err(invalid("too many reserved labels".to_owned()));
        }
        let mut table = PseudonymTable {
            reserved: data.reserved,
            ..PseudonymTable::default()
        };
        let mut placeholders = HashSet::new();
        for (i, entry) in data.entries.into_iter().enumerate() {
            if entry.number.is_none() && entry.fake.is_none() {
                return Err(invalid(format!("entry {i} has neither number nor fake")));
            }
            let label = entry.entity.as_str().to_owned();
            if let Some(number) = entry.number {
                if number == 0 || number > MAX_NUMBER {
                    return Err(invalid(format!("entry {i}: number out of range")));
                }
                if !placeholders.insert((label.clone(), number)) {
                    return Err(invalid(format!(
                        "entry {i}: duplicate placeholder {label}_{number}"
                    )));
                }
                let highest = table.highest.entry(label).or_insert(0);
                *highest = (*highest).max(number);
            }
            if let Some(fake) = &entry.fake {
                if fake.trim().is_empty() || fake.len() > fake::MAX_FAKE_LEN {
                    return Err(invalid(format!("entry {i}: invalid fake")));
                }
                if !table.fakes.insert(fold(fake)) {
                    return Err(invalid(format!("entry {i}: duplicate fake")));
                }
            }
            let key = (
                entry.entity.clone(),
                comparison_key(&entry.entity, &entry.value),
            );
            if table.by_key.insert(key, table.entries.len()).is_some() {
                return Err(invalid(format!("entry {i}: duplicate value")));
            }
            table.originals.insert(fold(&entry.value));
            table.entries.push(entry);
        }
        Ok(table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operator::key::OperatorKey;

    fn keys() -> Keys {
        Keys::derive(&OperatorKey::from_bytes([4; 32]).unwrap()).unwrap()
    }

    #[test]
    fn same_value_same_placeholder_numbered_per_type() {
        let mut t = PseudonymTable::default();
        let p = EntityType::Person;
        let e = EntityType::EmailAddress;
        assert_eq!(t.placeholder(&p, "Jane Doe"), "<PERSON_1>");
        assert_eq!(t.placeholder(&e, "jane@corp.example"), "<EMAIL_ADDRESS_1>");
        assert_eq!(t.placeholder(&p, "John Roe"), "<PERSON_2>");
        assert_eq!(t.placeholder(&p, "  jane   DOE "), "<PERSON_1>");
        assert_eq!(t.placeholder(&e, "Jane@Corp.Example"), "<EMAIL_ADDRESS_1>");
        assert_eq!(
            t.placeholder(&EntityType::Organization, "Jane Doe"),
            "<ORGANIZATION_1>"
        );
        assert_eq!(t.len(), 4);
        assert_eq!(
            t.restore("<PERSON_2> wrote to <email_address_1>"),
            "John Roe wrote to jane@corp.example"
        );
    }

    #[test]
    fn restore_uses_first_seen_spelling() {
        let mut t = PseudonymTable::default();
        t.placeholder(&EntityType::Person, "Jane Doe");
        t.placeholder(&EntityType::Person, "JANE DOE");
        assert_eq!(t.restore("<PERSON_1>"), "Jane Doe");
    }

    #[test]
    fn tables_only_know_their_own() {
        let mut a = PseudonymTable::default();
        let mut b = PseudonymTable::default();
        let k = keys();
        assert_eq!(a.placeholder(&EntityType::Person, "Alice"), "<PERSON_1>");
        let fake_a = a.fake(&k, &EntityType::Person, "Alice Liddell");
        assert_eq!(b.placeholder(&EntityType::Person, "Bob"), "<PERSON_1>");
        assert_eq!(b.restore("<PERSON_1>"), "Bob");
        assert_eq!(b.restore(&fake_a), fake_a);
        assert_eq!(
            PseudonymTable::default().restore("<PERSON_1> PERSON_1"),
            "<PERSON_1> PERSON_1"
        );
    }

    #[test]
    fn reserve_skips_numbers_the_user_typed() {
        let mut t = PseudonymTable::default();
        t.reserve(
            "my friend <PERSON_2> and [person 5] and EMAIL_ADDRESS_1 and <PERSON_99999999999>",
        );
        assert_eq!(t.placeholder(&EntityType::Person, "Jane"), "<PERSON_6>");
        assert_eq!(
            t.placeholder(&EntityType::EmailAddress, "j@x.example"),
            "<EMAIL_ADDRESS_2>"
        );
        assert_eq!(
            t.placeholder(&EntityType::Location, "Paris"),
            "<LOCATION_1>"
        );
        assert_eq!(t.restore("<PERSON_2> <PERSON_6>"), "<PERSON_2> Jane");
    }

    #[test]
    fn fakes_are_stable_unique_and_never_the_input() {
        let k = keys();
        let mut t = PseudonymTable::default();
        let p = EntityType::Person;
        let a = t.fake(&k, &p, "Jane Doe");
        assert_ne!(a.to_lowercase(), "jane doe");
        assert_eq!(t.fake(&k, &p, "jane  doe"), a);
        let mut other = PseudonymTable::default();
        assert_eq!(
            other.fake(&k, &p, "Jane Doe"),
            a,
            "deterministic given key and value"
        );
        // Many values: fakes stay distinct.
        let mut seen = HashSet::new();
        for i in 0..300 {
            let fake = t.fake(
                &k,
                &EntityType::UsSsn,
                &format!("{:03}-45-{:04}", 100 + i, 1000 + i),
            );
            assert!(seen.insert(fake.to_lowercase()), "duplicate fake {fake}");
        }
        // Two-letter shapes run out quickly; the table falls back to placeholders, still distinct.
        let mut seen = HashSet::new();
        for i in 0..150 {
            let fake = t.fake(
                &k,
                &EntityType::Custom("CODE".into()),
                &format!("{}", i % 10),
            );
            seen.insert((i % 10, fake));
        }
        let fakes: HashSet<&String> = seen.iter().map(|(_, f)| f).collect();
        assert_eq!(fakes.len(), 10);
        assert_eq!(t.restore(&t.clone().fake(&k, &p, "Jane Doe")), "Jane Doe");
    }

    #[test]
    fn nothing_to_fake_falls_back_to_placeholder() {
        let k = keys();
        let mut t = PseudonymTable::default();
        assert_eq!(
            t.fake(&k, &EntityType::DateTime, "yesterday"),
            "<DATE_TIME_1>"
        );
        assert_eq!(t.restore("<DATE_TIME_1>"), "yesterday");
    }

    #[test]
    fn serde_round_trip_and_validation() {
        let k = keys();
        let mut t = PseudonymTable::default();
        t.reserve("<PERSON_3>");
        t.placeholder(&EntityType::Person, "Jane Doe");
        let fake = t.fake(&k, &EntityType::EmailAddress, "jane@corp.example");
        let json = serde_json::to_string(&t).unwrap();
        let mut back: PseudonymTable = serde_json::from_str(&json).unwrap();
        assert_eq!(back.restore("<PERSON_4>"), "Jane Doe");
        assert_eq!(back.restore(&fake), "jane@corp.example");
        assert_eq!(
            back.placeholder(&EntityType::Person, "jane doe"),
            "<PERSON_4>"
        );
        assert_eq!(back.placeholder(&EntityType::Person, "John"), "<PERSON_5>");
        assert_eq!(
            back.fake(&k, &EntityType::EmailAddress, "JANE@corp.example"),
            fake
        );

        let bad = [
            r#"{"version":2,"entries":[]}"#,
            r#"{"version":1,"entries":[{"entity":"PERSON","value":"a"}]}"#,
            r#"{"version":1,"entries":[{"entity":"PERSON","value":"a","number":0}]}"#,
            r#"{"version":1,"entries":[{"entity":"PERSON","value":"a","number":1},{"entity":"PERSON","value":"b","number":1}]}"#,
            r#"{"version":1,"entries":[{"entity":"PERSON","value":"a","number":1},{"entity":"PERSON","value":"A","number":2}]}"#,
            r#"{"version":1,"entries":[{"entity":"PERSON","value":"a","fake":"X"},{"entity":"PERSON","value":"b","fake":"x"}]}"#,
            r#"{"version":1,"entries":[],"extra":1}"#,
            r#"{"version":1,"entries":[{"entity":"lower","value":"a","number":1}]}"#,
        ];
        for json in bad {
            assert!(
                serde_json::from_str::<PseudonymTable>(json).is_err(),
                "{json}"
            );
        }
    }

    #[test]
    fn debug_shows_no_values() {
        let mut t = PseudonymTable::default();
        t.placeholder(&EntityType::Person, "Jane Doe");
        let shown = format!("{t:?} {t:#?}");
        assert!(!shown.contains("Jane"), "{shown}");
    }
}
