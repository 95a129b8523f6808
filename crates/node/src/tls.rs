//! Node identities: a certificate for each node, issued by the network's own CA (separate
//! from the residents' JPKI). Created on first start and kept in the node's state folder.

use std::{
    fs,
    path::{Path, PathBuf},
};

use rcgen::{BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{path}: {err}")]
    Io { path: PathBuf, err: std::io::Error },
    #[error("certificate generation: {0}")]
    Rcgen(#[from] rcgen::Error),
}

/// The PEM files of one node: its certificate and key, and the network CA that issued it.
#[derive(Clone, Debug)]
pub struct NodeIdentity {
    pub ca_pem: String,
    pub cert_pem: String,
    pub key_pem: String,
}

fn read(path: &Path) -> Result<Option<String>, TlsError> {
    match fs::read_to_string(path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(TlsError::Io { path: path.to_path_buf(), err }),
    }
}

/// Writes a file readable by its owner only (private keys, certificates, tokens), synced.
pub fn write_private(path: &Path, s: &str) -> Result<(), TlsError> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|err| TlsError::Io { path: dir.to_path_buf(), err })?;
    }
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let io = |err| TlsError::Io { path: path.to_path_buf(), err };
    let mut f = opts.open(path).map_err(io)?;
    f.write_all(s.as_bytes()).map_err(io)?;
    f.sync_all().map_err(io)
}

fn ca_params() -> Result<CertificateParams, TlsError> {
    let mut p = CertificateParams::new(Vec::<String>::new())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "JP");
    dn.push(DnType::OrganizationName, "myna network");
    dn.push(DnType::CommonName, "myna network CA");
    p.distinguished_name = dn;
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    Ok(p)
}

impl NodeIdentity {
    /// Loads a member's identity from `network_dir/<node>/` and the CA certificate, issuing
    /// nothing (a clerk's tool holds its organization's certificate, not the CA's key).
    pub fn load(network_dir: &Path, node: &str) -> Result<Self, TlsError> {
        let missing = |p: PathBuf| TlsError::Io {
            err: std::io::Error::new(std::io::ErrorKind::NotFound, "not found: is this the network folder?"),
            path: p,
        };
        let (ca, cert, key) = (
            network_dir.join("ca.pem"),
            network_dir.join(node).join("node.pem"),
            network_dir.join(node).join("node.key"),
        );
        let ca_pem = read(&ca)?.ok_or_else(|| missing(ca.clone()))?;
        let cert_pem = read(&cert)?.ok_or_else(|| missing(cert.clone()))?;
        let key_pem = read(&key)?.ok_or_else(|| missing(key.clone()))?;
        Ok(Self { ca_pem, cert_pem, key_pem })
    }

    /// Loads the network CA from `network_dir` (creating it on first use) and this node's
    /// certificate from `network_dir/<node>/` (issuing it on first use), valid for
    /// `localhost` and 127.0.0.1 plus `extra_names`.
    pub fn load_or_create(network_dir: &Path, node: &str, extra_names: &[String]) -> Result<Self, TlsError> {
        // A node provisioned with its certificate needs nothing more: its folder holds the
        // CA's certificate, never the CA's key (`myna country` gives each node only its own).
        if let Ok(provisioned) = Self::load(network_dir, node) {
            return Ok(provisioned);
        }
        let (ca_cert_path, ca_key_path) = (network_dir.join("ca.pem"), network_dir.join("ca.key"));
        let (ca_pem, ca_key) = match (read(&ca_cert_path)?, read(&ca_key_path)?) {
            (Some(c), Some(k)) => (c, KeyPair::from_pem(&k)?),
            _ => {
                let key = KeyPair::generate()?;
                let cert = ca_params()?.self_signed(&key)?;
                write_private(&ca_key_path, &key.serialize_pem())?;
                write_private(&ca_cert_path, &cert.pem())?;
                (cert.pem(), key)
            }
        };
        let dir = network_dir.join(node);
        let (cert_path, key_path) = (dir.join("node.pem"), dir.join("node.key"));
        if let (Some(cert_pem), Some(key_pem)) = (read(&cert_path)?, read(&key_path)?) {
            return Ok(Self { ca_pem, cert_pem, key_pem });
        }
        let mut names = vec!["localhost".to_string(), "127.0.0.1".to_string(), node.to_string()];
        names.extend(extra_names.iter().cloned());
        let mut p = CertificateParams::new(names)?;
        p.distinguished_name.push(DnType::OrganizationName, "myna network");
        p.distinguished_name.push(DnType::CommonName, node);
        let key = KeyPair::generate()?;
        let issuer = Issuer::new(ca_params()?, ca_key);
        let cert = p.signed_by(&key, &issuer)?;
        write_private(&key_path, &key.serialize_pem())?;
        write_private(&cert_path, &cert.pem())?;
        Ok(Self { ca_pem, cert_pem: cert.pem(), key_pem: key.serialize_pem() })
    }
}

impl NodeIdentity {
    /// An HTTPS client for talking to other nodes: it trusts only the network CA and presents
    /// this node's certificate (mutual TLS).
    pub fn client(&self) -> Result<reqwest::Client, TlsError> {
        let bad =
            |e: reqwest::Error| TlsError::Io { path: "node.pem".into(), err: std::io::Error::other(e.to_string()) };
        let ca = reqwest::Certificate::from_pem(self.ca_pem.as_bytes()).map_err(bad)?;
        let id = reqwest::Identity::from_pem(format!("{}\n{}", self.cert_pem, self.key_pem).as_bytes()).map_err(bad)?;
        reqwest::Client::builder()
            .tls_certs_only([ca])
            .identity(id)
            .pool_max_idle_per_host(64)
            // Nodes close connections idle for 60 s (`Limits::idle`); drop ours first.
            .pool_idle_timeout(std::time::Duration::from_secs(30))
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(bad)
    }
}
