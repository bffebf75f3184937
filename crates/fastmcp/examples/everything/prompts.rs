//! Prompts: plain, with arguments, with an embedded resource, with an image.

use fastmcp::prompt;
use fastmcp::prompts::Message;
use fastmcp::types::Role;

use super::tools::PNG;

/// A simple prompt without arguments
#[prompt(title = "Simple Test Prompt")]
pub(crate) fn test_simple_prompt() -> String {
    "This is a simple prompt for testing.".into()
}

/// A prompt with required arguments
#[prompt(title = "Prompt With Arguments")]
pub(crate) fn test_prompt_with_arguments(
    #[arg(description = "First test argument")] arg1: String,
    #[arg(description = "Second test argument")] arg2: String,
) -> String {
    format!("Prompt with arguments: arg1='{arg1}', arg2='{arg2}'")
}

/// A prompt that includes an embedded resource
#[prompt(title = "Prompt With Embedded Resource")]
#[allow(non_snake_case)] // the conformance suite names the argument `resourceUri`
pub(crate) fn test_prompt_with_embedded_resource(
    #[arg(description = "URI of the resource to embed")] resourceUri: String,
) -> Vec<fastmcp::types::PromptMessage> {
    vec![
        Message::user_resource(
            resourceUri,
            "text/plain",
            "Embedded resource content for testing.",
        ),
        Message::user("Please process the embedded resource above."),
    ]
}

/// A prompt that includes image content
#[prompt(title = "Prompt With Image")]
pub(crate) fn test_prompt_with_image() -> Vec<fastmcp::types::PromptMessage> {
    vec![
        Message::with_content(
            Role::User,
            fastmcp::types::ContentBlock::image(PNG, "image/png"),
        ),
        Message::user("Please analyze the image above."),
    ]
}
