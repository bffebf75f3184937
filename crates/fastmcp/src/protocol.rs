//! MCP method and HTTP header names, taken from rmcp's model and transport so they are spelt
//! once (as constants usable in `match` patterns).

use rmcp::model::{
    CallToolRequestMethod, CompleteRequestMethod, ConstString, DiscoverRequestMethod,
    GetPromptRequestMethod, ListPromptsRequestMethod, ListResourceTemplatesRequestMethod,
    ListResourcesRequestMethod, ListToolsRequestMethod, PingRequestMethod,
    ReadResourceRequestMethod, SetLevelRequestMethod, SubscribeRequestMethod,
    UnsubscribeRequestMethod,
};

pub(crate) const TOOLS_CALL: &str = CallToolRequestMethod::VALUE;
pub(crate) const TOOLS_LIST: &str = ListToolsRequestMethod::VALUE;
pub(crate) const PROMPTS_GET: &str = GetPromptRequestMethod::VALUE;
pub(crate) const PROMPTS_LIST: &str = ListPromptsRequestMethod::VALUE;
pub(crate) const RESOURCES_READ: &str = ReadResourceRequestMethod::VALUE;
pub(crate) const RESOURCES_LIST: &str = ListResourcesRequestMethod::VALUE;
pub(crate) const RESOURCE_TEMPLATES_LIST: &str = ListResourceTemplatesRequestMethod::VALUE;
pub(crate) const RESOURCES_SUBSCRIBE: &str = SubscribeRequestMethod::VALUE;
pub(crate) const RESOURCES_UNSUBSCRIBE: &str = UnsubscribeRequestMethod::VALUE;
pub(crate) const COMPLETION_COMPLETE: &str = CompleteRequestMethod::VALUE;
pub(crate) const LOGGING_SET_LEVEL: &str = SetLevelRequestMethod::VALUE;
pub(crate) const PING: &str = PingRequestMethod::VALUE;
pub(crate) const SERVER_DISCOVER: &str = DiscoverRequestMethod::VALUE;

/// HTTP header names (Streamable HTTP; the 2026-07-28 request headers).
#[cfg(any(feature = "http-server", feature = "auth"))]
pub(crate) mod header {
    #[cfg(feature = "server-auth")]
    pub(crate) use rmcp::transport::common::http_header::HEADER_MCP_NAME as MCP_NAME;
    #[cfg(feature = "http-server")]
    pub(crate) use rmcp::transport::common::http_header::HEADER_SESSION_ID as MCP_SESSION_ID;
    pub(crate) use rmcp::transport::common::http_header::{
        HEADER_MCP_METHOD as MCP_METHOD, HEADER_MCP_PROTOCOL_VERSION as MCP_PROTOCOL_VERSION,
    };
}
