//! How a server runs, chosen at launch: command-line flags and `FASTMCP_*` environment
//! variables, the way Python FastMCP's `mcp.run()` reads its settings.
//!
//! | Flag | Environment | Meaning |
//! |---|---|---|
//! | `--http ADDR` | `FASTMCP_HTTP=ADDR` | serve Streamable HTTP on `ADDR` (`127.0.0.1:8000`) instead of stdio |
//! | `--stateless` | `FASTMCP_STATELESS=1` | HTTP without sessions |
//! | `--json-response` | `FASTMCP_JSON_RESPONSE=1` | HTTP answers plain calls with JSON, not SSE |
//! | `--path PATH` | `FASTMCP_PATH=PATH` | HTTP endpoint path (default `/mcp`) |
//! | `--auth-jwks-uri URL` | `FASTMCP_AUTH_JWKS_URI` | check JWT bearer tokens against this JWKS (turns auth on) |
//! | `--auth-issuer ISS` | `FASTMCP_AUTH_ISSUER` | accept tokens from this issuer only |
//! | `--auth-audience AUD` | `FASTMCP_AUTH_AUDIENCE` | accept tokens for this audience only (default: the base URL and path) |
//! | `--auth-required-scopes a,b` | `FASTMCP_AUTH_REQUIRED_SCOPES` | scopes every request's token must grant |
//! | `--auth-authorization-servers URL[,URL]` | `FASTMCP_AUTH_AUTHORIZATION_SERVERS` | listed in the Protected Resource Metadata |
//! | `--auth-base-url URL` | `FASTMCP_AUTH_BASE_URL` | the server's public URL, for the metadata and challenges |
//! | `--request-state-key KEY` | `FASTMCP_REQUEST_STATE_KEY` | seal `requestState` with this key (≥ 32 bytes; the same on every replica) |
//! | `--request-state-previous-key KEY` | `FASTMCP_REQUEST_STATE_PREVIOUS_KEY` | still open what this older key sealed (rotation) |
//! | `--redis URL` | `FASTMCP_REDIS_URL` | keep what replicas share in Redis/Valkey (feature `redis`): the `requestState` key, tasks, resumable streams, legacy sessions and what they keep, list changes |
//! | `--redis-prefix P` | `FASTMCP_REDIS_PREFIX` | the prefix of every Redis key (default `fastmcp`) |
//! | `--redis-session-ttl SECS` | `FASTMCP_REDIS_SESSION_TTL` | how long a legacy session is kept in Redis after it starts (default 86400) |
//! | `--redis-events-ttl SECS` | `FASTMCP_REDIS_EVENTS_TTL` | how long a stream's events are kept in Redis after its last one (default 300 open, 60 finished) |
//!
//! Flags win over the environment. Unknown flags are left alone, so a server can take its
//! own arguments too.
//!
//! ```
//! use fastmcp::settings::{Settings, Transport};
//! let settings = Settings::from_args(["--http", "127.0.0.1:8000", "--stateless"]).unwrap();
//! assert_eq!(settings.transport, Transport::Http("127.0.0.1:8000".into()));
//! ```

use crate::error::Error;
use crate::server::FastMCP;
#[cfg(feature = "http-server")]
use crate::server::HttpOptions;

/// Which transport the server listens on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Transport {
    /// One client over this process's stdin and stdout (the default).
    Stdio,
    /// Streamable HTTP on this address (`host:port`).
    Http(String),
}

/// Launch settings: the transport and, for HTTP, how the endpoint behaves.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Settings {
    /// Where to serve.
    pub transport: Transport,
    /// HTTP endpoint options (used when `transport` is HTTP).
    #[cfg(feature = "http-server")]
    pub http: HttpOptions,
    /// Token checking from the `--auth-*` flags (on when a JWKS URI is given); replaces the
    /// server's own [`FastMCP::auth`] when set.
    #[cfg(feature = "server-auth")]
    pub auth: Option<crate::server::auth::RemoteAuth>,
    #[cfg(feature = "server-auth")]
    auth_flags: AuthFlags,
    /// The `requestState` key (and the previous one, still accepted), when configured.
    pub request_state_keys: Option<(String, Option<String>)>,
    /// Redis/Valkey for what replicas share (`--redis` and the `--redis-*` flags).
    #[cfg(feature = "redis")]
    pub redis: Option<RedisSettings>,
    request_state_previous: Option<String>,
    /// The `--redis-*` values, gathered before `--redis` is known.
    #[cfg(feature = "redis")]
    redis_flags: RedisSettings,
}

