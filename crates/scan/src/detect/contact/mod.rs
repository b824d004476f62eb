//! Contact and network identifiers: e-mail addresses, phone numbers, URLs, domain names, IP and MAC
//! addresses.
//!
//! Scores follow one scale so that overlaps resolve sensibly: an e-mail address (1.0) beats the domain
//! inside it, a URL (0.6–0.7) beats the domain (≤ 0.55) and the IP address inside it, and phone
//! numbers stay at or below 0.6 so that a Luhn-valid card or a checksummed identifier over the same
//! digits wins.

use crate::detect::Detector;

mod email;
mod host;
mod network;
mod phone;
mod url;

pub(crate) fn detectors() -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(email::Email),
        Box::new(phone::Phone::default()),
        Box::new(url::Url::default()),
        Box::new(url::Domain::default()),
        Box::new(network::Ip::default()),
        Box::new(network::Mac::default()),
    ]
}
