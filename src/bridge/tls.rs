//! TLS for `tls:` links to TAK servers (port 8089, client certificates):
//! loading PEM and PKCS#12 credentials once at start, a non-blocking
//! stream over rustls for the bridge's poll loop, and error messages that
//! say what failed (unknown CA, certificate required, expired, a plain TCP
//! port).

use std::fmt;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{AlertDescription, CertificateError, ClientConfig, ClientConnection, RootCertStore};
use socket2::Socket;

use crate::error::usage;

/// What the command line says about TLS.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    /// Client certificate chain (PEM).
    pub cert: Option<PathBuf>,
    /// Its private key (PEM).
    pub key: Option<PathBuf>,
    /// Trusted CA certificates (PEM, or a PKCS#12 truststore).
    pub ca: Option<PathBuf>,
    /// Client certificate and key in PKCS#12 (TAK data packages ship
    /// these); its CA certificates are trusted when `ca` is not given.
    pub p12: Option<PathBuf>,
    /// The PKCS#12 password (TAK's default is `atakatak`).
    pub p12_password: Option<String>,
    /// The name to verify the server certificate against, instead of the
    /// link's host.
    pub server_name: Option<String>,
    /// Accept a server certificate that does not carry the server's name or
    /// address (the chain is still verified against the CA).
    pub no_name_check: bool,
}

/// A loaded client configuration and the name checking it does.
#[derive(Clone)]
pub struct Tls {
    config: Arc<ClientConfig>,
    server_name: Option<String>,
}

impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tls")
            .field("server_name", &self.server_name)
            .finish_non_exhaustive()
    }
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("read {what} {}", path.display()))
}

fn is_p12(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("p12") || e.eq_ignore_ascii_case("pfx"))
}

/// A PKCS#12 file's key chains and loose certificates.
fn open_p12(path: &Path, password: &str) -> Result<p12_keystore::KeyStore> {
    let data = read(path, "PKCS#12 file")?;
    p12_keystore::KeyStore::from_pkcs12(&data, password, p12_keystore::Pkcs12ImportPolicy::Relaxed)
        .map_err(|e| match e {
            p12_keystore::error::Error::MacError(_) => usage(format!(
                "{}: wrong PKCS#12 password (--p12-password or MCAST_P12_PASSWORD; TAK's default is atakatak)",
                path.display()
            )),
            other => usage(format!("{}: not a PKCS#12 file mcast can read: {other}", path.display())),
        })
}

fn pem_certs(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>> {
    let data = read(path, what)?;
    let certs = CertificateDer::pem_slice_iter(&data)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| usage(format!("{}: not a PEM {what}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(usage(format!(
            "{}: no certificate in it (expected PEM with BEGIN CERTIFICATE)",
            path.display()
        )));
    }
    Ok(certs)
}

