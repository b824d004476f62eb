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

#[cfg(test)]
mod tests {
    use crate::{Scanner, ScannerConfig};

    /// Every finding of the pattern detectors (no tagger) as `(type, value, score)`.
    fn scan(input: &str) -> Vec<(String, &str, f32)> {
        Scanner::new(&ScannerConfig {
            ner: false,
            ..ScannerConfig::default()
        })
        .unwrap()
        .scan(input)
        .into_iter()
        .map(|f| {
            (
                f.entity_type.to_string(),
                &input[f.byte_start..f.byte_end],
                f.score,
            )
        })
        .collect()
    }

    fn check(input: &str, expect: &[(&str, &str)]) {
        let found: Vec<(String, &str)> = scan(input).into_iter().map(|(t, v, _)| (t, v)).collect();
        let expect: Vec<(String, &str)> =
            expect.iter().map(|(t, v)| ((*t).to_owned(), *v)).collect();
        assert_eq!(found, expect, "in {input:?}");
    }

    #[test]
    fn overlaps_resolve_to_the_more_specific_type() {
        // The e-mail beats the domain inside it; the URL beats its host and its IP literal.
        check("jane@example.com", &[("EMAIL_ADDRESS", "jane@example.com")]);
        check("https://example.com/x", &[("URL", "https://example.com/x")]);
        check("http://10.1.2.3:8080/", &[("URL", "http://10.1.2.3:8080/")]);
        // A Luhn-valid card beats any phone or bank-account reading of the same digits.
        check(
            "call 4111111111111111",
            &[("CREDIT_CARD", "4111111111111111")],
        );
        check(
            "account 4111111111111111",
            &[("CREDIT_CARD", "4111111111111111")],
        );
        // An IBAN beats everything inside it.
        check(
            "iban DE89 3704 0044 0532 0130 00",
            &[("IBAN_CODE", "DE89 3704 0044 0532 0130 00")],
        );
        // A MAC address is not a phone number.
        check(
            "mac 00-11-22-33-44-55",
            &[("MAC_ADDRESS", "00-11-22-33-44-55")],
        );
    }

    #[test]
    fn context_moves_scores() {
        let weak = scan("code 9472 7916");
        assert!(weak.is_empty(), "{weak:?}");
        let with_context = scan("phone 9472 7916");
        assert_eq!(with_context.len(), 1);
        assert!((with_context[0].2 - 0.55).abs() < 1e-6, "{with_context:?}");
        let ip_plain = scan("at 10.20.30.40");
        let ip_context = scan("server ip 10.20.30.40");
        assert!(ip_context[0].2 > ip_plain[0].2);
    }

    #[test]
    fn unicode_neighbours_and_code_point_offsets() {
        let input = "Ж№ 192.168.0.1，电话 +86 138 1234 5678。café@exemple.fr";
        let findings = Scanner::new(&ScannerConfig::default()).unwrap().scan(input);
        let got: Vec<(&str, usize, usize)> = findings
            .iter()
            .map(|f| (f.entity_type.as_str(), f.start, f.end))
            .collect();
        let chars = |s: &str| input[..input.find(s).unwrap()].chars().count();
        assert_eq!(
            got,
            [
                ("IP_ADDRESS", chars("192"), chars("192") + 11),
                ("PHONE_NUMBER", chars("+86"), chars("+86") + 17),
                ("EMAIL_ADDRESS", chars("café"), chars("café") + 15),
            ]
        );
    }
}