/// Where replicas keep what they share (`--redis URL`), and for how long.
#[cfg(feature = "redis")]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RedisSettings {
    /// `redis://host:port/db` or `redis+unix:///path`.
    pub url: String,
    /// The prefix of every key (`--redis-prefix`; default `fastmcp`).
    pub prefix: Option<String>,
    /// How long a legacy session is kept after it starts (`--redis-session-ttl`).
    pub session_ttl: Option<std::time::Duration>,
    /// How long a stream's events are kept after its last one (`--redis-events-ttl`).
    pub events_ttl: Option<std::time::Duration>,
}

/// The `--auth-*` values, gathered from every source before the verifier is built.
#[cfg(feature = "server-auth")]
#[derive(Debug, Clone, Default)]
struct AuthFlags {
    jwks_uri: Option<String>,
    issuer: Option<String>,
    audience: Option<String>,
    required_scopes: Option<String>,
    authorization_servers: Option<String>,
    base_url: Option<String>,
}

#[cfg(feature = "server-auth")]
impl AuthFlags {
    fn apply(&mut self, source: &Source<'_>) -> Result<(), Error> {
        let fields = [
            (
                &mut self.jwks_uri,
                "--auth-jwks-uri",
                "FASTMCP_AUTH_JWKS_URI",
            ),
            (&mut self.issuer, "--auth-issuer", "FASTMCP_AUTH_ISSUER"),
            (
                &mut self.audience,
                "--auth-audience",
                "FASTMCP_AUTH_AUDIENCE",
            ),
            (
                &mut self.required_scopes,
                "--auth-required-scopes",
                "FASTMCP_AUTH_REQUIRED_SCOPES",
            ),
            (
                &mut self.authorization_servers,
                "--auth-authorization-servers",
                "FASTMCP_AUTH_AUTHORIZATION_SERVERS",
            ),
            (
                &mut self.base_url,
                "--auth-base-url",
                "FASTMCP_AUTH_BASE_URL",
            ),
        ];
        for (field, flag, var) in fields {
            if let Some(value) = source.value(flag, var)? {
                *field = Some(value);
            }
        }
        Ok(())
    }

    /// The auth these flags describe: none without a JWKS URI.
    fn build(&self, path: &str) -> Result<Option<crate::server::auth::RemoteAuth>, Error> {
        use crate::server::auth::{JwtVerifier, RemoteAuth};
        let Some(jwks_uri) = &self.jwks_uri else {
            if self.issuer.is_some() || self.audience.is_some() {
                return Err(Error::Settings(
                    "--auth-issuer and --auth-audience need --auth-jwks-uri (the keys that sign the tokens)".into(),
                ));
            }
            return Ok(None);
        };
        let list = |value: &Option<String>| -> Vec<String> {
            value
                .iter()
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let mut verifier = JwtVerifier::jwks(jwks_uri);
        if let Some(issuer) = &self.issuer {
            verifier = verifier.issuer(issuer);
        }
        let base = self.base_url.as_deref().map(|b| b.trim_end_matches('/'));
        let audience = self
            .audience
            .clone()
            .or_else(|| base.map(|base| format!("{base}{path}")));
        if let Some(audience) = audience {
            verifier = verifier.audience(audience);
        }
        let mut auth = RemoteAuth::new(verifier).required_scopes(list(&self.required_scopes));
        for server in list(&self.authorization_servers) {
            auth = auth.authorization_server(server);
        }
        if let Some(base) = base {
            auth = auth.base_url(base);
        }
        Ok(Some(auth))
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            transport: Transport::Stdio,
            #[cfg(feature = "http-server")]
            http: HttpOptions::default(),
            #[cfg(feature = "server-auth")]
            auth: None,
            #[cfg(feature = "server-auth")]
            auth_flags: AuthFlags::default(),
            request_state_keys: None,
            #[cfg(feature = "redis")]
            redis: None,
            request_state_previous: None,
            #[cfg(feature = "redis")]
            redis_flags: RedisSettings::default(),
        }
    }
}

