//! Payment and banking identifiers: payment cards, IBANs, US bank account and ABA routing numbers,
//! SWIFT/BIC codes and cryptocurrency addresses.
//!
//! Checksummed formats score high on their own (a Luhn-valid 16-digit card with a known issuer 1.0,
//! a mod-97-valid IBAN 1.0, a base58check or bech32 address 1.0), so they win overlaps against
//! phone or bank-account readings of the same characters. Formats without a strong check (bank
//! account numbers, routing numbers without their dashes, all-letter BICs) stay below the default
//! threshold unless context words support them.

use crate::detect::Detector;

mod bank;
mod card;
mod crypto;
mod iban;

pub(crate) fn detectors() -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(card::Card::default()),
        Box::new(iban::Iban::default()),
        Box::new(bank::UsBank::default()),
        Box::new(bank::AbaRouting::default()),
        Box::new(bank::Swift::default()),
        Box::new(crypto::Crypto::default()),
    ]
}
