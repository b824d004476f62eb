//! Embeddings, models and unknown routes.

use base64::Engine;
use serde_json::json;
use warden_testkit::{DEFAULT_DIMENSIONS, MockUpstream, embedding_for};

use super::{get, json_of, post};

#[tokio::test]
async fn embeddings_are_deterministic_per_input_and_shaped_like_openai() {
    let mock = MockUpstream::start().await;
    let body = json!({"model": "text-embedding-3-small", "input": ["alpha", "beta", "alpha"]});
    let response = json_of(post(&mock, "/embeddings", &body).await).await;
    assert_eq!(response["object"], "list");
    assert_eq!(response["model"], "text-embedding-3-small");
    let data = response["data"].as_array().unwrap();
    assert_eq!(data.len(), 3);
    for (index, (item, text)) in data.iter().zip(["alpha", "beta", "alpha"]).enumerate() {
        assert_eq!(item["object"], "embedding");
        assert_eq!(item["index"], index);
        let vector: Vec<f32> = serde_json::from_value(item["embedding"].clone()).unwrap();
        assert_eq!(vector.len(), DEFAULT_DIMENSIONS);
        assert_eq!(vector, embedding_for(text, DEFAULT_DIMENSIONS));
    }
    assert_eq!(data[0]["embedding"], data[2]["embedding"]);
    assert_ne!(data[0]["embedding"], data[1]["embedding"]);
    // Characters / 4 per input, rounded up: 2 + 1 + 2.
    assert_eq!(
        response["usage"],
        json!({"prompt_tokens": 5, "total_tokens": 5})
    );

    let single = json_of(
        post(
            &mock,
            "/embeddings",
            &json!({"model": "e", "input": "alpha"}),
        )
        .await,
    )
    .await;
    assert_eq!(single["data"][0]["embedding"], data[0]["embedding"]);
}

#[tokio::test]
async fn base64_embeddings_and_dimensions_follow_the_request() {
    let mock = MockUpstream::start().await;
    let body =
        json!({"model": "e", "input": "gamma", "encoding_format": "base64", "dimensions": 5});
    let response = json_of(post(&mock, "/embeddings", &body).await).await;
    let encoded = response["data"][0]["embedding"].as_str().unwrap();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    let vector: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect();
    assert_eq!(vector, embedding_for("gamma", 5));

    let tokens = post(
        &mock,
        "/embeddings",
        &json!({"model": "e", "input": [[1, 2, 3]]}),
    )
    .await;
    assert_eq!(tokens.status(), 400);
    let error = json_of(tokens).await;
    assert_eq!(error["error"]["param"], "input");
}

#[tokio::test]
async fn models_are_listed_and_retrieved() {
    let mock = MockUpstream::start().await;
    let url = |path: &str| format!("{}{path}", mock.base_url());
    let listed = json_of(get(&url("/models"), Some("k")).await).await;
    assert_eq!(listed["object"], "list");
    let ids: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|model| model["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["gpt-4o-mini", "text-embedding-3-small"]);
    assert_eq!(listed["data"][0]["object"], "model");
    assert_eq!(listed["data"][0]["owned_by"], "openai");

    let one = json_of(get(&url("/models/gpt-4o-mini"), Some("k")).await).await;
    assert_eq!(one["id"], "gpt-4o-mini");
    let missing = get(&url("/models/gpt-5-imaginary"), Some("k")).await;
    assert_eq!(missing.status(), 404);
    let error = json_of(missing).await;
    assert_eq!(error["error"]["code"], "model_not_found");

    let custom = MockUpstream::builder()
        .models(["a", "b", "c"])
        .start()
        .await;
    let listed = json_of(get(&format!("{}/models", custom.base_url()), Some("k")).await).await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 3);
    assert_eq!(listed["data"][2]["id"], "c");
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_openai_shape() {
    let mock = MockUpstream::start().await;
    let response = post(&mock, "/completions-of-the-future", &json!({})).await;
    assert_eq!(response.status(), 404);
    let error = json_of(response).await;
    assert_eq!(
        error["error"]["message"],
        "Invalid URL (POST /v1/completions-of-the-future)"
    );
    let response = get(&format!("{}/chat/completions", mock.base_url()), Some("k")).await;
    assert_eq!(response.status(), 405);
    let error = json_of(response).await;
    assert_eq!(error["error"]["type"], "invalid_request_error");
}
