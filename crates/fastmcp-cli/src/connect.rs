//! Reaching the server a TARGET names.

use std::time::Duration;

use fastmcp::Client;

use crate::cli::UrlTransport;
use crate::{Failure, discover, elicit, login, render};

/// How long connecting may take before the CLI says it is waiting.
pub(crate) const WAIT_NOTICE_AFTER: Duration = Duration::from_secs(2);

/// How to reach the server.
pub(crate) struct Connect {
    /// `--connect-timeout`, in seconds.
    pub(crate) timeout: f64,
    /// `--base-url`, for an `openapi:SPEC` target.
    pub(crate) base_url: Option<String>,
    /// `--auth`.
    pub(crate) auth: login::Auth,
    /// The progress bar a form hides while it asks.
    pub(crate) bar: render::SharedBar,
    /// `--transport` of a URL.
    pub(crate) transport: Option<UrlTransport>,
}

impl Connect {
    /// Connects to `target`, answering the server's questions on the terminal.
    pub(crate) async fn client(&self, target: &str) -> Result<Client, Failure> {
        let bar = self.bar.clone();
        self.client_with(target, move |builder| {
            builder.elicitation_handler(move |request| elicit::answer(request, bar.clone()))
        })
        .await
    }

    /// Connects to `target` with the handlers `handlers` adds; a server slow to answer gets
    /// a spinner on a terminal, so a first `cargo run` or `npx -y` does not look like a hang.
    pub(crate) async fn client_with(
        &self,
        target: &str,
        handlers: impl FnOnce(fastmcp::ClientBuilder) -> fastmcp::ClientBuilder,
    ) -> Result<Client, Failure> {
        if let Some(spec) = target.strip_prefix("openapi:") {
            // The REST API's server, in process.
            let server = openapi_server(spec, self.base_url.clone(), &[]).await?;
            return Client::connect(server).await.map_err(Failure::connection);
        }
        let timeout = seconds("--connect-timeout", self.timeout)?;
        let configured = discover::resolve(target).map_err(Failure::connection)?;
        let http_transport = match self.transport {
            None => fastmcp::client::HttpTransport::Auto,
            Some(UrlTransport::Http) => fastmcp::client::HttpTransport::Streamable,
            Some(UrlTransport::Sse) => fastmcp::client::HttpTransport::Sse,
        };
        let builder = handlers(
            Client::builder()
                .connect_timeout(timeout)
                .http_transport(http_transport),
        );
        let builder = self
            .auth
            .apply(builder, target)
            .await
            .map_err(Failure::connection)?;
        let connecting = async {
            if let Some(found) = configured {
                // A server configured in a client, by name (its own OAuth unless --auth).
                let builder = match (&found.entry.url, found.entry.auth.as_deref(), &self.auth) {
                    (Some(url), Some("oauth"), login::Auth::None) => {
                        builder.oauth(login::for_config(&found.name, url)?)
                    }
                    _ => builder,
                };
                return found.entry.connect(&found.name, builder).await;
            }
            if is_config(target) {
                // Every server of the file, behind one in-process proxy.
                let options = fastmcp::proxy::ProxyOptions::new()
                    .client(Client::builder().connect_timeout(timeout))
                    .oauth(login::for_config);
                let proxy = fastmcp::FastMCP::proxy_with(target, options)?;
                return builder.connect(proxy).await;
            }
            builder.connect(target).await
        };
        let mut connecting = std::pin::pin!(connecting);
        let result = tokio::select! {
            result = &mut connecting => result,
            () = tokio::time::sleep(WAIT_NOTICE_AFTER) => {
                let waiting = render::waiting("waiting for the server to start and answer");
                let result = connecting.await;
                waiting.finish_and_clear();
                result
            }
        };
        result.map_err(Failure::connection)
    }
}

/// Whether `target` names an mcpServers JSON file.
pub(crate) fn is_config(target: &str) -> bool {
    target.ends_with(".json") && std::path::Path::new(target).is_file()
}

/// The server of an OpenAPI document (a path or a URL).
pub(crate) async fn openapi_server(
    spec: &str,
    base_url: Option<String>,
    headers: &[String],
) -> Result<fastmcp::FastMCP, Failure> {
    use fastmcp::openapi::{OpenApi, Spec};
    let document = if spec.starts_with("http://") || spec.starts_with("https://") {
        Spec::from_url(spec).await
    } else {
        Spec::from_file(spec)
    };
    let mut openapi = OpenApi::new(document.map_err(Failure::chain)?);
    if let Some(url) = base_url {
        openapi = openapi.base_url(url);
    }
    for header in headers {
        let Some((name, value)) = header.split_once(':') else {
            return Err(Failure::connection(format!(
                "--header {header:?}: give \"Name: value\""
            )));
        };
        openapi = openapi
            .header(name.trim(), value.trim())
            .map_err(Failure::chain)?;
    }
    openapi.build().map_err(Failure::chain)
}

/// A duration given in (fractional) seconds on the command line.
pub(crate) fn seconds(flag: &str, value: f64) -> Result<Duration, Failure> {
    Duration::try_from_secs_f64(value)
        .map_err(|_| Failure::connection(format!("invalid {flag} {value}: give seconds, e.g. 30")))
}
