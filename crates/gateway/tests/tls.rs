//! TLS and mTLS on the real listener: certificates made on the fly (rcgen), reqwest as the client.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::print_stderr,
    clippy::panic
)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use warden_gateway::{Config, StaticKeys, build_state, serve};

struct Pki {
    ca_pem: String,
    server_cert: String,
    server_key: String,
    client_identity: String,
}

fn pki() -> Pki {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&server_key, &ca)
        .unwrap();
    let client_key = KeyPair::generate().unwrap();
    let client = CertificateParams::new(vec!["client.example".to_owned()])
        .unwrap()
        .signed_by(&client_key, &ca)
        .unwrap();
    Pki {
        ca_pem: ca.pem(),
        server_cert: server.pem(),
        server_key: server_key.serialize_pem(),
        client_identity: format!("{}{}", client.pem(), client_key.serialize_pem()),
    }
}

async fn start(dir: &Path, client_ca: bool) -> (String, Arc<warden_gateway::AppState>) {
    start_with(dir, client_ca, "").await
}

async fn start_with(
    dir: &Path,
    client_ca: bool,
    extra: &str,
) -> (String, Arc<warden_gateway::AppState>) {
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    let ca = dir.join("ca.pem");
    let ca_line = if client_ca {
        format!(", client_ca = \"{}\"", ca.display())
    } else {
        String::new()
    };
    let text = format!(
        "[server]\ntls = {{ cert = \"{}\", key = \"{}\"{ca_line} }}\n{extra}",
        cert.display(),
        key.display()
    );
    let config = Config::parse("tls.toml", &text, &HashMap::new()).unwrap();
    let state = Arc::new(build_state(config, Arc::new(StaticKeys::default())).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let served = Arc::clone(&state);
    tokio::spawn(async move { serve(served, listener, std::future::pending()).await });
    (format!("https://localhost:{port}"), state)
}

fn write(dir: &Path, pki: &Pki) {
    std::fs::write(dir.join("cert.pem"), &pki.server_cert).unwrap();
    std::fs::write(dir.join("key.pem"), &pki.server_key).unwrap();
    std::fs::write(dir.join("ca.pem"), &pki.ca_pem).unwrap();
}

fn client(pki: &Pki, identity: bool) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(pki.ca_pem.as_bytes()).unwrap()])
        .resolve("localhost", "127.0.0.1:0".parse().unwrap());
    if identity {
        builder =
            builder.identity(reqwest::Identity::from_pem(pki.client_identity.as_bytes()).unwrap());
    }
    builder.build().unwrap()
}

#[tokio::test]
async fn serves_https_with_a_verified_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki();
    write(dir.path(), &pki);
    let (base, _) = start(dir.path(), false).await;
    let response = client(&pki, false)
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("x-request-id"));
    // Plain HTTP to the TLS port gets no HTTP answer.
    let plain = reqwest::Client::new()
        .get(base.replace("https://localhost", "http://127.0.0.1") + "/healthz")
        .send()
        .await;
    assert!(plain.is_err() || plain.unwrap().status() != 200);
}

#[tokio::test]
async fn mutual_tls_requires_a_client_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki();
    write(dir.path(), &pki);
    let (base, _) = start(dir.path(), true).await;
    let without = client(&pki, false)
        .get(format!("{base}/healthz"))
        .send()
        .await;
    assert!(
        without.is_err(),
        "a client without a certificate got through"
    );
    let with = client(&pki, true)
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(with.status(), 200);
}

#[tokio::test]
async fn a_mapped_client_certificate_is_a_principal_without_an_api_key() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki();
    write(dir.path(), &pki);
    let mapping = "[[server.client_certs]]\nsubject = \"client.example\"\nroles = [\"user\"]\n";
    let (base, _) = start_with(dir.path(), true, mapping).await;
    let with_cert = client(&pki, true);
    // No Authorization header: the certificate's name is the principal, with role `user`.
    let scanned = with_cert
        .post(format!("{base}/v1/scan"))
        .json(&serde_json::json!({"text": "mail bob@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(scanned.status(), 200);
    // The role decides: the admin API stays closed to it.
    let admin = with_cert
        .get(format!("{base}/admin/keys"))
        .send()
        .await
        .unwrap();
    assert_eq!(admin.status(), 403);
    // A key sent along is what identifies the caller (an unknown one is refused).
    let keyed = with_cert
        .post(format!("{base}/v1/scan"))
        .json(&serde_json::json!({"text": "hello"}))
        .bearer_auth("wdn_unknownunknownunknownunknownunknownunkn1")
        .send()
        .await
        .unwrap();
    assert_eq!(keyed.status(), 401);

    // A certificate whose names are not mapped gets no principal.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &pki);
    let other = "[[server.client_certs]]\nsubject = \"someone.else\"\nroles = [\"admin\"]\n";
    let (base, _) = start_with(dir.path(), true, other).await;
    let unmapped = client(&pki, true)
        .post(format!("{base}/v1/scan"))
        .json(&serde_json::json!({"text": "hello"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unmapped.status(), 401);
}

#[test]
fn client_certificate_principals_need_a_client_ca() {
    let text = "[[server.client_certs]]\nsubject = \"a\"\nroles = [\"user\"]\n";
    let error = Config::parse("t.toml", text, &HashMap::new())
        .unwrap_err()
        .to_string();
    assert!(error.contains("server.client_certs[0]"), "{error}");
    assert!(error.contains("client_ca"), "{error}");
}

#[test]
fn a_certificate_names_its_alternative_names_then_its_common_name() {
    let mut params = CertificateParams::new(vec![
        "svc.example".to_owned(),
        "spiffe://corp/billing".to_owned(),
    ])
    .unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "billing");
    let cert = params.self_signed(&KeyPair::generate().unwrap()).unwrap();
    let names = warden_gateway::tls::ClientCert::from_der(cert.der()).identities;
    assert_eq!(names, ["svc.example", "spiffe://corp/billing", "billing"]);
    assert!(
        warden_gateway::tls::ClientCert::from_der(b"not a certificate")
            .identities
            .is_empty()
    );
}

#[tokio::test]
async fn reload_swaps_certificates_and_a_bad_reload_keeps_the_old_ones() {
    let dir = tempfile::tempdir().unwrap();
    let first = pki();
    write(dir.path(), &first);
    let (base, state) = start(dir.path(), false).await;
    let tls = state.tls.clone().unwrap();
    // A broken key file: the reload fails, naming the file, and the old certificate keeps serving.
    std::fs::write(dir.path().join("key.pem"), "not a key").unwrap();
    let error = tls.reload().unwrap_err().to_string();
    assert!(error.contains("key.pem"), "{error}");
    let response = client(&first, false)
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // New files from another CA: after the reload, only clients trusting the new CA connect.
    let second = pki();
    write(dir.path(), &second);
    tls.reload().unwrap();
    assert!(
        client(&first, false)
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_err()
    );
    let response = client(&second, false)
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[test]
fn unusable_files_fail_at_start_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "[server]\ntls = {{ cert = \"{}\", key = \"{}\" }}\n",
        dir.path().join("missing.pem").display(),
        dir.path().join("key.pem").display()
    );
    let config = Config::parse("tls.toml", &text, &HashMap::new()).unwrap();
    let Err(error) = build_state(config, Arc::new(StaticKeys::default())) else {
        panic!("a missing certificate file was accepted");
    };
    let error = error.to_string();
    assert!(error.contains("missing.pem"), "{error}");
}
