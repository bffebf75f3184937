//! `--auth oauth|TOKEN|none`: how the CLI authorizes with an HTTP server. `oauth` runs the
//! browser flow with a callback on 127.0.0.1 and keeps the tokens per server under the
//! user's configuration directory (mode 0600), refreshed when they expire.

use std::path::PathBuf;
use std::time::Duration;

use fastmcp::ClientBuilder;
use fastmcp::client::OAuth;
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::TcpListener;

/// How long the user has to finish authorizing in the browser.
const AUTHORIZE_WITHIN: Duration = Duration::from_secs(300);

/// `--auth` as given.
#[derive(Clone, Debug, Default)]
pub enum Auth {
    /// No credentials (a server that asks for them fails with its challenge).
    #[default]
    None,
    /// The OAuth authorization-code flow, tokens cached.
    Browser,
    /// This bearer token.
    Token(String),
}

impl std::str::FromStr for Auth {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Ok(match text {
            "" | "none" => Auth::None,
            "oauth" => Auth::Browser,
            token => Auth::Token(token.to_owned()),
        })
    }
}

impl Auth {
    /// `builder` authorizing for the server at `target` as asked.
    pub async fn apply(
        &self,
        builder: ClientBuilder,
        target: &str,
    ) -> Result<ClientBuilder, String> {
        match self {
            Auth::None => Ok(builder),
            Auth::Token(token) => Ok(builder.bearer_token(token.clone())),
            Auth::Browser => {
                if !target.starts_with("http://") && !target.starts_with("https://") {
                    return Err("--auth oauth needs an http(s):// server".into());
                }
                Ok(builder.oauth(browser_oauth(target)?))
            }
        }
    }
}

/// The OAuth flow in the user's browser, redirected back to a one-time listener on
/// 127.0.0.1, tokens cached for `url`.
pub fn browser_oauth(url: &str) -> Result<OAuth, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|error| format!("cannot listen for the OAuth callback: {error}"))?;
    let port = listener
        .local_addr()
        .map_err(|error| error.to_string())?
        .port();
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");
    // Handed to Tokio when the browser is sent (inside the runtime, whoever made the OAuth).
    let listener = std::sync::Arc::new(tokio::sync::Mutex::new(Some(listener)));
    let oauth = OAuth::new(redirect_uri, move |authorization_url: String| {
        let listener = std::sync::Arc::clone(&listener);
        async move {
            eprintln!("Authorize fastmcp in your browser:\n  {authorization_url}");
            let mut slot = listener.lock().await;
            let listener = slot.take().ok_or("the OAuth callback was already used")?;
            listener
                .set_nonblocking(true)
                .map_err(|error| error.to_string())?;
            let listener = TcpListener::from_std(listener).map_err(|error| error.to_string())?;
            open_browser(&authorization_url);
            let answer = tokio::time::timeout(AUTHORIZE_WITHIN, callback(&listener, port))
                .await
                .map_err(|_| "no answer from the browser within 5 minutes".to_owned())?;
            // Kept for a second authorization (a refused token) in this run.
            *slot = listener.into_std().ok();
            answer
        }
    })
    .client_name("fastmcp CLI")
    .token_cache(token_file(url)?);
    Ok(oauth)
}

/// For [`ProxyOptions::oauth`](fastmcp::proxy::ProxyOptions::oauth): a configured server
/// whose `auth` is `"oauth"` is authorized in the browser.
pub fn for_config(_name: &str, url: &str) -> Result<OAuth, fastmcp::Error> {
    browser_oauth(url).map_err(fastmcp::Error::Settings)
}

/// `$XDG_CONFIG_HOME/fastmcp/tokens/<server>.json` (`~/.config` by default).
pub fn token_file(url: &str) -> Result<PathBuf, String> {
    let places = crate::editors::Places::from_env()?;
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let key: String = rest
        .trim_end_matches('/')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(places
        .config
        .join("fastmcp/tokens")
        .join(format!("{key}.json")))
}

/// Opens `url` with `$BROWSER`, else the desktop's opener; says nothing when there is none
/// (the URL is printed already).
pub(crate) fn open_browser(url: &str) {
    let opener = std::env::var("BROWSER")
        .ok()
        .filter(|b| !b.trim().is_empty());
    let (program, mut args): (String, Vec<String>) = match &opener {
        Some(browser) => {
            let mut words = browser.split_whitespace().map(str::to_owned);
            let program = words.next().unwrap_or_default();
            (program, words.collect())
        }
        None if cfg!(target_os = "macos") => ("open".into(), Vec::new()),
        None if cfg!(windows) => ("explorer".into(), Vec::new()),
        None => ("xdg-open".into(), Vec::new()),
    };
    args.push(url.to_owned());
    let started = std::process::Command::new(&program)
        .args(&args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if started.is_err() {
        eprintln!("(no browser to open: open the URL above yourself)");
    }
}

/// Waits for the browser's `GET /callback?…` and returns the URL it was sent to.
async fn callback(listener: &TcpListener, port: u16) -> Result<String, String> {
    loop {
        let (stream, _) = listener
            .accept()
            .await
            .map_err(|error| format!("OAuth callback: {error}"))?;
        let mut reader = BufReader::new(stream);
        let mut request_line = String::new();
        // One line of a bounded size: the request line is all we need.
        let mut limited = (&mut reader).take(8192);
        if limited.read_line(&mut request_line).await.is_err() {
            continue;
        }
        let path = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or("/")
            .to_owned();
        let mut stream = reader.into_inner();
        if !path.starts_with("/callback?") {
            let _ = stream
                .write_all(
                    b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                )
                .await;
            continue;
        }
        let body = "<!doctype html><title>fastmcp</title><p>Authorized. You can close this tab.";
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(response.as_bytes()).await;
        return Ok(format!("http://127.0.0.1:{port}{path}"));
    }
}
