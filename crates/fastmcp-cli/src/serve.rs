//! `fastmcp run`: TARGET (or an OpenAPI document) served as a proxy over stdio or HTTP.

use fastmcp::Client;

use crate::connect::{Connect, openapi_server, seconds};
use crate::{Failure, discover};

/// Where `fastmcp run` listens when it serves HTTP.
pub(crate) struct Http {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) path: String,
    pub(crate) stateless: bool,
    pub(crate) auth: Option<fastmcp::server::auth::RemoteAuth>,
}

/// What `fastmcp run` serves.
pub(crate) enum Source {
    /// A proxy of this target.
    Proxy(String),
    /// The REST API an OpenAPI document describes.
    OpenApi {
        spec: String,
        base_url: Option<String>,
        headers: Vec<String>,
    },
}

impl Source {
    /// The server, and what it serves (for the banner).
    pub(crate) async fn server(
        self,
        connect: &Connect,
    ) -> Result<(fastmcp::FastMCP, String), Failure> {
        match self {
            Source::Proxy(target) => {
                let timeout = seconds("--connect-timeout", connect.timeout)?;
                let options = fastmcp::proxy::ProxyOptions::new()
                    .name("fastmcp-run")
                    .client(Client::builder().connect_timeout(timeout))
                    .oauth(crate::login::for_config);
                // A bridge passes every progress value on, as the server sent it.
                let proxy = match discover::resolve(&target).map_err(Failure::connection)? {
                    Some(found) => {
                        let config = fastmcp::proxy::McpServers {
                            servers: [(found.name, found.entry)].into(),
                        };
                        fastmcp::FastMCP::proxy_with(config, options)
                    }
                    None => fastmcp::FastMCP::proxy_with(&target, options),
                };
                let proxy = proxy.map_err(Failure::connection)?.progress_interval(None);
                Ok((proxy, format!("proxy of {target}")))
            }
            Source::OpenApi {
                spec,
                base_url,
                headers,
            } => {
                let server = openapi_server(&spec, base_url, &headers).await?;
                Ok((server, format!("REST API of {spec}")))
            }
        }
    }
}

/// Serves what `source` names until the client goes away (stdio) or Ctrl-C (http).
pub(crate) async fn run(
    connect: &Connect,
    source: Source,
    http: Option<Http>,
) -> Result<(), Failure> {
    let (proxy, serving) = source.server(connect).await?;
    let Some(http) = http else {
        return proxy.run_stdio().await.map_err(Failure::connection);
    };
    let proxy = match http.auth {
        Some(auth) => proxy.auth(auth),
        None => proxy,
    };
    let address = format!("{}:{}", http.host, http.port);
    let listener = tokio::net::TcpListener::bind(&address)
        .await
        .map_err(|error| Failure::connection(format!("cannot listen on {address}: {error}")))?;
    let local = listener.local_addr().map_err(Failure::connection)?;
    eprintln!(
        "fastmcp run: serving MCP over HTTP at http://{local}{} ({serving})",
        http.path
    );
    let options = fastmcp::HttpOptions::default()
        .path(http.path)
        .stateless(http.stateless);
    let shutdown = tokio_util::sync::CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        stop.cancel();
    });
    proxy
        .serve_http(listener, options, shutdown)
        .await
        .map_err(Failure::connection)
}
