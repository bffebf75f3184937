//! How a server runs, chosen at launch: command-line flags and `FASTMCP_*` environment
//! variables, the way Python FastMCP's `mcp.run()` reads its settings.
//!
//! | Flag | Environment | Meaning |
//! |---|---|---|
//! | `--http ADDR` | `FASTMCP_HTTP=ADDR` | serve Streamable HTTP on `ADDR` (`127.0.0.1:8000`) instead of stdio |
//! | `--stateless` | `FASTMCP_STATELESS=1` | HTTP without sessions |
//! | `--json-response` | `FASTMCP_JSON_RESPONSE=1` | HTTP answers plain calls with JSON, not SSE |
//! | `--path PATH` | `FASTMCP_PATH=PATH` | HTTP endpoint path (default `/mcp`) |
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
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            transport: Transport::Stdio,
            #[cfg(feature = "http-server")]
            http: HttpOptions::default(),
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
        Ok(())
    }
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
        match settings.transport {
            Transport::Stdio => self.run_stdio().await,
            #[cfg(feature = "http-server")]
            Transport::Http(addr) => self.run_http(addr, settings.http).await,
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
}
