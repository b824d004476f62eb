//! Reading OpenAI request bodies: the JSON object and the fields every route shares.

use serde_json::{Map, Value};

use crate::error::ApiError;

/// The body as a JSON object, or OpenAI's "could not parse" error.
pub(crate) fn request_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(request)) => Ok(request),
        _ => Err(ApiError::unparsable_body()),
    }
}

/// The required `model` string.
pub(crate) fn model(request: &Map<String, Value>) -> Result<String, ApiError> {
    match request.get("model") {
        Some(Value::String(model)) => Ok(model.clone()),
        Some(_) => Err(ApiError::invalid_value("model", "a string")),
        None => Err(ApiError::missing("model")),
    }
}