impl Settings {
    /// Settings from this process's environment and command line.
    pub fn from_env() -> Result<Self, Error> {
        let mut settings = Self::default();
        settings.apply(Source::Env(&|name| std::env::var(name).ok()))?;
        let args: Vec<String> = std::env::args().skip(1).collect();
        settings.apply(Source::Args(&args))?;
        settings.finish()?;
        Ok(settings)
    }

    /// Settings from command-line arguments alone (without the program name).
    pub fn from_args<I, S>(args: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let args: Vec<String> = args.into_iter().map(Into::into).collect();
        let mut settings = Self::default();
        settings.apply(Source::Args(&args))?;
        settings.finish()?;
        Ok(settings)
    }

    fn apply(&mut self, source: Source<'_>) -> Result<(), Error> {
        if let Some(addr) = source.value("--http", "FASTMCP_HTTP")? {
            self.transport = Transport::Http(addr);
        }
        #[cfg(feature = "http-server")]
        {
            if let Some(on) = source.flag("--stateless", "FASTMCP_STATELESS") {
                self.http = self.http.clone().stateless(on);
            }
            if let Some(on) = source.flag("--json-response", "FASTMCP_JSON_RESPONSE") {
                self.http = self.http.clone().json_response(on);
            }
            if let Some(path) = source.value("--path", "FASTMCP_PATH")? {
                self.http = self.http.clone().path(path);
            }
        }
        #[cfg(feature = "server-auth")]
        self.auth_flags.apply(&source)?;
        if let Some(key) = source.value("--request-state-key", "FASTMCP_REQUEST_STATE_KEY")? {
            self.request_state_keys = Some((key, None));
        }
        if let Some(key) = source.value(
            "--request-state-previous-key",
            "FASTMCP_REQUEST_STATE_PREVIOUS_KEY",
        )? {
            self.request_state_previous = Some(key);
        }
        #[cfg(feature = "redis")]
        {
            let flags = &mut self.redis_flags;
            if let Some(url) = source.value("--redis", "FASTMCP_REDIS_URL")? {
                flags.url = url;
            }
            if let Some(prefix) = source.value("--redis-prefix", "FASTMCP_REDIS_PREFIX")? {
                flags.prefix = Some(prefix);
            }
            let session_ttl = source.value("--redis-session-ttl", "FASTMCP_REDIS_SESSION_TTL")?;
            if let Some(secs) = session_ttl {
                flags.session_ttl = Some(seconds("--redis-session-ttl", &secs)?);
            }
            let events_ttl = source.value("--redis-events-ttl", "FASTMCP_REDIS_EVENTS_TTL")?;
            if let Some(secs) = events_ttl {
                flags.events_ttl = Some(seconds("--redis-events-ttl", &secs)?);
            }
        }
        Ok(())
    }

    /// Builds what the gathered values describe.
    fn finish(&mut self) -> Result<(), Error> {
        if let Some(previous) = self.request_state_previous.take() {
            match &mut self.request_state_keys {
                Some((_, slot)) => *slot = Some(previous),
                None => {
                    return Err(Error::Settings(
                        "--request-state-previous-key needs --request-state-key (the key to seal with now)".into(),
                    ));
                }
            }
        }
        #[cfg(feature = "redis")]
        {
            let flags = std::mem::take(&mut self.redis_flags);
            if !flags.url.is_empty() {
                self.redis = Some(flags);
            } else if flags != RedisSettings::default() {
                return Err(Error::Settings(
                    "--redis-prefix (like --redis-session-ttl, --redis-events-ttl) needs --redis URL (or FASTMCP_REDIS_URL)"
                        .into(),
                ));
            }
        }
        #[cfg(feature = "server-auth")]
        if let Some(auth) = self.auth_flags.build(self.http.path_str())? {
            self.auth = Some(auth);
        }
        Ok(())
    }
}

/// A whole number of seconds, for `flag`.
#[cfg(feature = "redis")]
fn seconds(flag: &str, value: &str) -> Result<std::time::Duration, Error> {
    match value.parse::<u64>() {
        Ok(secs) if secs > 0 => Ok(std::time::Duration::from_secs(secs)),
        _ => Err(Error::Settings(format!(
            "{flag} takes a number of seconds above 0, e.g. {flag} 3600 (got {value:?})"
        ))),
    }
}

