//! Errors for requests the server does not serve: methods 2026-07-28 removed, unknown
//! methods, and known methods whose params do not parse.
#![allow(deprecated)] // rmcp marks logging and subscriptions deprecated (SEP-2577).

use rmcp::model::{
    CallToolRequestParams, CompleteRequestParams, CustomRequest, ErrorCode, ErrorData,
    GetPromptRequestParams, InitializeRequestParams, PaginatedRequestParams,
    ReadResourceRequestParams, SetLevelRequestParams, SubscribeRequestParams,
};

/// Methods the stateless 2026-07-28 protocol removed.
pub(super) const REMOVED_IN_2026: &[&str] = &[
    "initialize",
    "ping",
    "logging/setLevel",
    "resources/subscribe",
    "resources/unsubscribe",
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
        "tools/call" => params_error::<CallToolRequestParams>(request),
        "initialize" => params_error::<InitializeRequestParams>(request),
        "logging/setLevel" => params_error::<SetLevelRequestParams>(request),
        "resources/read" => params_error::<ReadResourceRequestParams>(request),
        "resources/subscribe" | "resources/unsubscribe" => {
            params_error::<SubscribeRequestParams>(request)
        }
        "prompts/get" => params_error::<GetPromptRequestParams>(request),
        "completion/complete" => params_error::<CompleteRequestParams>(request),
        "tools/list" | "prompts/list" | "resources/list" | "resources/templates/list" => {
            params_error::<PaginatedRequestParams>(request)
        }
        "ping" | "server/discover" => "unexpected params".to_owned(),
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
