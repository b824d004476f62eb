//! Injected faults, as the gateway's error paths meet them.

use std::time::Duration;

use serde_json::Value;
use warden_testkit::{Fault, MockUpstream, Reply};

use super::{chat_body, client, content_deltas, data_frames, post, read_until_break, stream_body};

#[tokio::test]
async fn a_stream_broken_after_n_frames_delivers_exactly_n_and_no_done() {
    let mock = MockUpstream::start().await;
    for after_frames in [0, 1, 3] {
        mock.push_reply(
            Reply::fault(Fault::BreakMidStream { after_frames })
                .with_chunk_size(2)
                .with_chunk_delay_ms(1),
        );
        let response = post(&mock, "/chat/completions", &stream_body("abcdefghijklmnop")).await;
        assert_eq!(response.status(), 200);
        let (received, broke) = read_until_break(response).await;
        assert!(
            broke,
            "after {after_frames} frames the body ends in an error"
        );
        assert_eq!(
            data_frames_or_none(&received).len(),
            after_frames,
            "{received:?}"
        );
        assert!(!received.contains("[DONE]"));
    }
}

#[tokio::test]
async fn a_break_beyond_the_stream_still_withholds_done() {
    let mock = MockUpstream::start().await;
    mock.push_reply(Reply::fault(Fault::BreakMidStream { after_frames: 1000 }));
    let response = post(&mock, "/chat/completions", &stream_body("short")).await;
    let (received, broke) = read_until_break(response).await;
    assert!(broke);
    assert!(!received.contains("[DONE]"));
    let frames = data_frames(&received);
    let chunks: Vec<Value> = frames
        .iter()
        .map(|f| serde_json::from_str(f).unwrap())
        .collect();
    assert_eq!(content_deltas(&chunks).concat(), "short");
}

#[tokio::test]
async fn a_non_streamed_break_sends_half_a_body_then_drops() {
    let mock = MockUpstream::start().await;
    mock.push_reply(Reply::fault(Fault::BreakMidStream { after_frames: 1 }));
    let response = post(&mock, "/chat/completions", &chat_body("a longer question")).await;
    assert_eq!(response.status(), 200);
    let (received, broke) = read_until_break(response).await;
    assert!(broke);
    assert!(received.starts_with('{'));
    assert!(serde_json::from_str::<Value>(&received).is_err());
}

#[tokio::test]
async fn malformed_json_is_a_truncated_body_with_a_200() {
    let mock = MockUpstream::start().await;
    for fault in [Fault::MalformedJson, Fault::MalformedSse] {
        mock.push_reply(Reply::fault(fault));
        let response = post(&mock, "/chat/completions", &chat_body("hello")).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/json");
        let body = response.text().await.unwrap();
        assert!(body.starts_with("{\""), "{fault:?}: {body}");
        assert!(serde_json::from_str::<Value>(&body).is_err(), "{fault:?}");
    }
}

#[tokio::test]
async fn malformed_stream_frames_sit_among_good_ones() {
    let mock = MockUpstream::start().await;
    for (fault, expected_garbage) in [
        (Fault::MalformedSse, Some("{not json")),
        (Fault::MalformedJson, None),
    ] {
        mock.push_reply(Reply::fault(fault).with_chunk_size(3));
        let response = post(&mock, "/chat/completions", &stream_body("complete text")).await;
        let frames = data_frames(&response.text().await.unwrap());
        assert_eq!(frames.last().map(String::as_str), Some("[DONE]"));
        let (parsed, broken): (Vec<_>, Vec<_>) = frames[..frames.len() - 1]
            .iter()
            .map(|frame| (frame, serde_json::from_str::<Value>(frame)))
            .partition(|(_, parsed)| parsed.is_ok());
        assert_eq!(broken.len(), 1, "{fault:?}: one bad frame");
        assert_eq!(frames.iter().position(|f| f == broken[0].0), Some(1));
        if let Some(garbage) = expected_garbage {
            assert_eq!(broken[0].0, garbage);
        } else {
            // A truncated chunk (its key order depends on serde_json's features in the build).
            assert!(broken[0].0.starts_with("{\""), "{}", broken[0].0);
        }
        let chunks: Vec<Value> = parsed.into_iter().map(|(_, json)| json.unwrap()).collect();
        assert_eq!(
            content_deltas(&chunks).concat(),
            "complete text",
            "{fault:?}"
        );
    }
}

#[tokio::test]
async fn a_hung_reply_never_answers_so_the_client_times_out() {
    let mock = MockUpstream::start().await;
    mock.push_reply(Reply::fault(Fault::Hang));
    let impatient = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let error = impatient
        .post(format!("{}/chat/completions", mock.base_url()))
        .bearer_auth("k")
        .json(&chat_body("anyone there?"))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error}");
}

#[tokio::test]
async fn shutdown_releases_hung_replies_with_a_503() {
    let mock = MockUpstream::start().await;
    mock.set_default(Reply::fault(Fault::Hang));
    let url = format!("{}/chat/completions", mock.base_url());
    let waiting = tokio::spawn(async move {
        client()
            .post(url)
            .bearer_auth("k")
            .json(&chat_body("hello?"))
            .send()
            .await
            .unwrap()
            .status()
    });
    mock.state().wait_for_requests(1).await;
    mock.shutdown().await;
    assert_eq!(waiting.await.unwrap(), 503);
}

/// Whole frames received before a break (a partial last frame is not counted).
fn data_frames_or_none(received: &str) -> Vec<String> {
    let whole = match received.rfind("\n\n") {
        Some(end) => &received[..end + 2],
        None => return Vec::new(),
    };
    data_frames(whole)
}

#[tokio::test]
async fn over_http2_a_break_is_a_stream_reset_without_done() {
    let mock = MockUpstream::start().await;
    mock.push_reply(Reply::fault(Fault::BreakMidStream { after_frames: 2 }));
    let response = reqwest::Client::builder()
        .http2_prior_knowledge()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!("{}/chat/completions", mock.base_url()))
        .bearer_auth("k")
        .json(&stream_body("over h2"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.version(), reqwest::Version::HTTP_2);
    let (received, broke) = read_until_break(response).await;
    assert!(broke);
    // How many frames arrive before the reset is up to the HTTP/2 scheduler; never [DONE].
    assert!(!received.contains("[DONE]"));
}
