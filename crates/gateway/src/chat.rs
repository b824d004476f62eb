//! `POST /v1/chat/completions`: the request pipeline for model calls (SPEC §2 steps 5–9).
//!
//! Input: every text the client sends — each message's `content` (a string or its text parts),
//! `refusal`, and every tool call's `function.arguments` — is sanitised, then scanned, then the input
//! actions applied with one pseudonym table for the whole request (so the same value gets the same
//! placeholder in every message, and the numbering is stable across the turns of a conversation). The
//! OpenAI `user` field is replaced by a keyed hash. Non-text parts (images, audio, files) cannot be
//! inspected and are refused unless `[scan] danger_allow_uninspected_parts` says otherwise.
//!
//! Output: a whole answer's texts go through [`Inspector::output_text`]; a streamed one through the
//! [`StreamTransformer`](crate::stream::StreamTransformer).

use serde_json::Value;
use warden_scan::{EntityType, InjectionContext};

use crate::config::ServerConfig;
use crate::error::{ApiError, printable};
use crate::inspect::{InputState, Inspector, Tally};

/// Roles a message may have.
const ROLES: &[&str] = &[
    "system",
    "developer",
    "user",
    "assistant",
    "tool",
    "function",
];

/// The validated parts of a chat request the pipeline needs.
#[derive(Debug)]
pub struct ChatRequest {
    /// The model asked for.
    pub model: String,
    /// Whether the answer is streamed.
    pub stream: bool,
}

/// Checks the request's shape; returns its model and stream flag.
pub fn validate(request: &Value, limits: &ServerConfig) -> Result<ChatRequest, ApiError> {
    let Some(object) = request.as_object() else {
        return Err(ApiError::invalid_request("the body must be a JSON object"));
    };
    let model = match object.get("model") {
        Some(Value::String(model)) if !model.is_empty() => model.clone(),
        Some(_) => {
            return Err(
                ApiError::invalid_request("`model` must be a non-empty string").with_param("model"),
            );
        }
        None => {
            return Err(
                ApiError::invalid_request("missing required field `model`").with_param("model")
            );
        }
    };
    let stream = match object.get("stream") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(stream)) => *stream,
        Some(_) => {
            return Err(
                ApiError::invalid_request("`stream` must be a boolean").with_param("stream")
            );
        }
    };
    let messages = match object.get("messages") {
        Some(Value::Array(messages)) if !messages.is_empty() => messages,
        Some(Value::Array(_)) => {
            return Err(
                ApiError::invalid_request("`messages` must not be empty").with_param("messages")
            );
        }
        Some(_) => {
            return Err(
                ApiError::invalid_request("`messages` must be an array").with_param("messages")
            );
        }
        None => {
            return Err(
                ApiError::invalid_request("missing required field `messages`")
                    .with_param("messages"),
            );
        }
    };
    if messages.len() > limits.max_messages {
        return Err(ApiError::too_large(format!(
            "{} messages is over the limit of {}",
            messages.len(),
            limits.max_messages
        ))
        .with_param("messages"));
    }
    for (i, message) in messages.iter().enumerate() {
        let Some(message) = message.as_object() else {
            return Err(ApiError::invalid_request("each message must be an object")
                .with_param(format!("messages[{i}]")));
        };
        match message.get("role") {
            Some(Value::String(role)) if ROLES.contains(&role.as_str()) => {}
            Some(Value::String(role)) => {
                return Err(ApiError::invalid_request(format!(
                    "unknown role `{}`: use system, developer, user, assistant or tool",
                    printable(role)
                ))
                .with_param(format!("messages[{i}].role")));
            }
            _ => {
                return Err(
                    ApiError::invalid_request("each message needs a string `role`")
                        .with_param(format!("messages[{i}].role")),
                );
            }
        }
    }
    if let Some(user) = object.get("user")
        && !user.is_string()
    {
        return Err(ApiError::invalid_request("`user` must be a string").with_param("user"));
    }
    Ok(ChatRequest { model, stream })
}

/// A text field of the request, by JSON pointer, with its name for error messages.
struct Slot {
    pointer: String,
    param: String,
    /// Tool results are data the model reads; everything else is a request to it.
    context: InjectionContext,
}