impl Tls {
    /// Loads the credentials and builds the client configuration. Errors
    /// name the file and what is wrong with it.
    pub fn load(o: &TlsOptions) -> Result<Tls> {
        let password = o.p12_password.clone().unwrap_or_default();
        let mut roots = RootCertStore::empty();
        let mut chain: Vec<CertificateDer<'static>> = Vec::new();
        let mut key: Option<PrivateKeyDer<'static>> = None;
        let mut p12_cas: Vec<CertificateDer<'static>> = Vec::new();
        if let Some(p) = &o.p12 {
            let ks = open_p12(p, &password)?;
            for (_, entry) in ks.entries() {
                match entry {
                    p12_keystore::KeyStoreEntry::PrivateKeyChain(kc) if key.is_none() => {
                        key = Some(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                            kc.key().as_der().to_vec(),
                        )));
                        let certs = kc.certs();
                        chain = certs
                            .iter()
                            .map(|c| CertificateDer::from(c.as_der().to_vec()))
                            .collect();
                        // Past the leaf, the chain's certificates are the
                        // issuing CAs.
                        p12_cas.extend(chain.iter().skip(1).cloned());
                    }
                    p12_keystore::KeyStoreEntry::Certificate(c) => {
                        p12_cas.push(CertificateDer::from(c.as_der().to_vec()));
                    }
                    _ => {}
                }
            }
            if key.is_none() || chain.is_empty() {
                return Err(usage(format!(
                    "{}: holds no private key with its certificate",
                    p.display()
                )));
            }
        }
        match (&o.cert, &o.key) {
            (Some(c), Some(k)) => {
                chain = pem_certs(c, "certificate")?;
                let data = read(k, "private key")?;
                key =
                    Some(PrivateKeyDer::from_pem_slice(&data).map_err(|e| {
                        usage(format!("{}: not a PEM private key: {e}", k.display()))
                    })?);
            }
            (None, None) => {}
            _ => return Err(usage("--cert and --key go together")),
        }
        match &o.ca {
            Some(ca) if is_p12(ca) => {
                for (_, entry) in open_p12(ca, &password)?.entries() {
                    if let p12_keystore::KeyStoreEntry::Certificate(c) = entry {
                        add_root(&mut roots, CertificateDer::from(c.as_der().to_vec()), ca)?;
                    }
                }
            }
            Some(ca) => {
                for c in pem_certs(ca, "CA certificate")? {
                    add_root(&mut roots, c, ca)?;
                }
            }
            None => {
                let p = o.p12.as_deref().unwrap_or(Path::new("--p12"));
                for c in p12_cas {
                    add_root(&mut roots, c, p)?;
                }
            }
        }
        if roots.is_empty() {
            return Err(usage(
                "no CA to verify the server with: give --ca (PEM or a truststore .p12), \
                 or a --p12 that carries its CA",
            ));
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .context("set up certificate verification")?;
        let fixed = match &o.server_name {
            Some(name) => Some(
                ServerName::try_from(name.clone())
                    .map_err(|e| usage(format!("--tls-server-name {name:?}: {e}")))?,
            ),
            None => None,
        };
        let verifier: Arc<dyn ServerCertVerifier> = if o.no_name_check || fixed.is_some() {
            Arc::new(NameCheck {
                inner: verifier,
                fixed,
                lenient: o.no_name_check,
            })
        } else {
            verifier
        };
        let builder = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .context("TLS protocol versions")?
            .dangerous()
            .with_custom_certificate_verifier(verifier);
        let config = match key {
            Some(k) => builder.with_client_auth_cert(chain, k).map_err(|e| {
                usage(format!(
                    "the client certificate cannot be used with its key: {e}"
                ))
            })?,
            None => builder.with_no_client_auth(),
        };
        Ok(Tls {
            config: Arc::new(config),
            server_name: o.server_name.clone(),
        })
    }

    /// The rustls configuration, for clients that run their own
    /// connections (MQTT). With `--tls-server-name` its verifier checks
    /// that name whatever host the client connects to.
    pub fn client_config(&self) -> Arc<ClientConfig> {
        self.config.clone()
    }

    /// A new client connection to `host` (or the configured name).
    pub fn connect(&self, host: &str) -> io::Result<ClientConnection> {
        let name = self.server_name.as_deref().unwrap_or(host);
        let name = ServerName::try_from(
            name.trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
        )
        .map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("server name {name:?}: {e}"),
            )
        })?;
        ClientConnection::new(self.config.clone(), name)
            .map_err(|e| io::Error::other(format!("TLS setup: {e}")))
    }
}

fn add_root(roots: &mut RootCertStore, c: CertificateDer<'static>, from: &Path) -> Result<()> {
    roots.add(c).map_err(|e| {
        usage(format!(
            "{}: not a usable CA certificate: {e}",
            from.display()
        ))
    })
}

/// The standard verification, but a certificate that does not name the
/// server is accepted (`--tls-no-name-check`): servers reached by an
/// address their certificate does not list. The chain, validity period and
/// signatures are still checked.
///
/// With `--tls-server-name` it also checks that name whatever name the
/// connection was opened with (MQTT clients open it with the broker's host).
#[derive(Debug)]
struct NameCheck {
    inner: Arc<WebPkiServerVerifier>,
    fixed: Option<ServerName<'static>>,
    lenient: bool,
}

