//! `Context::elicit`: asking the user for structured input.
#![allow(deprecated)]

use rmcp::model::{
    ElicitRequest, ElicitRequestParams, ElicitResult, ElicitationAction, ElicitationSchema,
    InputRequest,
};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::Context;
use crate::error::Error;

/// The user's answer to an elicitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Elicitation<T> {
    /// The user submitted the form.
    Accept(T),
    /// The user explicitly declined.
    Decline,
    /// The user dismissed the request without choosing.
    Cancel,
}

impl<T> Elicitation<T> {
    /// The accepted value, if any.
    pub fn accepted(self) -> Option<T> {
        match self {
            Elicitation::Accept(value) => Some(value),
            _ => None,
        }
    }
}

impl Context {
    /// Asks the user to fill in a form for `T` (a struct of strings, numbers, booleans and
    /// enums; defaults and descriptions come from its schema). A non-struct `T` is asked for
    /// as a single field named `value`.
    ///
    /// ```no_run
    /// # async fn demo(ctx: fastmcp::Context) -> Result<(), fastmcp::Error> {
    /// use fastmcp::server::Elicitation;
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct Booking { guests: u32, date: String }
    /// match ctx.elicit::<Booking>("Book a table").await? {
    ///     Elicitation::Accept(booking) => println!("{} guests", booking.guests),
    ///     Elicitation::Decline | Elicitation::Cancel => println!("no booking"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn elicit<T: JsonSchema + DeserializeOwned>(
        &self,
        message: impl Into<String>,
    ) -> Result<Elicitation<T>, Error> {
        let schema = crate::utilities::schema::schema_for::<T>();
        let wrapped = schema.get("type").and_then(Value::as_str) != Some("object");
        let schema = if wrapped {
            json!({"type": "object", "properties": {"value": Value::Object(schema)}, "required": ["value"]})
        } else {
            Value::Object(schema)
        };
        let answer = self.elicit_with_schema(message, schema).await?;
        Ok(match answer {
            Elicitation::Accept(content) => {
                let content = if wrapped {
                    content.get("value").cloned().unwrap_or(Value::Null)
                } else {
                    content
                };
                let value = serde_json::from_value(content).map_err(|error| {
                    Error::data_from(
                        format!("the client's answer does not fit the form: {error}"),
                        error,
                    )
                })?;
                Elicitation::Accept(value)
            }
            Elicitation::Decline => Elicitation::Decline,
            Elicitation::Cancel => Elicitation::Cancel,
        })
    }

    /// Asks the user to fill in a form described by a JSON Schema (an object whose properties
    /// are primitives or enums).
    pub async fn elicit_with_schema(
        &self,
        message: impl Into<String>,
        schema: Value,
    ) -> Result<Elicitation<Value>, Error> {
        let requested_schema = elicitation_schema(schema)?;
        let params = ElicitRequestParams::FormElicitationParams {
            meta: None,
            message: message.into(),
            requested_schema,
        };
        self.send_elicitation(params).await
    }

    /// Sends the user to `url` to give input the client must not see (credentials, payment).
    /// `Accept` means the user agreed to go, not that they finished.
    pub async fn elicit_url(
        &self,
        message: impl Into<String>,
        url: impl Into<String>,
        elicitation_id: impl Into<String>,
    ) -> Result<Elicitation<()>, Error> {
        let params = ElicitRequestParams::UrlElicitationParams {
            meta: None,
            message: message.into(),
            url: url.into(),
            elicitation_id: elicitation_id.into(),
        };
        Ok(match self.send_elicitation(params).await? {
            Elicitation::Accept(_) => Elicitation::Accept(()),
            Elicitation::Decline => Elicitation::Decline,
            Elicitation::Cancel => Elicitation::Cancel,
        })
    }

    async fn send_elicitation(
        &self,
        params: ElicitRequestParams,
    ) -> Result<Elicitation<Value>, Error> {
        let answer = self
            .ask(InputRequest::Elicitation(ElicitRequest::new(params)))
            .await?;
        let result: ElicitResult = serde_json::from_value(answer).map_err(|error| {
            Error::data_from(format!("malformed elicitation result: {error}"), error)
        })?;
        Ok(match result.action {
            ElicitationAction::Accept => Elicitation::Accept(result.content.unwrap_or(Value::Null)),
            ElicitationAction::Decline => Elicitation::Decline,
            _ => Elicitation::Cancel,
        })
    }
}

fn elicitation_schema(mut schema: Value) -> Result<ElicitationSchema, Error> {
    if let Some(object) = schema.as_object_mut() {
        // Keywords schemars adds that the restricted elicitation schema does not allow.
        object.remove("$schema");
        object.remove("additionalProperties");
    }
    serde_json::from_value(schema).map_err(|error| {
        Error::data_from(
            format!("this type cannot be elicited (fields must be primitives or enums): {error}"),
            error,
        )
    })
}
