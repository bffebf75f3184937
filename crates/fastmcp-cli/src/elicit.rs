//! Answering a server's elicitation during a call: on a terminal, a form on stderr read from
//! stdin (fields from the requested schema: text, numbers, booleans, enums, with defaults);
//! without one, declined with a note saying so.

use std::io::{BufRead as _, IsTerminal as _, Write as _};

use fastmcp::client::{ElicitationMode, ElicitationRequest, ElicitationResponse};
use serde_json::{Map, Value};

use crate::render::SharedBar;

/// What the user typed to stop filling the form.
enum Stop {
    Decline,
    Cancel,
}

/// The answer to `request`, asked on the terminal (the progress bar hidden meanwhile).
pub async fn answer(request: ElicitationRequest, bar: SharedBar) -> ElicitationResponse {
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        eprintln!(
            "the server asked for input (\"{}\"); declined: there is no terminal to ask on",
            request.message
        );
        return ElicitationResponse::Decline;
    }
    let asked = tokio::task::spawn_blocking(move || {
        let bar = bar.lock().ok().and_then(|bar| bar.clone());
        match bar {
            Some(bar) => bar.suspend(|| ask(&request)),
            None => ask(&request),
        }
    })
    .await;
    asked.unwrap_or(ElicitationResponse::Cancel)
}

fn ask(request: &ElicitationRequest) -> ElicitationResponse {
    eprintln!("\nThe server asks: {}", request.message);
    let answered = match &request.mode {
        ElicitationMode::Form { schema } => form(schema).map(ElicitationResponse::Accept),
        ElicitationMode::Url { url, .. } => {
            eprintln!("  open: {url}");
            confirm("Done? [y]es, [n]o (decline), [c]ancel: ")
                .map(|()| ElicitationResponse::Accept(Value::Null))
        }
        _ => Err(Stop::Decline),
    };
    match answered {
        Ok(response) => response,
        Err(Stop::Decline) => ElicitationResponse::Decline,
        Err(Stop::Cancel) => ElicitationResponse::Cancel,
    }
}

fn confirm(question: &str) -> Result<(), Stop> {
    loop {
        match read_answer(question)?.to_lowercase().as_str() {
            "y" | "yes" | "" => return Ok(()),
            "n" | "no" => return Err(Stop::Decline),
            "c" | "cancel" => return Err(Stop::Cancel),
            _ => eprintln!("  answer y, n or c"),
        }
    }
}

/// One line from stdin, trimmed; `:decline`/`:cancel` and end of input stop the form.
fn read_answer(prompt: &str) -> Result<String, Stop> {
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => Err(Stop::Cancel),
        Ok(_) => match line.trim() {
            ":decline" => Err(Stop::Decline),
            ":cancel" => Err(Stop::Cancel),
            answer => Ok(answer.to_owned()),
        },
    }
}

/// The form's fields, asked in order; the object of answers.
fn form(schema: &Value) -> Result<Value, Stop> {
    let empty = Map::new();
    let properties = schema["properties"].as_object().unwrap_or(&empty);
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    eprintln!("  (Enter takes the default; type :decline or :cancel to refuse.)");
    let mut content = Map::new();
    for (name, field) in properties {
        let is_required = required.contains(&name.as_str());
        if let Some(value) = field_answer(name, field, is_required)? {
            content.insert(name.clone(), value);
        }
    }
    Ok(Value::Object(content))
}

/// One field, asked until the answer fits its type.
fn field_answer(name: &str, field: &Value, required: bool) -> Result<Option<Value>, Stop> {
    let label = field["title"].as_str().unwrap_or(name);
    let choices = choices(field);
    let kind = field["type"].as_str().unwrap_or("string");
    let mut hint = match (&choices, kind) {
        (Some(choices), "array") => format!("some of: {}, comma-separated", choices.join(", ")),
        (Some(choices), _) => format!("one of: {}", choices.join(", ")),
        (None, "boolean") => "y/n".to_owned(),
        (None, kind) => kind.to_owned(),
    };
    if required {
        hint.push_str(", required");
    }
    if let Some(description) = field["description"].as_str() {
        eprintln!("  {description}");
    }
    let default = field.get("default").filter(|d| !d.is_null());
    let shown_default = default.map(|d| match d {
        Value::String(text) => format!(" [{text}]"),
        other => format!(" [{other}]"),
    });
    loop {
        let prompt = format!(
            "  {label} ({hint}){}: ",
            shown_default.as_deref().unwrap_or("")
        );
        let text = read_answer(&prompt)?;
        if text.is_empty() {
            match (default, required) {
                (Some(default), _) => return Ok(Some(default.clone())),
                (None, false) => return Ok(None),
                (None, true) => {
                    eprintln!("  {label} is required");
                    continue;
                }
            }
        }
        match parse(&text, kind, choices.as_deref()) {
            Ok(value) => return Ok(Some(value)),
            Err(problem) => eprintln!("  {problem}"),
        }
    }
}

/// An enum's values: `enum`, or `oneOf`/`anyOf` of `const`s (titled), also under `items`.
fn choices(field: &Value) -> Option<Vec<String>> {
    let field = if field["type"] == "array" {
        &field["items"]
    } else {
        field
    };
    if let Some(values) = field["enum"].as_array() {
        return Some(values.iter().map(plain).collect());
    }
    let options = field["oneOf"].as_array().or(field["anyOf"].as_array())?;
    Some(
        options
            .iter()
            .map(|option| plain(&option["const"]))
            .collect(),
    )
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn parse(text: &str, kind: &str, choices: Option<&[String]>) -> Result<Value, String> {
    let pick = |item: &str| -> Result<Value, String> {
        match choices {
            Some(choices) if !choices.iter().any(|choice| choice == item) => {
                Err(format!("'{item}' is not one of: {}", choices.join(", ")))
            }
            _ => Ok(Value::String(item.to_owned())),
        }
    };
    match kind {
        "boolean" => match text.to_lowercase().as_str() {
            "y" | "yes" | "true" | "1" => Ok(Value::Bool(true)),
            "n" | "no" | "false" | "0" => Ok(Value::Bool(false)),
            _ => Err("answer y or n".into()),
        },
        "integer" => text
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| format!("'{text}' is not a whole number")),
        "number" => text
            .parse::<f64>()
            .ok()
            .and_then(|n| serde_json::Number::from_f64(n).map(Value::Number))
            .ok_or_else(|| format!("'{text}' is not a number")),
        "array" => text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(pick)
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        _ => pick(text),
    }
}
