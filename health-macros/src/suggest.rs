//! "Did you mean ...?" for misspelt options.

/// The candidate closest to `input` by edit distance, if it is close enough
/// to be a plausible typo.
pub fn closest<'a>(input: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let typo = candidates
        .iter()
        .map(|c| (edit_distance(input, c), *c))
        .filter(|(distance, candidate)| *distance <= (candidate.len() / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate);
    // A shortened name (`ready` for `readiness`) is no typo but still meant.
    typo.or_else(|| candidates.iter().copied().find(|c| common_prefix(input, c) >= 4))
}

/// How many leading characters two strings share.
fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// Edits between two strings, a swap of neighbours (`nmae`) counting as one
/// like a missing or wrong letter (`critcal`).
fn edit_distance(a: &str, b: &str) -> usize {
    strsim::damerau_levenshtein(a, b)
}

#[cfg(test)]
mod tests {
    use super::closest;

    const OPTIONS: &[&str] = &[
        "critical",
        "timeout",
        "interval",
        "liveness",
        "readiness",
        "startup",
        "name",
    ];

    #[test]
    fn typos_find_the_option_and_unrelated_words_do_not() {
        assert_eq!(closest("timout", OPTIONS), Some("timeout"));
        assert_eq!(closest("critcal", OPTIONS), Some("critical"));
        assert_eq!(closest("liveliness", OPTIONS), Some("liveness"));
        assert_eq!(closest("ready", OPTIONS), Some("readiness"));
        assert_eq!(closest("xyz", OPTIONS), None);
        assert_eq!(closest("retries", OPTIONS), None);
        assert_eq!(closest("time", OPTIONS), Some("timeout"));
        assert_eq!(closest("nmae", OPTIONS), Some("name"));
        assert_eq!(closest("tiemout", OPTIONS), Some("timeout"));
        assert_eq!(closest("stratup", OPTIONS), Some("startup"));
    }
}
