//! The server behind the surface tests, shared by the in-process tests and the stdio fixture
//! (`tests/fixtures/surface.rs`).
#![allow(dead_code)]

use fastmcp::prompts::Message;
use fastmcp::resources::{Resource, ResourceTemplate};
use fastmcp::server::{Elicitation, SampleRequest};
use fastmcp::{Context, FastMCP, prompt, resource, tool};
use serde_json::json;

/// Weather for a city (a fixed resource made by the macro).
#[resource("weather://today", mime_type = "text/plain")]
fn today() -> String {
    "sunny".into()
}

#[derive(serde::Serialize)]
struct Forecast {
    city: String,
    day: u32,
}

/// A forecast: `day` is typed, so `day=abc` is refused.
#[resource("weather://{city}/day/{day}")]
fn forecast(city: String, day: u32) -> Forecast {
    Forecast { city, day }
}

/// Greet `name` in a `style`.
#[prompt(title = "Greeting")]
fn greet(
    #[arg(description = "Who to greet")] name: String,
    #[arg(description = "How many times")] times: Option<u32>,
) -> String {
    vec![format!("Hello, {name}!"); times.unwrap_or(1) as usize].join(" ")
}

#[derive(serde::Deserialize, schemars::JsonSchema, PartialEq, Debug)]
struct Booking {
    guests: u32,
    /// When
    date: String,
}

/// Book a table, asking the user for the details.
#[tool]
async fn book(ctx: Context) -> Result<String, String> {
    match ctx
        .elicit::<Booking>("Book a table")
        .await
        .map_err(|e| e.to_string())?
    {
        Elicitation::Accept(booking) => {
            Ok(format!("booked {} on {}", booking.guests, booking.date))
        }
        Elicitation::Decline => Ok("declined".into()),
        Elicitation::Cancel => Ok("cancelled".into()),
    }
}

/// Ask the client's model, then list its roots.
#[tool]
async fn think(ctx: Context, question: String) -> Result<String, String> {
    let reply = ctx
        .sample(SampleRequest::new(question).system_prompt("be brief"))
        .await
        .map_err(|e| e.to_string())?;
    let roots = ctx.list_roots().await.map_err(|e| e.to_string())?;
    Ok(format!("{} | {} roots", reply.text, roots.len()))
}

/// Count calls in this session.
#[tool]
fn counter(ctx: &Context) -> Result<u32, String> {
    let next = ctx.get_state::<u32>("count").unwrap_or(0) + 1;
    ctx.set_state("count", next).map_err(|e| e.to_string())?;
    Ok(next)
}

pub fn server() -> FastMCP {
    let colors = ResourceTemplate::builder("colors://{name}")
        .name("color")
        .params_schema(json!({"type": "object", "properties": {"name": {"type": "string", "enum": ["red", "green", "blue"]}}}))
        .handler(|request, _ctx| async move { Ok::<_, String>(format!("color {}", request.params["name"])) });
    let paths = ResourceTemplate::builder("files://{path*}")
        .name("files")
        .complete(
            "path",
            |request: fastmcp::completion::CompletionRequest| async move {
                ["src/main.rs", "src/lib.rs", "README.md"]
                    .iter()
                    .filter(|p| p.starts_with(&request.value))
                    .map(|p| (*p).to_owned())
                    .collect()
            },
        )
        .handler(|request, _ctx| async move {
            Ok::<_, String>(format!("file {}", request.params["path"]))
        });
    let review = fastmcp::Prompt::builder("review")
        .description("Review with an embedded file and an image")
        .argument(fastmcp::prompts::PromptArgument::new("file").with_required(true))
        .handler(|args, _ctx| async move {
            let file = args["file"].as_str().unwrap_or_default().to_owned();
            Ok::<_, String>(vec![
                Message::user_resource(format!("files://{file}"), "text/plain", "fn main() {}"),
                Message::user_image([1u8, 2, 3], "image/png"),
                Message::assistant("Looks fine."),
            ])
        });
    FastMCP::new("surface")
        .resource(Resource::text("mem://hello", "hello world"))
        .resource(Resource::binary(
            "mem://bytes",
            vec![0u8, 159, 146, 150],
            "application/octet-stream",
        ))
        .resource(today)
        .resource_template(forecast)
        .resource_template(colors)
        .resource_template(paths)
        .prompt(greet)
        .prompt(review)
        .tool(book)
        .tool(think)
        .tool(counter)
}
