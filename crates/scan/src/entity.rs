//! The catalogue of entity types: Presidio's vocabulary plus Warden's own.

use std::fmt;
use std::sync::Arc;

macro_rules! entities {
    ($( $(#[$doc:meta])* $variant:ident => $name:literal, $category:ident; )*) => {
        /// An entity type: what kind of sensitive value a finding is.
        ///
        /// Built-in types carry Presidio's names (`EMAIL_ADDRESS`, `US_SSN`, …) so datasets and tools line
        /// up; detectors from configuration bring their own names as [`EntityType::Custom`].
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum EntityType {
            $( $(#[$doc])* $variant, )*
            /// A type declared by a custom detector or a deny-list in configuration.
            Custom(Arc<str>),
        }

        impl EntityType {
            /// Every built-in type, in catalogue order.
            pub const BUILTIN: &'static [EntityType] = &[ $( EntityType::$variant, )* ];

            /// The type's name as written in configuration, findings and reports.
            pub fn as_str(&self) -> &str {
                match self {
                    $( EntityType::$variant => $name, )*
                    EntityType::Custom(name) => name,
                }
            }

            /// The broad category of the type; drives defaults such as the gateway's actions.
            pub fn category(&self) -> Category {
                match self {
                    $( EntityType::$variant => Category::$category, )*
                    EntityType::Custom(_) => Category::Custom,
                }
            }

            /// Looks a built-in type up by name; `GPE` is accepted for `LOCATION` (Presidio's alias).
            pub fn builtin(name: &str) -> Option<EntityType> {
                match name {
                    $( $name => Some(EntityType::$variant), )*
                    "GPE" => Some(EntityType::Location),
                    _ => None,
                }
            }
        }
    };
}

entities! {
    /// An e-mail address.
    EmailAddress => "EMAIL_ADDRESS", Contact;
    /// A telephone number, international or national format.
    PhoneNumber => "PHONE_NUMBER", Contact;
    /// A URL with a scheme or a `www.` host.
    Url => "URL", Contact;
    /// A bare domain name with a known top-level domain.
    DomainName => "DOMAIN_NAME", Contact;
    /// An IPv4 or IPv6 address.
    IpAddress => "IP_ADDRESS", Contact;
    /// A MAC address.
    MacAddress => "MAC_ADDRESS", Contact;
    /// A person's name.
    Person => "PERSON", Person;
    /// A city, region or country (Presidio's `LOCATION`, spaCy's `GPE`).
    Location => "LOCATION", Location;
    /// A street address.
    StreetAddress => "STREET_ADDRESS", Location;
    /// A postal code.
    ZipCode => "ZIP_CODE", Location;
    /// An organisation's name.
    Organization => "ORGANIZATION", Person;
    /// Nationality, religious or political group.
    Nrp => "NRP", Person;
    /// A date or a time.
    DateTime => "DATE_TIME", Person;
    /// A person's age.
    Age => "AGE", Person;
    /// A title or job title.
    Title => "TITLE", Person;
    /// A payment card number (Luhn-valid).
    CreditCard => "CREDIT_CARD", Financial;
    /// An IBAN (mod-97 valid).
    IbanCode => "IBAN_CODE", Financial;
    /// A US bank account number.
    UsBankNumber => "US_BANK_NUMBER", Financial;
    /// A US ABA routing transit number.
    AbaRoutingNumber => "ABA_ROUTING_NUMBER", Financial;
    /// A SWIFT/BIC code.
    SwiftCode => "SWIFT_CODE", Financial;
    /// A cryptocurrency wallet address.
    Crypto => "CRYPTO", Financial;
    /// US social security number.
    UsSsn => "US_SSN", Government;
    /// US individual taxpayer identification number.
    UsItin => "US_ITIN", Government;
    /// US passport number.
    UsPassport => "US_PASSPORT", Government;
    /// US driver's licence number.
    UsDriverLicense => "US_DRIVER_LICENSE", Government;
    /// US Medicare beneficiary identifier.
    UsMbi => "US_MBI", Health;
    /// US national provider identifier.
    UsNpi => "US_NPI", Health;
    /// US DEA / medical licence number.
    MedicalLicense => "MEDICAL_LICENSE", Health;
    /// UK NHS number.
    UkNhs => "UK_NHS", Health;
    /// UK national insurance number.
    UkNino => "UK_NINO", Government;
    /// UK passport number.
    UkPassport => "UK_PASSPORT", Government;
    /// UK postcode.
    UkPostcode => "UK_POSTCODE", Location;
    /// UK driving licence number.
    UkDrivingLicence => "UK_DRIVING_LICENCE", Government;
    /// UK vehicle registration.
    UkVehicleRegistration => "UK_VEHICLE_REGISTRATION", Government;
    /// Spanish NIF / DNI.
    EsNif => "ES_NIF", Government;
    /// Spanish NIE.
    EsNie => "ES_NIE", Government;
    /// Spanish passport number.
    EsPassport => "ES_PASSPORT", Government;
    /// Italian fiscal code.
    ItFiscalCode => "IT_FISCAL_CODE", Government;
    /// Italian driver's licence.
    ItDriverLicense => "IT_DRIVER_LICENSE", Government;
    /// Italian VAT code.
    ItVatCode => "IT_VAT_CODE", Financial;
    /// Italian passport number.
    ItPassport => "IT_PASSPORT", Government;
    /// Italian identity card number.
    ItIdentityCard => "IT_IDENTITY_CARD", Government;
    /// Indian permanent account number.
    InPan => "IN_PAN", Government;
    /// Indian Aadhaar number (Verhoeff).
    InAadhaar => "IN_AADHAAR", Government;
    /// Indian vehicle registration.
    InVehicleRegistration => "IN_VEHICLE_REGISTRATION", Government;
    /// Indian voter id (EPIC).
    InVoter => "IN_VOTER", Government;
    /// Indian passport number.
    InPassport => "IN_PASSPORT", Government;
    /// Indian GST identification number.
    InGstin => "IN_GSTIN", Financial;
    /// Australian business number.
    AuAbn => "AU_ABN", Financial;
    /// Australian company number.
    AuAcn => "AU_ACN", Financial;
    /// Australian tax file number.
    AuTfn => "AU_TFN", Government;
    /// Australian Medicare number.
    AuMedicare => "AU_MEDICARE", Health;
    /// Singapore NRIC/FIN.
    SgNricFin => "SG_NRIC_FIN", Government;
    /// Singapore unique entity number.
    SgUen => "SG_UEN", Financial;
    /// Canadian social insurance number.
    CaSin => "CA_SIN", Government;
    /// German Betriebsstättennummer.
    DeBsnr => "DE_BSNR", Health;
    /// German driving licence.
    DeFuehrerschein => "DE_FUEHRERSCHEIN", Government;
    /// German commercial register number.
    DeHandelsregister => "DE_HANDELSREGISTER", Financial;
    /// German health insurance number.
    DeHealthInsurance => "DE_HEALTH_INSURANCE", Health;
    /// German identity card number.
    DeIdCard => "DE_ID_CARD", Government;
    /// German vehicle registration.
    DeKfz => "DE_KFZ", Government;
    /// German lifelong doctor number.
    DeLanr => "DE_LANR", Health;
    /// German passport number.
    DePassport => "DE_PASSPORT", Government;
    /// German postal code.
    DePlz => "DE_PLZ", Location;
    /// German social security number.
    DeSocialSecurity => "DE_SOCIAL_SECURITY", Government;
    /// German tax id (Steuer-ID).
    DeTaxId => "DE_TAX_ID", Government;
    /// German tax number (Steuernummer).
    DeTaxNumber => "DE_TAX_NUMBER", Financial;
    /// German VAT id.
    DeVatId => "DE_VAT_ID", Financial;
    /// Finnish personal identity code.
    FiPersonalIdentityCode => "FI_PERSONAL_IDENTITY_CODE", Government;
    /// Korean business registration number.
    KrBrn => "KR_BRN", Financial;
    /// Korean driver's licence.
    KrDriverLicense => "KR_DRIVER_LICENSE", Government;
    /// Korean foreigner registration number.
    KrFrn => "KR_FRN", Government;
    /// Korean passport number.
    KrPassport => "KR_PASSPORT", Government;
    /// Korean resident registration number.
    KrRrn => "KR_RRN", Government;
    /// Nigerian national identification number.
    NgNin => "NG_NIN", Government;
    /// Nigerian vehicle registration.
    NgVehicleRegistration => "NG_VEHICLE_REGISTRATION", Government;
    /// Philippine tax identification number.
    PhTin => "PH_TIN", Government;
    /// Philippine mobile number.
    PhMobileNumber => "PH_MOBILE_NUMBER", Contact;
    /// Polish PESEL.
    PlPesel => "PL_PESEL", Government;
    /// Swedish organisation number.
    SeOrganisationsnummer => "SE_ORGANISATIONSNUMMER", Financial;
    /// Swedish personal identity number.
    SePersonnummer => "SE_PERSONNUMMER", Government;
    /// Thai national id.
    ThTnin => "TH_TNIN", Government;
    /// Turkish licence plate.
    TrLicensePlate => "TR_LICENSE_PLATE", Government;
    /// Turkish national id (TCKN).
    TrNationalId => "TR_NATIONAL_ID", Government;
    /// Turkish phone number.
    TrPhoneNumber => "TR_PHONE_NUMBER", Contact;
    /// South African id number.
    ZaIdNumber => "ZA_ID_NUMBER", Government;
    /// A credential: API key, token, private key, password, connection string. See `Finding::subtype`.
    Secret => "SECRET", Secret;
    /// An attempt to override the model's instructions.
    PromptInjection => "PROMPT_INJECTION", Injection;
}

/// Broad groups of entity types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Category {
    /// E-mail, phone, URLs, network addresses.
    Contact,
    /// Names, organisations, demographics, dates.
    Person,
    /// Places and addresses.
    Location,
    /// Payment and banking.
    Financial,
    /// Government identifiers.
    Government,
    /// Health identifiers.
    Health,
    /// Credentials.
    Secret,
    /// Prompt injection.
    Injection,
    /// From configuration.
    Custom,
}

impl EntityType {
    /// Parses a type name: a built-in name (or `GPE`), otherwise a custom type if the name is a valid
    /// identifier (`A-Z`, `0-9`, `_`, starting with a letter, at most 64 characters).
    pub fn parse(name: &str) -> Option<EntityType> {
        if let Some(builtin) = EntityType::builtin(name) {
            return Some(builtin);
        }
        let valid = !name.is_empty()
            && name.len() <= 64
            && name.as_bytes()[0].is_ascii_uppercase()
            && name
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        valid.then(|| EntityType::Custom(Arc::from(name)))
    }

    /// True for personal data (everything except secrets and injection).
    pub fn is_personal_data(&self) -> bool {
        !matches!(self.category(), Category::Secret | Category::Injection)
    }
}

impl fmt::Display for EntityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for EntityType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for EntityType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        EntityType::parse(&name)
            .ok_or_else(|| serde::de::Error::custom(format_args!("unknown entity type `{name}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for entity in EntityType::BUILTIN {
            assert_eq!(EntityType::parse(entity.as_str()).as_ref(), Some(entity));
        }
        assert_eq!(EntityType::parse("GPE"), Some(EntityType::Location));
        assert_eq!(
            EntityType::parse("EMPLOYEE_ID")
                .map(|e| e.to_string())
                .as_deref(),
            Some("EMPLOYEE_ID")
        );
        assert_eq!(EntityType::parse("lower"), None);
        assert_eq!(EntityType::parse(""), None);
    }
}