/// Finds every text of `messages` the pipeline inspects; refuses parts it cannot inspect.
fn text_slots(request: &Value, allow_uninspected: bool) -> Result<Vec<Slot>, ApiError> {
    let mut slots = Vec::new();
    let Some(messages) = request.get("messages").and_then(Value::as_array) else {
        return Ok(slots);
    };
    for (i, message) in messages.iter().enumerate() {
        let context = match message.get("role").and_then(Value::as_str) {
            Some("tool" | "function") => InjectionContext::Document,
            _ => InjectionContext::Prompt,
        };
        let mut push = |pointer: String, param: String| {
            slots.push(Slot {
                pointer,
                param,
                context,
            });
        };
        match message.get("content") {
            None | Some(Value::Null) => {}
            Some(Value::String(_)) => push(
                format!("/messages/{i}/content"),
                format!("messages[{i}].content"),
            ),
            Some(Value::Array(parts)) => {
                for (j, part) in parts.iter().enumerate() {
                    let param = format!("messages[{i}].content[{j}]");
                    let kind = part.get("type").and_then(Value::as_str).unwrap_or("");
                    match (kind, part.get("text"), part.get("refusal")) {
                        ("text", Some(Value::String(_)), _) => {
                            push(
                                format!("/messages/{i}/content/{j}/text"),
                                format!("{param}.text"),
                            );
                        }
                        ("refusal", _, Some(Value::String(_))) => {
                            push(
                                format!("/messages/{i}/content/{j}/refusal"),
                                format!("{param}.refusal"),
                            );
                        }
                        ("text" | "refusal", _, _) => {
                            return Err(ApiError::invalid_request(
                                "a text part needs a string `text`",
                            )
                            .with_param(param));
                        }
                        ("image_url" | "input_audio" | "file", _, _) if allow_uninspected => {}
                        ("image_url" | "input_audio" | "file", _, _) => {
                            return Err(ApiError::invalid_request(format!(
                                "`{kind}` parts cannot be inspected for personal data, so this gateway refuses them"
                            ))
                            .with_param(param));
                        }
                        _ => {
                            return Err(ApiError::invalid_request(format!(
                                "unknown content part type `{}`",
                                printable(kind)
                            ))
                            .with_param(param));
                        }
                    }
                }
            }
            Some(_) => {
                return Err(ApiError::invalid_request(
                    "`content` must be a string, an array of parts or null",
                )
                .with_param(format!("messages[{i}].content")));
            }
        }
        if let Some(Value::String(_)) = message.get("refusal") {
            push(
                format!("/messages/{i}/refusal"),
                format!("messages[{i}].refusal"),
            );
        }
        if let Some(calls) = message.get("tool_calls") {
            let Some(calls) = calls.as_array() else {
                return Err(ApiError::invalid_request("`tool_calls` must be an array")
                    .with_param(format!("messages[{i}].tool_calls")));
            };
            for (j, call) in calls.iter().enumerate() {
                match call.get("function").and_then(|f| f.get("arguments")) {
                    Some(Value::String(_)) => push(
                        format!("/messages/{i}/tool_calls/{j}/function/arguments"),
                        format!("messages[{i}].tool_calls[{j}].function.arguments"),
                    ),
                    None | Some(Value::Null) => {}
                    Some(_) => {
                        return Err(ApiError::invalid_request(
                            "tool call `arguments` must be a string",
                        )
                        .with_param(format!("messages[{i}].tool_calls[{j}].function.arguments")));
                    }
                }
            }
        }
        if let Some(Value::String(_)) = message
            .get("function_call")
            .and_then(|f| f.get("arguments"))
        {
            push(
                format!("/messages/{i}/function_call/arguments"),
                format!("messages[{i}].function_call.arguments"),
            );
        }
    }
    Ok(slots)
}

/// Sanitises and inspects every text of the request in place (SPEC §2 steps 5–6).
pub fn inspect_input(
    inspector: &Inspector,
    request: &mut Value,
    limits: &ServerConfig,
    allow_uninspected: bool,
    state: &mut InputState,
) -> Result<(), ApiError> {
    let slots = text_slots(request, allow_uninspected)?;
    // Pass 1: sanitise, count, and reserve user-typed placeholder look-alikes before any pseudonym is
    // issued, so no issued placeholder can collide with one the user typed in a later message.
    let mut total_chars = 0usize;
    for slot in &slots {
        if let Some(Value::String(text)) = request.pointer_mut(&slot.pointer) {
            let clean = inspector.sanitize(text);
            total_chars = total_chars.saturating_add(clean.chars().count());
            if total_chars > limits.max_text_chars {
                return Err(ApiError::too_large(format!(
                    "the request holds more than {} characters of text",
                    limits.max_text_chars
                )));
            }
            state.table.reserve(&clean);
            *text = clean;
        }
    }
    // Pass 2: scan and apply the input actions.
    for slot in &slots {
        if let Some(Value::String(text)) = request.pointer_mut(&slot.pointer) {
            *text = inspector.input_text(text, state, &slot.param, slot.context)?;
        }
    }
    if let Some(Value::String(user)) = request.get_mut("user") {
        *user = warden_scan::operator::hash(inspector.keys(), &EntityType::Person, user, 32);
    }
    Ok(())
}

/// Inspects a whole (non-streamed) answer in place (SPEC §2 steps 8–9).
pub fn inspect_output(
    inspector: &Inspector,
    answer: &mut Value,
    table: &warden_scan::PseudonymTable,
    found: &mut Tally,
    guard: Option<&std::sync::Arc<crate::prompt_guard::PromptGuard>>,
) -> Result<(), ApiError> {
    let Some(choices) = answer.get_mut("choices").and_then(Value::as_array_mut) else {
        return Err(ApiError::upstream("the upstream answer has no choices"));
    };
    for choice in choices {
        let Some(message) = choice.get_mut("message") else {
            continue;
        };
        let mut texts: Vec<&mut String> = Vec::new();
        let message = match message.as_object_mut() {
            Some(message) => message,
            None => continue,
        };
        for (key, value) in message.iter_mut() {
            match (key.as_str(), value) {
                ("content" | "refusal", Value::String(text)) => texts.push(text),
                ("content", Value::Array(parts)) => {
                    for part in parts {
                        if let Some(Value::String(text)) = part.get_mut("text") {
                            texts.push(text);
                        }
                    }
                }
                ("tool_calls", Value::Array(calls)) => {
                    for call in calls {
                        if let Some(Value::String(text)) = call
                            .get_mut("function")
                            .and_then(|f| f.get_mut("arguments"))
                        {
                            texts.push(text);
                        }
                    }
                }
                ("function_call", Value::Object(call)) => {
                    if let Some(Value::String(text)) = call.get_mut("arguments") {
                        texts.push(text);
                    }
                }
                _ => {}
            }
        }
        for text in texts {
            *text = inspector.output_text(text, table, found, guard)?;
        }
    }
    Ok(())
}
