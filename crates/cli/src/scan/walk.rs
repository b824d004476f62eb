//! Which inputs a `scan` reads: standard input, named files, and the files under named directories.
//!
//! Directories are walked recursively in a fixed order (entries sorted by name, byte-wise), following
//! symbolic links; a directory reached again through a link is skipped, with a warning when it is its
//! own ancestor (a loop). `.git` directories are not entered (their objects are compressed; history is
//! a job for a git-aware scanner); name one to scan it. Under directories only regular files are taken (no FIFOs or devices, which
//! could block); a named path is read whatever it is (`<(cmd)`, `/dev/stdin`). Paths that cannot be
//! read are reported and the walk goes on.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostics;

/// What `-` and an empty path list stand for, in reports.
pub(crate) const STDIN_NAME: &str = "<stdin>";

/// One thing to scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Input {
    Stdin,
    File {
        path: PathBuf,
        /// Size when walked, for the progress bar (0 if unknown).
        size: u64,
        /// Named on the command line (rather than found under a directory).
        named: bool,
    },
}

impl Input {
    /// The input as reports name it.
    pub(crate) fn name(&self) -> String {
        match self {
            Input::Stdin => STDIN_NAME.to_owned(),
            Input::File { path, .. } => path.display().to_string(),
        }
    }
}

/// The inputs `paths` stand for, in order; problems go to `diagnostics`.
pub(crate) fn inputs(paths: &[PathBuf], diagnostics: &mut Diagnostics) -> Vec<Input> {
    if paths.is_empty() {
        return vec![Input::Stdin];
    }
    let mut walk = Walk {
        inputs: Vec::new(),
        seen_dirs: HashSet::new(),
        ancestors: Vec::new(),
        diagnostics,
    };
    for path in paths {
        if path.as_os_str() == "-" {
            walk.inputs.push(Input::Stdin);
            continue;
        }
        match fs::metadata(path) {
            Ok(metadata) if metadata.is_dir() => walk.dir(path),
            Ok(metadata) => walk.inputs.push(Input::File {
                path: path.clone(),
                size: metadata.len(),
                named: true,
            }),
            Err(error) => walk.diagnostics.error(&path.display().to_string(), error),
        }
    }
    walk.inputs
}

struct Walk<'a> {
    inputs: Vec<Input>,
    /// Canonical paths of the directories entered so far.
    seen_dirs: HashSet<PathBuf>,
    /// Canonical paths of the directories being walked, outermost first.
    ancestors: Vec<PathBuf>,
    diagnostics: &'a mut Diagnostics,
}

impl Walk<'_> {
    fn dir(&mut self, dir: &Path) {
        let name = dir.display().to_string();
        let canonical = match fs::canonicalize(dir) {
            Ok(canonical) => canonical,
            Err(error) => return self.diagnostics.error(&name, error),
        };
        if self.ancestors.contains(&canonical) {
            return self
                .diagnostics
                .warning(&name, "symbolic link loop, not followed");
        }
        if !self.seen_dirs.insert(canonical.clone()) {
            return; // Already walked through another link.
        }
        let mut entries = Vec::new();
        let listing = match fs::read_dir(dir) {
            Ok(listing) => listing,
            Err(error) => return self.diagnostics.error(&name, error),
        };
        for entry in listing {
            match entry {
                Ok(entry) => entries.push(entry.file_name()),
                Err(error) => self.diagnostics.error(&name, error),
            }
        }
        entries.sort_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
        self.ancestors.push(canonical);
        for file_name in entries {
            let path = dir.join(file_name);
            self.entry(&path);
        }
        self.ancestors.pop();
    }

    fn entry(&mut self, path: &Path) {
        match fs::metadata(path) {
            Ok(metadata) if metadata.is_dir() => {
                if path.file_name() != Some(".git".as_ref()) {
                    self.dir(path);
                }
            }
            Ok(metadata) if metadata.is_file() => self.inputs.push(Input::File {
                path: path.to_path_buf(),
                size: metadata.len(),
                named: false,
            }),
            Ok(_) => {} // FIFOs, sockets, devices: not files to scan.
            Err(error) => {
                let name = path.display().to_string();
                let dangling = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
                if dangling {
                    self.diagnostics
                        .warning(&name, "broken symbolic link, skipped");
                } else {
                    self.diagnostics.error(&name, error);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(inputs: &[Input], root: &Path) -> Vec<String> {
        inputs
            .iter()
            .map(|input| match input {
                Input::Stdin => "-".to_owned(),
                Input::File { path, .. } => path
                    .strip_prefix(root)
                    .unwrap_or(path)
                    .display()
                    .to_string(),
            })
            .collect()
    }

    #[test]
    fn walks_sorted_and_recursive() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in [
            "b.txt",
            "a/z.txt",
            "a/b/c.txt",
            "A.txt",
            "a/a.txt",
            ".git/config",
            ".env",
        ] {
            let path = root.join(file);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, "x").unwrap();
        }
        let mut diagnostics = Diagnostics::default();
        let found = inputs(&[root.to_path_buf(), "-".into()], &mut diagnostics);
        assert_eq!(
            names(&found, root),
            [
                ".env",
                "A.txt",
                "a/a.txt",
                "a/b/c.txt",
                "a/z.txt",
                "b.txt",
                "-"
            ]
        );
        assert!(!diagnostics.has_errors());
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_and_dangling_links_are_skipped() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("d/e")).unwrap();
        fs::write(root.join("d/e/f.txt"), "x").unwrap();
        symlink(root.join("d"), root.join("d/e/up")).unwrap();
        symlink(root.join("d/e"), root.join("link")).unwrap();
        symlink(root.join("missing"), root.join("d/gone")).unwrap();
        let mut diagnostics = Diagnostics::default();
        let found = inputs(&[root.to_path_buf()], &mut diagnostics);
        assert_eq!(names(&found, root), ["d/e/f.txt"]);
        assert!(!diagnostics.has_errors());
    }

    #[test]
    fn missing_paths_are_errors_and_the_rest_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("ok.txt"), "x").unwrap();
        let mut diagnostics = Diagnostics::default();
        let found = inputs(
            &[dir.path().join("nope.txt"), dir.path().join("ok.txt")],
            &mut diagnostics,
        );
        assert_eq!(found.len(), 1);
        assert_eq!(diagnostics.errors().len(), 1);
        assert!(diagnostics.errors()[0].input.ends_with("nope.txt"));
    }
}
