//! `POST /v1/embeddings`: deterministic unit vectors derived from a hash of each input.

use axum::Json;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use serde_json::{Value, json};

use crate::chat::tokens;
use crate::error::ApiError;
use crate::request::{model, request_object};

/// Dimensions of a vector when the request does not ask for `dimensions`.
pub const DEFAULT_DIMENSIONS: usize = 8;

/// The most `dimensions` the mock accepts (OpenAI's largest model has 3,072).
const MAX_DIMENSIONS: usize = 4096;

/// The vector the mock returns for `text`: `dimensions` floats of unit length, the same for the same
/// text and dimensions on every run and platform.
pub fn embedding_for(text: &str, dimensions: usize) -> Vec<f32> {
    // FNV-1a seeds a SplitMix64 sequence: cheap, portable and stable, which is all a mock needs.
    let mut state = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    let raw: Vec<f32> = (0..dimensions)
        .map(|_| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut mixed = state;
            mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            mixed ^= mixed >> 31;
            // The top 24 bits are exact in an f32: a value in [-1, 1).
            (mixed >> 40) as f32 / (1u32 << 23) as f32 - 1.0
        })
        .collect();
    let norm = raw.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm == 0.0 {
        return raw;
    }
    raw.into_iter().map(|x| x / norm).collect()
}

/// Answers one embeddings request.
pub(crate) async fn create(body: Bytes) -> Response {
    match EmbeddingsRequest::parse(&body) {
        Ok(request) => Json(request.response()).into_response(),
        Err(error) => error.into_response(),
    }
}

#[derive(Debug)]
struct EmbeddingsRequest {
    model: String,
    inputs: Vec<String>,
    dimensions: usize,
    base64: bool,
}

impl EmbeddingsRequest {
    fn parse(body: &[u8]) -> Result<Self, ApiError> {
        let request = request_object(body)?;
        let model = model(&request)?;
        // Token arrays are valid for OpenAI; the mock takes text only, and says so.
        let text_only =
            || ApiError::invalid_value("input", "a string or a non-empty array of strings");
        let inputs = match request.get("input") {
            Some(Value::String(text)) => vec![text.clone()],
            Some(Value::Array(items)) if !items.is_empty() => items
                .iter()
                .map(|item| item.as_str().map(str::to_owned))
                .collect::<Option<Vec<String>>>()
                .ok_or_else(text_only)?,
            Some(_) => return Err(text_only()),
            None => return Err(ApiError::missing("input")),
        };
        let dimensions = match request.get("dimensions") {
            None | Some(Value::Null) => DEFAULT_DIMENSIONS,
            Some(value) => value
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .filter(|n| (1..=MAX_DIMENSIONS).contains(n))
                .ok_or_else(|| ApiError::invalid_value("dimensions", "an integer in 1..=4096"))?,
        };
        // The Python SDK asks for base64 unless told otherwise, and decodes it itself.
        let base64 = match request.get("encoding_format") {
            None | Some(Value::Null) => false,
            Some(Value::String(format)) if format == "float" => false,
            Some(Value::String(format)) if format == "base64" => true,
            Some(_) => {
                return Err(ApiError::invalid_value(
                    "encoding_format",
                    "\"float\" or \"base64\"",
                ));
            }
        };
        Ok(EmbeddingsRequest {
            model,
            inputs,
            dimensions,
            base64,
        })
    }

    fn response(&self) -> Value {
        let data: Vec<Value> = self
            .inputs
            .iter()
            .enumerate()
            .map(|(index, text)| {
                let vector = embedding_for(text, self.dimensions);
                let embedding = if self.base64 {
                    let bytes: Vec<u8> = vector.iter().flat_map(|x| x.to_le_bytes()).collect();
                    Value::String(BASE64.encode(bytes))
                } else {
                    json!(vector)
                };
                json!({"object": "embedding", "index": index, "embedding": embedding})
            })
            .collect();
        let prompt_tokens: u64 = self
            .inputs
            .iter()
            .map(|text| tokens(text.chars().count()))
            .sum();
        json!({
            "object": "list",
            "data": data,
            "model": self.model,
            "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens},
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_are_stable_unit_length_and_differ_by_text() {
        let a = embedding_for("hello", 8);
        assert_eq!(a, embedding_for("hello", 8));
        assert_ne!(a, embedding_for("hellp", 8));
        let norm: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "norm {norm}");
        assert!(embedding_for("", 0).is_empty());
    }

    #[test]
    fn base64_vectors_decode_to_the_float_vectors() {
        let body = json!({"model": "m", "input": ["a", "b"], "encoding_format": "base64", "dimensions": 3});
        let response = EmbeddingsRequest::parse(body.to_string().as_bytes())
            .unwrap()
            .response();
        let encoded = response["data"][1]["embedding"].as_str().unwrap();
        let bytes = BASE64.decode(encoded).unwrap();
        let decoded: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        assert_eq!(decoded, embedding_for("b", 3));
    }

    #[test]
    fn token_arrays_and_bad_dimensions_are_refused() {
        for body in [
            json!({"model": "m", "input": [[1, 2]]}),
            json!({"model": "m", "input": []}),
            json!({"model": "m", "input": "x", "dimensions": 0}),
            json!({"model": "m", "input": "x", "encoding_format": "hex"}),
            json!({"input": "x"}),
        ] {
            assert!(
                EmbeddingsRequest::parse(body.to_string().as_bytes()).is_err(),
                "{body}"
            );
        }
    }
}