/// `server` and `http` with their shared state in Redis, when `redis` is set: the
/// `requestState` key (unless one was configured), tasks, list changes, and, with sessions,
/// events, sessions and what they keep.
#[cfg(feature = "redis")]
async fn on_redis(
    server: FastMCP,
    http: HttpOptions,
    redis: Option<RedisSettings>,
) -> Result<(FastMCP, HttpOptions), Error> {
    let Some(settings) = redis else {
        return Ok((server, http));
    };
    let mut redis = crate::stores::Redis::connect(&settings.url).await?;
    if let Some(prefix) = settings.prefix {
        redis = redis.prefix(prefix).await?;
    }
    if let Some(ttl) = settings.session_ttl {
        redis = redis.session_ttl(ttl);
    }
    if let Some(ttl) = settings.events_ttl {
        redis = redis.events_ttl(ttl);
    }
    let server = if server.has_request_state_key() {
        server
    } else {
        server.request_state_key(redis.request_state_key())?
    };
    server.share_tasks(&redis).await?;
    server.share_changes(&redis).await?;
    let http = if http.is_stateless() {
        http
    } else {
        http.shared_through(&redis).await?
    };
    Ok((server, http))
}

/// Where settings come from: flags or environment variables.
enum Source<'a> {
    Args(&'a [String]),
    Env(&'a dyn Fn(&str) -> Option<String>),
}

impl Source<'_> {
    fn value(&self, flag: &str, var: &str) -> Result<Option<String>, Error> {
        match self {
            Source::Args(args) => match args.iter().position(|a| a == flag) {
                None => Ok(None),
                Some(i) => args.get(i + 1).cloned().map(Some).ok_or_else(|| {
                    Error::Settings(format!("{flag} needs a value, e.g. {flag} 127.0.0.1:8000"))
                }),
            },
            Source::Env(get) => Ok(get(var).filter(|v| !v.is_empty())),
        }
    }

    #[cfg(feature = "http-server")]
    fn flag(&self, flag: &str, var: &str) -> Option<bool> {
        match self {
            Source::Args(args) => args.iter().any(|a| a == flag).then_some(true),
            Source::Env(get) => get(var).map(|v| matches!(v.as_str(), "1" | "true" | "yes")),
        }
    }
}

impl FastMCP {
    /// Serves with the transport chosen at launch ([`Settings::from_env`]): stdio by default,
    /// Streamable HTTP with `--http 127.0.0.1:8000` (add `--stateless`, `--json-response`).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), fastmcp::Error> {
    /// fastmcp::FastMCP::new("demo").run().await
    /// # }
    /// ```
    pub async fn run(&self) -> Result<(), Error> {
        self.run_with(Settings::from_env()?).await
    }

