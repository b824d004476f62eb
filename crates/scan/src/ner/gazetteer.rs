//! Word lists (gazetteers) as per-word flags: is this word a known first name, city, job word …
//!
//! Each shipped list (crates/scan/data/ner, rebuilt by scripts/data/build_ner_data.sh, sources in
//! docs/DATA.md) is split into words exactly as [`Doc`](crate::doc::Doc) splits text, and every word
//! is keyed by the hash of its lower-case form, the same hash `Doc` computes while lexing. A word that
//! is a whole entry sets the list's flag; a word that is part of a multi-word entry ("York" in
//! "New York") sets the list's flag shifted into the upper half.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use crate::doc::hash_lower;

pub(crate) const FIRST: u32 = 1;
pub(crate) const LAST: u32 = 1 << 1;
pub(crate) const CITY: u32 = 1 << 2;
pub(crate) const REGION: u32 = 1 << 3;
pub(crate) const COUNTRY: u32 = 1 << 4;
pub(crate) const STREET: u32 = 1 << 5;
pub(crate) const ORG_SUFFIX: u32 = 1 << 6;
pub(crate) const ORG_WORD: u32 = 1 << 7;
pub(crate) const JOB: u32 = 1 << 8;
pub(crate) const NRP: u32 = 1 << 9;
pub(crate) const TITLE: u32 = 1 << 10;
pub(crate) const DATE_WORD: u32 = 1 << 11;
pub(crate) const COMMON: u32 = 1 << 12;
pub(crate) const PROPER: u32 = 1 << 13;
/// Lists of entity words (everything but the dictionary lists).
pub(crate) const ENTITY: u32 = FIRST
    | LAST
    | CITY
    | REGION
    | COUNTRY
    | STREET
    | ORG_SUFFIX
    | ORG_WORD
    | JOB
    | NRP
    | TITLE
    | DATE_WORD;
/// Number of lists; part-of-entry flags are `flag << PART_SHIFT`.
pub(crate) const LISTS: u32 = 14;
pub(crate) const PART_SHIFT: u32 = 16;

const SOURCES: [(&str, u32); LISTS as usize] = [
    (include_str!("../../data/ner/first.txt"), FIRST),
    (include_str!("../../data/ner/last.txt"), LAST),
    (include_str!("../../data/ner/city.txt"), CITY),
    (include_str!("../../data/ner/region.txt"), REGION),
    (include_str!("../../data/ner/country.txt"), COUNTRY),
    (include_str!("../../data/ner/street.txt"), STREET),
    (include_str!("../../data/ner/org_suffix.txt"), ORG_SUFFIX),
    (include_str!("../../data/ner/org_word.txt"), ORG_WORD),
    (include_str!("../../data/ner/job.txt"), JOB),
    (include_str!("../../data/ner/nrp.txt"), NRP),
    (include_str!("../../data/ner/title.txt"), TITLE),
    (include_str!("../../data/ner/date_word.txt"), DATE_WORD),
    (include_str!("../../data/ner/common.txt"), COMMON),
    (include_str!("../../data/ner/proper.txt"), PROPER),
];

/// A hasher for keys that are already hashes: one multiply and a shift to spread the bits.
#[derive(Default)]
pub(crate) struct PreHashed(u64);

impl Hasher for PreHashed {
    fn finish(&self) -> u64 {
        let h = self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        h ^ (h >> 29)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b) ^ (self.0 >> 56);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

pub(crate) type HashBuild = BuildHasherDefault<PreHashed>;

/// Word hash → flags.
pub(crate) struct Gazetteer {
    flags: HashMap<u64, u32, HashBuild>,
}

impl Gazetteer {
    fn build() -> Gazetteer {
        let mut flags: HashMap<u64, u32, HashBuild> =
            HashMap::with_capacity_and_hasher(400_000, HashBuild::default());
        let mut words: Vec<&str> = Vec::new();
        for (list, flag) in SOURCES {
            for line in list.lines() {
                let entry = line.trim();
                if entry.is_empty() || entry.starts_with('#') {
                    continue;
                }
                words.clear();
                words.extend(split_words(entry));
                let bits = if words.len() == 1 {
                    flag
                } else {
                    flag << PART_SHIFT
                };
                for word in &words {
                    *flags.entry(hash_lower(word)).or_insert(0) |= bits;
                }
                // Nationalities are also written as plurals ("Latvians", "saudis").
                if flag == NRP && words.len() == 1 && !entry.ends_with('s') {
                    let plural = format!("{entry}s");
                    *flags.entry(hash_lower(&plural)).or_insert(0) |= NRP;
                }
            }
        }
        Gazetteer { flags }
    }

    /// The flags of the word whose lower-case hash is `hash`.
    pub(crate) fn get(&self, hash: u64) -> u32 {
        self.flags.get(&hash).copied().unwrap_or(0)
    }
}

/// The shared gazetteer, built on first use (about 400k words).
pub(crate) fn gazetteer() -> &'static Gazetteer {
    static GAZETTEER: OnceLock<Gazetteer> = OnceLock::new();
    GAZETTEER.get_or_init(Gazetteer::build)
}

/// Splits like `Doc`: maximal runs of letters, digits and combining marks.
pub(crate) fn split_words(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !(c.is_alphanumeric() || ('\u{0300}'..='\u{036F}').contains(&c)))
        .filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_words_have_their_flags() {
        let g = gazetteer();
        assert_ne!(g.get(hash_lower("Germany")) & COUNTRY, 0);
        assert_ne!(g.get(hash_lower("german")) & NRP, 0);
        assert_ne!(g.get(hash_lower("latvians")) & NRP, 0);
        assert_ne!(g.get(hash_lower("the")) & COMMON, 0);
        assert_eq!(g.get(hash_lower("xqzvbnm")), 0);
        // "York" is part of "New York".
        assert_ne!(g.get(hash_lower("york")) & (CITY << PART_SHIFT), 0);
    }
}
