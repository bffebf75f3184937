//! How a `#[tool]`, `#[prompt]` or `#[resource]` function's parameters get their values, decided
//! by type as axum's extractors are: a [`Context`] comes from the request, anything else is an
//! argument deserialized from the client's JSON.
//!
//! The macros put every parameter into one generated arguments struct, typed
//! `<T as Param>::Stored`. For an argument that is `T` itself. For a `Context` it is
//! [`ContextSlot`]: a field the client never fills (its schema carries a marker and is removed
//! from the published schema; a value sent for it is refused), whose value the server supplies.

use schemars::JsonSchema;
use serde::de::{Deserialize, DeserializeOwned, Deserializer, Error as _, Visitor};

use super::Context;
use crate::utilities::schema::INJECTED_MARKER;

/// A parameter of a macro-built component: where its value comes from.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a parameter of a `#[tool]`, `#[prompt]` or `#[resource]` function",
    label = "not an argument type",
    note = "an argument must implement `serde::Deserialize` and `schemars::JsonSchema`; \
            the request's `fastmcp::Context` is the one other parameter type"
)]
pub trait Param: Sized {
    /// What the generated arguments struct holds for it.
    type Stored: DeserializeOwned + JsonSchema;
    /// The value passed to the function.
    fn take(stored: Self::Stored, ctx: &Context) -> Self;
    /// The value lent to a function that takes `&Self`.
    fn lend<'a>(stored: &'a Self::Stored, ctx: &'a Context) -> &'a Self;
}

impl<T: DeserializeOwned + JsonSchema> Param for T {
    type Stored = T;

    fn take(stored: T, _: &Context) -> T {
        stored
    }

    fn lend<'a>(stored: &'a T, _: &'a Context) -> &'a T {
        stored
    }
}

impl Param for Context {
    type Stored = ContextSlot;

    fn take(_: ContextSlot, ctx: &Context) -> Context {
        ctx.clone()
    }

    fn lend<'a>(_: &'a ContextSlot, ctx: &'a Context) -> &'a Context {
        ctx
    }
}

/// A parameter that is not one of a resource template's URI variables must be supplied by the
/// server: only a `Context` is.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is neither one of this resource's URI variables nor a `Context`",
    label = "not in the URI",
    note = "a resource function takes its URI's `{{variables}}` and, optionally, a `Context`; \
            add `{{name}}` to the URI to make this parameter a variable"
)]
pub trait Injected {}

impl Injected for Context {}

/// A parameter without a name (`_`) cannot be an argument, which clients send by name: only a
/// `Context` may go unnamed.
#[diagnostic::on_unimplemented(
    message = "an unnamed parameter (`_: {Self}`) must be a `Context`: arguments are sent by name",
    label = "give this parameter a name"
)]
pub trait Unnamed {}

impl Unnamed for Context {}

/// The arguments-struct field of a `Context` parameter: absent from what the client sends.
#[derive(Debug, Clone, Copy, Default)]
pub struct ContextSlot;

impl<'de> Deserialize<'de> for ContextSlot {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // serde hands a missing field to `deserialize_option` as `None`: accept only that.
        deserializer.deserialize_option(SlotVisitor)
    }
}

struct SlotVisitor;

impl<'de> Visitor<'de> for SlotVisitor {
    type Value = ContextSlot;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("nothing: this parameter is supplied by the server")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<ContextSlot, E> {
        Ok(ContextSlot)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<ContextSlot, E> {
        Ok(ContextSlot)
    }

    fn visit_some<D: Deserializer<'de>>(self, _: D) -> Result<ContextSlot, D::Error> {
        Err(D::Error::custom(
            "this parameter is supplied by the server, not by the client",
        ))
    }
}

impl JsonSchema for ContextSlot {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ContextSlot".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ INJECTED_MARKER: true })
    }
}
