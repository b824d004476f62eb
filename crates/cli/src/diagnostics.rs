//! Errors and warnings about inputs, written to standard error as they happen and remembered for the
//! exit code and for reports that list them (JSON, SARIF).
//!
//! Messages name the input (a path, `path:line`) and the reason, never the input's content.

use std::io::Write;

/// One input that could not be (fully) read.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub(crate) struct InputError {
    /// The input as the user would name it: a path, `path:line`, or `<stdin>`.
    pub(crate) input: String,
    /// Why, e.g. the operating system's reason.
    pub(crate) message: String,
}

/// Collects what went wrong with inputs; the command keeps going and exits 2 at the end.
#[derive(Debug, Default)]
pub(crate) struct Diagnostics {
    errors: Vec<InputError>,
}

impl Diagnostics {
    /// Reports an input that could not be read or parsed.
    pub(crate) fn error(&mut self, input: &str, message: impl std::fmt::Display) {
        let message = message.to_string();
        let _ = writeln!(std::io::stderr(), "warden: error: {input}: {message}");
        self.errors.push(InputError {
            input: input.to_owned(),
            message,
        });
    }

    /// Reports something the user should know that does not make the run fail.
    pub(crate) fn warning(&self, input: &str, message: impl std::fmt::Display) {
        let _ = writeln!(std::io::stderr(), "warden: warning: {input}: {message}");
    }

    pub(crate) fn errors(&self) -> &[InputError] {
        &self.errors
    }

    pub(crate) fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}
