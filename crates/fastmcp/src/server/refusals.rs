//! Errors for requests the server does not serve: methods 2026-07-28 removed, unknown
//! methods, and known methods whose params do not parse.
#![allow(deprecated)] // rmcp marks logging and subscriptions deprecated (SEP-2577).

use crate::protocol::*;
use rmcp::model::{
    CallToolRequestParams, CompleteRequestParams, CustomRequest, ErrorCode, ErrorData,
    GetPromptRequestParams, InitializeRequestParams, PaginatedRequestParams,
    ReadResourceRequestParams, SetLevelRequestParams, SubscribeRequestParams,
};

/// Methods the stateless 2026-07-28 protocol removed.
pub(super) const REMOVED_IN_2026: &[&str] = &[
    "initialize",
    PING,
    LOGGING_SET_LEVEL,
    RESOURCES_SUBSCRIBE,
    RESOURCES_UNSUBSCRIBE,
];

pub(super) fn removed_method(method: &str) -> ErrorData {
    ErrorData::new(
        ErrorCode::METHOD_NOT_FOUND,
        format!("Method not found: {method} (not part of protocol 2026-07-28)"),
        None,
    )
}

/// The error for a request rmcp could not parse as a known method: either the method is
/// unknown (`-32601`), or it is known and its params are malformed (`-32602`, saying why).
pub(super) fn unknown_or_malformed(request: &CustomRequest) -> ErrorData {
    let detail = match request.method.as_str() {
        TOOLS_CALL => params_error::<CallToolRequestParams>(request),
        "initialize" => params_error::<InitializeRequestParams>(request),
        LOGGING_SET_LEVEL => params_error::<SetLevelRequestParams>(request),
        RESOURCES_READ => params_error::<ReadResourceRequestParams>(request),
        RESOURCES_SUBSCRIBE | RESOURCES_UNSUBSCRIBE => {
            params_error::<SubscribeRequestParams>(request)
        }
        PROMPTS_GET => params_error::<GetPromptRequestParams>(request),
        COMPLETION_COMPLETE => params_error::<CompleteRequestParams>(request),
        TOOLS_LIST | PROMPTS_LIST | RESOURCES_LIST | RESOURCE_TEMPLATES_LIST => {
            params_error::<PaginatedRequestParams>(request)
        }
        PING | SERVER_DISCOVER => "unexpected params".to_owned(),
        method => {
            return ErrorData::new(
                ErrorCode::METHOD_NOT_FOUND,
                format!("Method not found: {method}"),
                None,
            );
        }
    };
    ErrorData::invalid_params(
        format!("Invalid params for '{}': {detail}", request.method),
        None,
    )
}

fn params_error<T: serde::de::DeserializeOwned>(request: &CustomRequest) -> String {
    match &request.params {
        None => "params are required".to_owned(),
        Some(params) => match serde_json::from_value::<T>(params.clone()) {
            Err(error) => error.to_string(),
            Ok(_) => "params do not match the method's schema".to_owned(),
        },
    }
}
