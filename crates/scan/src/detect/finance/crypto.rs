//! Cryptocurrency addresses whose format carries a checksum:
//!
//! - Bitcoin P2PKH/P2SH (`1…`, `3…`), Litecoin (`L…`, `M…`), Dogecoin (`D…`, `A…`, `9…`) and Tron (`T…`):
//!   base58check over a version byte and a 20-byte hash, the version byte matching the network;
//! - XRP (`r…`): the same in Ripple's base58 alphabet;
//! - Bitcoin, testnet and Litecoin SegWit (`bc1…`, `tb1…`, `ltc1…`): bech32 / bech32m;
//! - Ethereum (`0x` + 40 hex): EIP-55 mixed-case checksum. All-lower or all-upper addresses carry no
//!   checksum and score 0.6.
//!
//! Monero, Solana and Cardano are left out: the first two have no checksum a detector can check
//! cheaply, and Cardano's bech32 addresses exceed the 90-character bech32 limit our validator keeps.

use crate::context::{ContextWords, boost};
use crate::detect::{Detector, Sink};
use crate::doc::Doc;
use crate::entity::EntityType;
use crate::validate;

const CONTEXT: &[&str] = &[
    "wallet", "btc", "bitcoin", "crypto", "eth", "ethereum", "address", "litecoin", "ltc",
    "dogecoin", "doge", "tron", "trx", "xrp", "ripple", "usdt", "send", "receive",
];

const BITCOIN_ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const RIPPLE_ALPHABET: &[u8; 58] = b"rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz";

#[derive(Debug)]
pub(super) struct Crypto {
    context: ContextWords,
}

impl Default for Crypto {
    fn default() -> Crypto {
        Crypto {
            context: ContextWords::new(CONTEXT),
        }
    }
}

impl Detector for Crypto {
    fn entities(&self) -> &[EntityType] {
        &[EntityType::Crypto]
    }

    fn detect(&self, doc: &Doc<'_>, sink: &mut Sink<'_>) {
        if !doc.present.digit {
            return;
        }
        for (_, word) in doc.digit_words() {
            if !(25..=90).contains(&word.len()) || word.has(crate::doc::shape::NON_ASCII) {
                continue;
            }
            let (start, end) = (word.start as usize, word.end as usize);
            let Some(score) = address_score(&doc.text[start..end]) else {
                continue;
            };
            if matches!(doc.byte_at(end), Some(b'-' | b'_' | b'/' | b'='))
                || matches!(doc.byte_before(start), Some(b'-' | b'_' | b'/' | b'='))
            {
                continue;
            }
            let score = if self.context.near(doc, start, end) {
                boost(score)
            } else {
                score
            };
            sink.push(start, end, EntityType::Crypto, score, "crypto");
        }
    }
}

/// The score of `word` as an address, if it is a valid one.
fn address_score(word: &str) -> Option<f32> {
    let bytes = word.as_bytes();
    if (bytes[0] == b'0') && matches!(bytes[1], b'x' | b'X') {
        if word.len() != 42 || !validate::eip55(word) {
            return None;
        }
        let hex = &bytes[2..];
        let mixed =
            hex.iter().any(u8::is_ascii_lowercase) && hex.iter().any(u8::is_ascii_uppercase);
        return Some(if mixed { 1.0 } else { 0.6 });
    }
    let lower = word.to_ascii_lowercase();
    if ["bc1", "tb1", "ltc1"]
        .iter()
        .any(|hrp| lower.starts_with(hrp))
    {
        return (14..=74)
            .contains(&word.len())
            .then_some(())
            .and(validate::bech32(word).then_some(1.0));
    }
    if word.len() > 35 {
        return None;
    }
    if bytes[0] == b'r' {
        let translated: String = bytes
            .iter()
            .map(|b| {
                RIPPLE_ALPHABET
                    .iter()
                    .position(|a| a == b)
                    .map_or('0', |i| char::from(BITCOIN_ALPHABET[i]))
            })
            .collect();
        return (version_byte(&translated)? == 0x00).then_some(0.9);
    }
    let version = version_byte(word)?;
    let fits = match bytes[0] {
        b'1' => version == 0x00,
        b'3' => version == 0x05 || version == 0x32,
        b'L' => version == 0x30,
        b'M' => version == 0x32,
        b'D' => version == 0x1e,
        b'A' | b'9' => version == 0x16,
        b'T' => version == 0x41,
        b'm' | b'n' => version == 0x6f,
        b'2' => version == 0xc4,
        _ => false,
    };
    fits.then_some(if matches!(bytes[0], b'1' | b'3') {
        1.0
    } else {
        0.9
    })
}

/// The version byte of a base58check string that encodes a version byte and a 20-byte hash.
fn version_byte(word: &str) -> Option<u8> {
    if !validate::base58check(word) {
        return None;
    }
    let decoded = validate::base58_decode(word)?;
    (decoded.len() == 25).then(|| decoded[0])
}

#[cfg(test)]
mod tests {
    use crate::EntityType;
    use crate::testing::values_of;

    fn check(input: &str, expect: &[&str]) {
        assert_eq!(
            values_of(input, &EntityType::Crypto),
            expect,
            "in {input:?}"
        );
    }

    #[test]
    fn finds_checksummed_addresses() {
        check(
            "16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyZ 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
            &[
                "16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyZ",
                "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
            ],
        );
        check(
            "pay bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq.",
            &["bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"],
        );
        check(
            "eth 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            &["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"],
        );
        check(
            "xrp rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh",
            &["rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh"],
        );
    }

    #[test]
    fn rejects_broken_checksums() {
        check("16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyZ2", &[]);
        check("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", &[]);
        check(
            "8f953371d3e85eddb89b05ed6b9e680791055315c73e1025ab5dba7bb2aee189",
            &[],
        );
        check("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp", &[]);
    }
}
