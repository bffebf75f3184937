//! The client's side of the protocol: identity, and what it does with server notifications.
#![allow(deprecated)] // MCP logging types are marked deprecated in rmcp (SEP-2577).

use rmcp::model::{
    ClientCapabilities, ClientInfo, Implementation, LoggingMessageNotificationParam,
    ProtocolVersion,
};
use rmcp::service::NotificationContext;
use rmcp::{ClientHandler, RoleClient};

use crate::logging::LogLevel;

/// The rmcp client handler behind [`Client`](super::Client).
#[derive(Debug, Clone)]
pub(crate) struct ClientSession {
    pub(crate) name: String,
}

impl ClientHandler for ClientSession {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::new(
            ClientCapabilities::default(),
            Implementation::new(&self.name, env!("CARGO_PKG_VERSION")),
        )
        .with_protocol_version(ProtocolVersion::LATEST_WITH_INITIALIZE)
    }

    async fn on_logging_message(
        &self,
        params: LoggingMessageNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        log_server_message(params.level.into(), params.logger.as_deref(), &params.data);
    }
}

/// Maps a server log message onto a `tracing` event (target `fastmcp::client::log`).
pub(crate) fn log_server_message(level: LogLevel, logger: Option<&str>, data: &serde_json::Value) {
    let text = match data {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    let logger = logger.unwrap_or("server");
    match level {
        LogLevel::Debug => tracing::debug!(target: "fastmcp::client::log", logger, "{text}"),
        LogLevel::Info | LogLevel::Notice => {
            tracing::info!(target: "fastmcp::client::log", logger, "{text}")
        }
        LogLevel::Warning => tracing::warn!(target: "fastmcp::client::log", logger, "{text}"),
        _ => tracing::error!(target: "fastmcp::client::log", logger, %level, "{text}"),
    }
}
