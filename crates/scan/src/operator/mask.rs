//! The `mask` operator: hide letters and digits behind a mask character, keep separators and the
//! last few letters or digits (`****-****-****-1111`).
//!
//! At most half of a value's letters and digits are ever kept, whatever `keep_last` says: masking a
//! 4-digit PIN or a short name with the default of 4 would otherwise print it unchanged.

/// Default number of trailing letters and digits left visible.
pub const DEFAULT_KEEP_LAST: usize = 4;
/// Default mask character.
pub const DEFAULT_MASK_CHAR: char = '*';

/// Masks `value`: every letter and digit becomes `mask_char` except the last `keep_last` (at most
/// half of them); every other character (spaces, dashes, dots, `@`) stays.
pub fn mask(value: &str, mask_char: char, keep_last: usize) -> String {
    let n_alphanumeric = value.chars().filter(|c| c.is_alphanumeric()).count();
    let n_kept = keep_last.min(n_alphanumeric / 2);
    let n_masked = n_alphanumeric - n_kept;
    let mut seen = 0;
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c.is_alphanumeric() {
            seen += 1;
            out.push(if seen <= n_masked { mask_char } else { c });
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_alphanumerics_keeps_separators_and_tail() {
        let cases: &[(&str, char, usize, &str)] = &[
            ("4111-1111-1111-1111", '*', 4, "****-****-****-1111"),
            ("4111111111111111", '*', 4, "************1111"),
            ("4111 1111 1111 1111", '#', 4, "#### #### #### 1111"),
            ("078-05-1120", '*', 4, "***-**-1120"),
            ("078-05-1120", 'X', 0, "XXX-XX-XXXX"),
            ("jane.doe@example.com", '*', 3, "****.***@*******.com"),
            ("1234", '*', 4, "**34"),
            ("Zoë", '*', 4, "**ë"),
            ("a", '*', 4, "*"),
            ("", '*', 4, ""),
            ("---", '*', 4, "---"),
            (
                "DE89 3704 0044 0532 0130 00",
                '•',
                6,
                "•••• •••• •••• •••• 0130 00",
            ),
        ];
        for &(value, mask_char, keep, expect) in cases {
            assert_eq!(
                mask(value, mask_char, keep),
                expect,
                "{value:?} keep {keep}"
            );
        }
    }
}