impl ServerCertVerifier for NameCheck {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let name = self.fixed.as_ref().unwrap_or(server_name);
        match self
            .inner
            .verify_server_cert(end_entity, intermediates, name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if self.lenient => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// A TLS failure in words a TAK user can act on.
pub fn explain(e: &rustls::Error) -> String {
    use rustls::Error as E;
    match e {
        E::InvalidCertificate(CertificateError::UnknownIssuer) => {
            "the server's certificate is not signed by the CA given (--ca, or the CA in the .p12)"
                .into()
        }
        E::InvalidCertificate(
            CertificateError::Expired | CertificateError::ExpiredContext { .. },
        ) => "the server's certificate has expired".into(),
        E::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => "the server's certificate does not carry this host name or address \
              (--tls-server-name NAME, or --tls-no-name-check)"
            .into(),
        E::AlertReceived(AlertDescription::CertificateRequired) => {
            "the server requires a client certificate (--p12 or --cert/--key)".into()
        }
        E::AlertReceived(
            AlertDescription::UnknownCA
            | AlertDescription::BadCertificate
            | AlertDescription::DecryptError,
        ) => "the server refused the client certificate (not issued by a CA it trusts?)".into(),
        E::AlertReceived(AlertDescription::CertificateExpired) => {
            "the server says the client certificate has expired".into()
        }
        E::AlertReceived(AlertDescription::HandshakeFailure) => {
            "the server refused the handshake (no client certificate given, or no common cipher)"
                .into()
        }
        E::InvalidMessage(_)
        | E::InappropriateMessage { .. }
        | E::InappropriateHandshakeMessage { .. } => {
            "the server did not answer in TLS: a plain TCP port? (use tcp:HOST:PORT)".into()
        }
        other => other.to_string(),
    }
}

/// A TLS stream over a non-blocking socket, for the poll loop: reads and
/// writes never block, `WouldBlock` means "wait for the socket".
pub struct TlsStream {
    /// The socket (for poll).
    pub sock: Socket,
    conn: ClientConnection,
}

impl TlsStream {
    /// Starts the handshake over a connected socket.
    pub fn new(sock: Socket, conn: ClientConnection) -> TlsStream {
        TlsStream { sock, conn }
    }

    /// True while the handshake is not done.
    pub fn handshaking(&self) -> bool {
        self.conn.is_handshaking()
    }

    /// True when TLS records wait to be written.
    pub fn wants_write(&self) -> bool {
        self.conn.wants_write()
    }

    /// Writes pending TLS records until the socket would block.
    pub fn push(&mut self) -> io::Result<()> {
        while self.conn.wants_write() {
            match self.conn.write_tls(&mut SockIo(&self.sock)) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Reads decrypted bytes; `Ok(0)` when the server closed.
    pub fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.conn.reader().read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                // A close without close_notify: the server just went away.
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(0),
                Err(e) => return Err(e),
            }
            match self.conn.read_tls(&mut SockIo(&self.sock)) {
                Ok(0) => return Ok(0),
                Ok(_) => {
                    if let Err(e) = self.conn.process_new_packets() {
                        // Tell the server why, then report it.
                        let _ = self.push();
                        return Err(io::Error::other(TlsError(explain(&e))));
                    }
                    self.push()?;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Writes plaintext (buffered by rustls until the handshake is done).
    pub fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = self.conn.writer().write(data)?;
        self.push()?;
        Ok(n)
    }
}

/// A TLS failure, kept as its own type so that the peer can tell it from
/// an I/O error in messages.
#[derive(Debug)]
pub struct TlsError(pub String);

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TlsError {}

/// `Read`/`Write` on a borrowed socket (rustls wants `&mut dyn Read`).
struct SockIo<'a>(&'a Socket);

impl Read for SockIo<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self.0).read(buf)
    }
}

impl Write for SockIo<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&*self.0).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