    /// Serves with explicit [`Settings`].
    pub async fn run_with(&self, settings: Settings) -> Result<(), Error> {
        #[cfg(feature = "server-auth")]
        let server = match settings.auth {
            Some(auth) => &self.clone().auth(auth),
            None => self,
        };
        #[cfg(not(feature = "server-auth"))]
        let server = self;
        let mut server = server.clone();
        if let Some((key, previous)) = settings.request_state_keys {
            server = server.request_state_keys(key, previous.map(String::into_bytes))?;
        }
        #[cfg(feature = "redis")]
        let (server, http) = on_redis(server, settings.http, settings.redis).await?;
        #[cfg(all(feature = "http-server", not(feature = "redis")))]
        let http = settings.http;
        match settings.transport {
            Transport::Stdio => server.run_stdio().await,
            #[cfg(feature = "http-server")]
            Transport::Http(addr) => server.run_http(addr, http).await,
            #[cfg(not(feature = "http-server"))]
            Transport::Http(_) => Err(Error::Unsupported(
                "serving over HTTP needs the `http-server` feature of fastmcp".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdio_unless_told_otherwise() {
        let settings = Settings::from_args(["--verbose"]).unwrap();
        assert_eq!(settings.transport, Transport::Stdio);
    }

    #[test]
    fn http_flag_without_an_address_is_an_error() {
        let error = Settings::from_args(["--http"]).unwrap_err();
        assert!(
            error.to_string().contains("--http needs a value"),
            "{error}"
        );
    }

    #[test]
    fn environment_is_read_and_flags_win() {
        let env = |name: &str| match name {
            "FASTMCP_HTTP" => Some("127.0.0.1:9000".to_string()),
            "FASTMCP_STATELESS" => Some("1".to_string()),
            _ => None,
        };
        let mut settings = Settings::default();
        settings.apply(Source::Env(&env)).unwrap();
        assert_eq!(settings.transport, Transport::Http("127.0.0.1:9000".into()));
        let args = ["--http".to_string(), "127.0.0.1:9001".to_string()];
        settings.apply(Source::Args(&args)).unwrap();
        assert_eq!(settings.transport, Transport::Http("127.0.0.1:9001".into()));
    }

    #[cfg(feature = "server-auth")]
    #[test]
    fn auth_flags_turn_auth_on_with_a_jwks_uri() {
        let settings = Settings::from_args([
            "--http",
            "127.0.0.1:0",
            "--auth-jwks-uri",
            "https://auth.example.com/jwks.json",
            "--auth-required-scopes",
            "read, write",
            "--auth-authorization-servers",
            "https://auth.example.com",
            "--auth-base-url",
            "https://mcp.example.com/",
        ])
        .unwrap();
        let auth = format!("{:?}", settings.auth.expect("auth is on"));
        assert!(
            auth.contains(r#"required_scopes: ["read", "write"]"#),
            "{auth}"
        );
        assert!(
            auth.contains(r#"authorization_servers: ["https://auth.example.com"]"#),
            "{auth}"
        );
        assert!(
            auth.contains(r#"base_url: Some("https://mcp.example.com")"#),
            "{auth}"
        );
        assert!(
            Settings::from_args(["--http", "127.0.0.1:0"])
                .unwrap()
                .auth
                .is_none()
        );
    }

    #[cfg(feature = "server-auth")]
    #[test]
    fn auth_environment_is_read_and_an_issuer_alone_is_an_error() {
        let env = |name: &str| match name {
            "FASTMCP_AUTH_JWKS_URI" => Some("https://auth.example.com/jwks".to_string()),
            "FASTMCP_AUTH_REQUIRED_SCOPES" => Some("admin".to_string()),
            _ => None,
        };
        let mut settings = Settings::default();
        settings.apply(Source::Env(&env)).unwrap();
        settings.finish().unwrap();
        let auth = format!("{:?}", settings.auth.expect("auth is on"));
        assert!(auth.contains(r#"required_scopes: ["admin"]"#), "{auth}");
        let error = Settings::from_args(["--auth-issuer", "https://x"]).unwrap_err();
        assert!(error.to_string().contains("--auth-jwks-uri"), "{error}");
    }

    #[test]
    fn request_state_keys_are_read_and_a_previous_key_alone_is_an_error() {
        let settings = Settings::from_args([
            "--request-state-key",
            "k1",
            "--request-state-previous-key",
            "k0",
        ])
        .unwrap();
        assert_eq!(
            settings.request_state_keys,
            Some(("k1".to_string(), Some("k0".to_string())))
        );
        let error = Settings::from_args(["--request-state-previous-key", "k0"]).unwrap_err();
        assert!(
            error.to_string().contains("needs --request-state-key"),
            "{error}"
        );
    }

    #[cfg(feature = "redis")]
    #[test]
    fn redis_settings_are_read_and_a_prefix_alone_is_an_error() {
        let settings =
            Settings::from_args(["--redis", "redis://127.0.0.1:6379", "--redis-prefix", "app"])
                .unwrap();
        let redis = settings.redis.unwrap();
        assert_eq!(redis.url, "redis://127.0.0.1:6379");
        assert_eq!(redis.prefix.as_deref(), Some("app"));
        assert_eq!(redis.session_ttl, None);
        let error = Settings::from_args(["--redis-prefix", "app"]).unwrap_err();
        assert!(error.to_string().contains("needs --redis"), "{error}");
        let settings = Settings::from_args([
            "--redis",
            "redis://h",
            "--redis-session-ttl",
            "3600",
            "--redis-events-ttl",
            "30",
        ])
        .unwrap();
        let redis = settings.redis.unwrap();
        assert_eq!(
            redis.session_ttl,
            Some(std::time::Duration::from_secs(3600))
        );
        assert_eq!(redis.events_ttl, Some(std::time::Duration::from_secs(30)));
        let error = Settings::from_args(["--redis", "redis://h", "--redis-events-ttl", "soon"])
            .unwrap_err();
        assert!(error.to_string().contains("number of seconds"), "{error}");
    }
}
