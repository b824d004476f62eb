//! TLS for the listener (SPEC §2 step 1): rustls with aws-lc-rs, TLS 1.2 and 1.3 only, optional
//! client certificates (mTLS), certificates reloaded on demand (SIGHUP) without dropping
//! connections.
//!
//! A reload that fails (a missing file, a key that does not match) keeps the previous certificates
//! and reports the error; new connections use the new configuration, open ones keep theirs.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use rustls::RootCertStore;
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

/// The certificate files of `[server] tls`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    /// The server's certificate chain (PEM).
    pub cert: PathBuf,
    /// Its private key (PEM, PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
    /// CA certificates for client certificates (PEM); when set, every client must present one.
    pub client_ca: Option<PathBuf>,
}

/// Why TLS could not be set up; names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A PEM file could not be read or holds nothing usable.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// rustls refused the combination (a key that does not match the certificate, …).
    #[error("TLS configuration: {0}")]
    Config(String),
}

fn file_error(path: &Path, reason: impl ToString) -> TlsError {
    TlsError::File {
        path: path.to_owned(),
        reason: reason.to_string(),
    }
}

/// The current TLS configuration, replaceable at run time.
pub struct TlsReloader {
    files: TlsFiles,
    current: RwLock<TlsAcceptor>,
}

impl std::fmt::Debug for TlsReloader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsReloader")
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

impl TlsReloader {
    /// Loads the files; fails if any is unusable.
    pub fn load(files: TlsFiles) -> Result<TlsReloader, TlsError> {
        let acceptor = TlsAcceptor::from(Arc::new(build(&files)?));
        Ok(TlsReloader {
            files,
            current: RwLock::new(acceptor),
        })
    }

    /// Reads the files again; on failure the previous configuration stays.
    pub fn reload(&self) -> Result<(), TlsError> {
        let acceptor = TlsAcceptor::from(Arc::new(build(&self.files)?));
        match self.current.write() {
            Ok(mut current) => *current = acceptor,
            Err(poisoned) => *poisoned.into_inner() = acceptor,
        }
        Ok(())
    }

    /// The acceptor for a new connection.
    pub fn acceptor(&self) -> TlsAcceptor {
        match self.current.read() {
            Ok(current) => current.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

fn build(files: &TlsFiles) -> Result<rustls::ServerConfig, TlsError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.cert)
        .map_err(|e| file_error(&files.cert, e))?
        .collect::<Result<_, _>>()
        .map_err(|e| file_error(&files.cert, e))?;
    if certs.is_empty() {
        return Err(file_error(&files.cert, "no certificate in the file"));
    }
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| file_error(&files.key, e))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| TlsError::Config(e.to_string()))?;
    let builder = match &files.client_ca {
        None => builder.with_no_client_auth(),
        Some(path) => {
            let mut roots = RootCertStore::empty();
            let cas = CertificateDer::pem_file_iter(path)
                .map_err(|e| file_error(path, e))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| file_error(path, e))?;
            for ca in cas {
                roots.add(ca).map_err(|e| file_error(path, e))?;
            }
            if roots.is_empty() {
                return Err(file_error(path, "no CA certificate in the file"));
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| file_error(path, e))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder
        .with_single_cert(certs, key)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// The verified client certificate of a mutual-TLS connection, as the names it carries: its
/// subject alternative names (DNS, URI, e-mail) in order, then its subject common name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientCert {
    /// The names, as written in the certificate.
    pub identities: Vec<String>,
}

impl ClientCert {
    /// The names in a DER certificate (rustls verified it against `client_ca` already); an
    /// unparsable certificate has none, so it maps to no principal.
    pub fn from_der(der: &[u8]) -> ClientCert {
        use x509_parser::extensions::GeneralName;
        let Ok((_, certificate)) = x509_parser::parse_x509_certificate(der) else {
            return ClientCert::default();
        };
        let mut identities = Vec::new();
        if let Ok(Some(names)) = certificate.subject_alternative_name() {
            for name in &names.value.general_names {
                match name {
                    GeneralName::DNSName(value)
                    | GeneralName::URI(value)
                    | GeneralName::RFC822Name(value) => identities.push((*value).to_owned()),
                    _ => {}
                }
            }
        }
        for common_name in certificate.subject().iter_common_name() {
            if let Ok(value) = common_name.as_str() {
                identities.push(value.to_owned());
            }
        }
        ClientCert { identities }
    }
}
