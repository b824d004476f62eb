//! When two values are "the same": the comparison key of a value, per entity type.
//!
//! Pseudonyms and hashes must not split one person into two because a name was typed in lower case or
//! a card number with dashes instead of spaces; they must also never merge two different values.
//! So each type folds only what cannot change its meaning: surrounding and repeated whitespace always;
//! letter case where the type is case-insensitive (names, e-mail addresses, host names, most
//! identifiers); separators inside numbers where they are formatting only (cards, IBANs, phone numbers,
//! national identifiers). Case-sensitive values (secrets, wallet addresses, URLs with their paths,
//! and custom types, whose semantics we do not know) keep their case.

use crate::entity::{Category, EntityType};

/// How a type's values are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fold {
    /// Whitespace only.
    Exact,
    /// Whitespace and letter case.
    Caseless,
    /// Letter case, and every whitespace and punctuation between letters and digits (keeping a
    /// leading `+`), for identifiers whose separators are formatting only.
    Compact,
}

fn fold(entity: &EntityType) -> Fold {
    match entity {
        EntityType::Secret
        | EntityType::Crypto
        | EntityType::Url
        | EntityType::PromptInjection
        | EntityType::Custom(_) => Fold::Exact,
        EntityType::PhoneNumber
        | EntityType::MacAddress
        | EntityType::PhMobileNumber
        | EntityType::TrPhoneNumber => Fold::Compact,
        _ => match entity.category() {
            Category::Financial | Category::Government | Category::Health => Fold::Compact,
            _ => Fold::Caseless,
        },
    }
}

/// The comparison key of `value` as a value of `entity`: equal keys mean the same value.
pub(crate) fn comparison_key(entity: &EntityType, value: &str) -> String {
    match fold(entity) {
        Fold::Exact => collapse_whitespace(value),
        Fold::Caseless => collapse_whitespace(value).to_lowercase(),
        Fold::Compact => {
            let trimmed = value.trim();
            let mut key = String::with_capacity(trimmed.len());
            if trimmed.starts_with('+') {
                key.push('+');
            }
            key.extend(
                trimmed
                    .chars()
                    .filter(|c| c.is_alphanumeric())
                    .flat_map(char::to_lowercase),
            );
            // A value made only of punctuation would compact to nothing; keep it distinct.
            if key.is_empty() || key == "+" {
                return collapse_whitespace(value);
            }
            key
        }
    }
}

/// Trims and replaces every run of whitespace with one space.
fn collapse_whitespace(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for word in value.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(entity: EntityType, a: &str, b: &str, same: bool) {
        assert_eq!(
            comparison_key(&entity, a) == comparison_key(&entity, b),
            same,
            "{entity}: {a:?} vs {b:?}"
        );
    }

    #[test]
    fn folds_only_what_does_not_change_meaning() {
        use EntityType as E;
        let cases = [
            (E::Person, "Jane Doe", "  jane   DOE ", true),
            (E::Person, "Jane Doe", "Jane Doe-Smith", false),
            (
                E::EmailAddress,
                "Jane@Example.com",
                "jane@example.com",
                true,
            ),
            (
                E::CreditCard,
                "4111 1111 1111 1111",
                "4111-1111-1111-1111",
                true,
            ),
            (
                E::CreditCard,
                "4111 1111 1111 1111",
                "4111 1111 1111 1112",
                false,
            ),
            (
                E::IbanCode,
                "DE89 3704 0044 0532 0130 00",
                "de89370400440532013000",
                true,
            ),
            (E::PhoneNumber, "+1 (555) 010-0123", "+1 555 010 0123", true),
            (E::PhoneNumber, "+1 555 010 0123", "1 555 010 0123", false),
            (E::UsSsn, "078-05-1121", "078 05 1121", true),
            (E::Secret, "sk-AbCd", "sk-abcd", false),
            (
                E::Crypto,
                "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
                "1boatslrhtknngkdxeeobr76b53lettpyt",
                false,
            ),
            (E::Url, "https://x.example/A", "https://x.example/a", false),
            (E::Custom("EMPLOYEE_ID".into()), "ab-1", "AB-1", false),
            (E::PhoneNumber, "---", "--", false),
        ];
        for (entity, a, b, same) in cases {
            check(entity, a, b, same);
        }
    }
}
