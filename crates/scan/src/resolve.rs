//! Overlap resolution: at most one finding covers any character.
//!
//! Rule (deterministic): candidates are taken greedily by rank, and a candidate is kept when it overlaps
//! no candidate kept before it. Rank: a secret first (a credential inside a URL or next to a name must be
//! the thing redacted), then higher score, then longer span, then earlier start, then entity
//! type order, then detector name, so the result does not depend on the order detectors ran in.
//! A candidate's fate depends only on its *cluster* (the candidates linked to it by a chain of
//! overlaps); the stream scanner never emits text while the cluster around it is still open.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::detect::Candidate;
use crate::entity::EntityType;

/// Ranks `a` against `b`: `Greater` if `a` wins.
fn rank(a: &Candidate, b: &Candidate) -> Ordering {
    let secret = |c: &Candidate| c.entity == EntityType::Secret;
    secret(a)
        .cmp(&secret(b))
        .then_with(|| a.score.total_cmp(&b.score))
        .then_with(|| (a.end - a.start).cmp(&(b.end - b.start)))
        .then_with(|| b.start.cmp(&a.start))
        .then_with(|| b.entity.cmp(&a.entity))
        .then_with(|| b.detector.cmp(&a.detector))
        .then_with(|| b.subtype.cmp(&a.subtype))
}

/// Keeps the best non-overlapping candidates; returns them sorted by start.
pub(crate) fn resolve(mut candidates: Vec<Candidate>) -> Vec<Candidate> {
    if candidates.len() <= 1 {
        return candidates;
    }
    candidates.sort_by(|a, b| rank(b, a));
    let mut kept: Vec<Candidate> = Vec::with_capacity(candidates.len());
    let mut taken = Taken::with_capacity(candidates.len());
    for candidate in candidates {
        if taken.insert(candidate.start, candidate.end) {
            kept.push(candidate);
        }
    }
    kept.sort_by_key(|c| c.start);
    kept
}

/// The spans kept so far, which never overlap, by start: a sorted vector for the few findings of a
/// chat message, a B-tree for a large document (inserting into the middle of a vector of tens of
/// thousands of spans costs time quadratic in their number).
enum Taken {
    Few(Vec<(usize, usize)>),
    Many(BTreeMap<usize, usize>),
}

impl Taken {
    const MAX_FEW: usize = 64;

    fn with_capacity(n_candidates: usize) -> Taken {
        if n_candidates <= Taken::MAX_FEW {
            Taken::Few(Vec::with_capacity(n_candidates))
        } else {
            Taken::Many(BTreeMap::new())
        }
    }

    /// Takes `start..end` unless it overlaps a span taken before; true if taken.
    fn insert(&mut self, start: usize, end: usize) -> bool {
        match self {
            Taken::Few(spans) => {
                let at = spans.partition_point(|&(s, _)| s < start);
                let clashes_before = at > 0 && spans[at - 1].1 > start;
                let clashes_after = at < spans.len() && spans[at].0 < end;
                if clashes_before || clashes_after {
                    return false;
                }
                spans.insert(at, (start, end));
            }
            Taken::Many(spans) => {
                let clashes_before = spans
                    .range(..start)
                    .next_back()
                    .is_some_and(|(_, &e)| e > start);
                let clashes_after = spans.range(start..).next().is_some_and(|(&s, _)| s < end);
                if clashes_before || clashes_after {
                    return false;
                }
                spans.insert(start, end);
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    fn c(start: usize, end: usize, score: f32, entity: EntityType) -> Candidate {
        Candidate {
            start,
            end,
            entity,
            subtype: None,
            score,
            detector: Cow::Borrowed("t"),
        }
    }

    #[test]
    fn higher_score_wins_and_results_never_overlap() {
        let kept = resolve(vec![
            c(0, 10, 0.5, EntityType::PhoneNumber),
            c(2, 8, 0.9, EntityType::UsSsn),
            c(20, 30, 0.3, EntityType::Person),
        ]);
        let spans: Vec<(usize, usize)> = kept.iter().map(|c| (c.start, c.end)).collect();
        assert_eq!(spans, [(2, 8), (20, 30)]);
    }

    #[test]
    fn a_secret_beats_any_overlapping_finding() {
        let kept = resolve(vec![
            c(0, 77, 0.7, EntityType::Url),
            c(8, 77, 0.5, EntityType::Secret),
        ]);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].entity, EntityType::Secret);
    }

    #[test]
    fn ties_prefer_longer_then_earlier() {
        let kept = resolve(vec![
            c(0, 5, 0.5, EntityType::Person),
            c(0, 9, 0.5, EntityType::Location),
        ]);
        assert_eq!((kept[0].start, kept[0].end), (0, 9));
        let kept = resolve(vec![
            c(3, 8, 0.5, EntityType::Person),
            c(0, 5, 0.5, EntityType::Person),
        ]);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].start, 0);
    }

    #[test]
    fn many_candidates_resolve_like_few() {
        // The same overlapping pattern below and above the switch to the B-tree.
        for n in [10, 400] {
            let candidates: Vec<Candidate> = (0..n)
                .map(|i| c(i * 3, i * 3 + 5, (i % 7) as f32 / 10.0, EntityType::Person))
                .collect();
            let few: Vec<(usize, usize)> = {
                let mut taken = Taken::Few(Vec::new());
                let mut sorted = candidates.clone();
                sorted.sort_by(|a, b| rank(b, a));
                let mut spans: Vec<(usize, usize)> = sorted
                    .iter()
                    .filter(|c| taken.insert(c.start, c.end))
                    .map(|c| (c.start, c.end))
                    .collect();
                spans.sort_unstable();
                spans
            };
            let kept = resolve(candidates);
            let spans: Vec<(usize, usize)> = kept.iter().map(|c| (c.start, c.end)).collect();
            assert_eq!(spans, few);
            assert!(spans.windows(2).all(|w| w[0].1 <= w[1].0));
        }
    }

    #[test]
    fn a_dropped_candidate_does_not_block_others() {
        // b loses to a, so c (which only overlaps b) survives.
        let kept = resolve(vec![
            c(0, 10, 0.9, EntityType::Person),
            c(8, 20, 0.8, EntityType::Person),
            c(15, 30, 0.7, EntityType::Person),
        ]);
        let spans: Vec<(usize, usize)> = kept.iter().map(|c| (c.start, c.end)).collect();
        assert_eq!(spans, [(0, 10), (15, 30)]);
    }
}
