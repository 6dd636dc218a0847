//! Secrets named by a key: `key=value`, `key: value`, `"key": "value"`,
//! `key => value`, `Key("value")`, `key%3Dvalue`, and labels with spaces.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::push;

/// Words that make a key secret wherever they appear in its name.
const SECRET_WORDS: &str = "password|passwd|passphrase|secret|token|credential|auth|cookie|session|signature\
    |(?:api|access|private|account|subscription|client|master|signing|encryption)[ _.-]?key";

/// Words that make a key secret when they are a whole `_`/`-`/`.` separated
/// part of its name (as parts of longer words they mean other things:
/// `passed`, `design`).
const SECRET_PARTS: &str = "pass|pwd|pw|sig|jwt|sas|psk";

/// A secret key's name (case-insensitive).
pub(super) fn key_pattern() -> String {
    format!(
        "(?:[a-z0-9_.-]*(?:{SECRET_WORDS})[a-z0-9_.-]*|(?:[a-z0-9_.-]*[_.-])?(?:{SECRET_PARTS})(?:[_.-][a-z0-9_.-]*)?)"
    )
}

/// A secret key and its separator: `=`, `:`, `=>`, `%3D`, `%3A` (after an
/// optional closing quote), `(` right after the name, or up to three more
/// words and a `:` (a label: `Secret Access Key:`).
static KEY_AND_SEPARATOR: LazyLock<Regex> = LazyLock::new(|| {
    let key = key_pattern();
    Regex::new(&format!(
        r#"(?i)(?-u:\b)(?:{key})(?:(?:\\?["'])?[ \t]*(?:=>|=|:|%3d|%3a)|\(|(?:[ ][a-z0-9_-]+){{1,3}}[ \t]*:)[ \t]*"#
    ))
    .expect("the key pattern is valid")
});

/// A whole name that is a secret key.
static SECRET_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("(?i)^{}$", key_pattern())).expect("the key pattern is valid"));

/// Authorization schemes kept in front of a masked credential.
const AUTH_SCHEMES: [&str; 10] = [
    "bearer",
    "basic",
    "digest",
    "token",
    "negotiate",
    "ntlm",
    "apikey",
    "hoba",
    "mutual",
    "aws4-hmac-sha256",
];

/// Whether a name (of a detail, a field, a variable) marks its value
/// secret, by the rule in the [module docs](super); spaces count as `_`.
///
/// ```
/// use health_core::redact::is_secret_key;
///
/// assert!(is_secret_key("DB_PASS"));
/// assert!(is_secret_key("privateKey"));
/// assert!(is_secret_key("Secret Access Key"));
/// assert!(!is_secret_key("pool_size"));
/// assert!(!is_secret_key("passed"));
/// ```
pub fn is_secret_key(name: &str) -> bool {
    SECRET_KEY.is_match(&name.replace(' ', "_"))
}

/// The value of every secret key in `text`.
pub(super) fn secret_values(text: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut next = KEY_AND_SEPARATOR.find_at(text, 0);
    while let Some(whole) = next {
        // The key is the match's leading name (a label's first word).
        let key_len = whole
            .as_str()
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
            .count();
        let key = &whole.as_str()[..key_len];
        // The next key after this one's separator (searched once per key).
        next = KEY_AND_SEPARATOR.find_at(text, whole.end());
        let value_start = whole.end();
        let rest = &text[value_start..];
        if whole.as_str().ends_with(':') && (rest.starts_with("//") || rest.starts_with(':')) {
            continue; // `auth://host` is a URL, `auth::login` a path
        }
        let key = key.to_ascii_lowercase();
        let to_line_end = key.ends_with("authorization") || key.ends_with("cookie");
        let value = value_range(text, value_start, to_line_end);
        // A key inside this value whose own value is quoted or braced
        // (`pw( {:password => "x"}`, `pw(a Password("x"))`) is read next,
        // or this value would hide it. A key whose value is unquoted too
        // ends where this one does, so the scan goes on past the value
        // (which keeps it linear).
        if let Some(inner) = &next {
            if inner.start() < value.end && !delimited_at(text.as_bytes(), inner.end()) {
                next = KEY_AND_SEPARATOR.find_at(text, value.end);
            }
        }
        push(&mut found, value);
    }
    found
}

/// The secret part of the value starting at `start`: inside its quotes
/// (`"…"`, `'…'`, `\"…\"`, ODBC `{…}`, a struct's `{…}`), after wrappers
/// such as `Some(` and an authorization scheme, or an unquoted value to its
/// end; nothing for `None`, `null`, `true`, `false`.
fn value_range(text: &str, start: usize, to_line_end: bool) -> Range<usize> {
    let bytes = text.as_bytes();
    let pos = after_wrappers(bytes, start);
    match bytes.get(pos) {
        Some(b'\\') if bytes.get(pos + 1) == Some(&b'"') => {
            let content = pos + 2;
            let end = text[content..].find("\\\"").map_or(text.len(), |close| content + close);
            content..end
        }
        Some(&quote @ (b'"' | b'\'')) => {
            let content = pos + 1;
            content..closing(bytes, content, quote)
        }
        Some(b'{') => braced(bytes, pos),
        _ => {
            if let Some(open) = struct_value(bytes, pos) {
                return braced(bytes, open);
            }
            if is_plain_word(text, pos) {
                return pos..pos;
            }
            let pos = after_scheme(text, pos);
            if to_line_end {
                let end = text[pos..].find(['\n', '\r']).map_or(text.len(), |len| pos + len);
                pos..pos + text[pos..end].trim_end().len()
            } else {
                pos..unquoted_end(bytes, pos)
            }
        }
    }
}

/// `pos` past up to four wrappers such as `Some(`, `String(`, `Secret(`.
fn after_wrappers(bytes: &[u8], mut pos: usize) -> usize {
    for _ in 0..4 {
        let name = bytes[pos..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        if name == 0 || bytes.get(pos + name) != Some(&b'(') {
            break;
        }
        pos += name + 1;
    }
    pos
}

/// Whether the value starting at `pos` is quoted or braced (past its
/// wrappers), so that it ends at its own closing delimiter.
fn delimited_at(bytes: &[u8], pos: usize) -> bool {
    let pos = after_wrappers(bytes, pos);
    matches!(bytes.get(pos), Some(b'"' | b'\'' | b'{' | b'\\'))
}

/// The inside of the braces opening at `open`, to the matching `}` (nested
/// braces counted; ODBC's `}}` is an escaped `}`), or to the end of the
/// text when it never closes.
fn braced(bytes: &[u8], open: usize) -> Range<usize> {
    let content = open + 1;
    let mut depth = 0usize;
    let mut i = content;
    while i < bytes.len() {
        match bytes[i] {
            b'}' if bytes.get(i + 1) == Some(&b'}') => i += 2,
            b'}' if depth == 0 => return content..i,
            b'}' => {
                depth -= 1;
                i += 1;
            }
            b'{' => {
                depth += 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    content..bytes.len()
}

/// Where the `{` of a struct value (`Login { user: .. }`) is, when the value
/// at `pos` is one.
fn struct_value(bytes: &[u8], pos: usize) -> Option<usize> {
    let name = bytes[pos..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    let spaces = bytes[pos + name..].iter().take_while(|b| **b == b' ').count();
    let open = pos + name + spaces;
    (name > 0 && bytes.get(open) == Some(&b'{')).then_some(open)
}

/// Whether the value at `pos` is a word that carries nothing secret, ending
/// its field: `None`, `null`, `true`, `false`, and MySQL's `YES`/`NO` in
/// `(using password: YES)`.
fn is_plain_word(text: &str, pos: usize) -> bool {
    let rest = &text[pos..];
    let len = rest
        .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .unwrap_or(rest.len());
    matches!(&rest[..len], "None" | "null" | "nil" | "true" | "false" | "YES" | "NO")
        && rest[len..]
            .trim_start_matches(' ')
            .chars()
            .next()
            .is_none_or(|c| matches!(c, ',' | ')' | '}' | ']' | ';' | '&' | '\n' | '\r'))
}

/// Where a quoted value starting at `content` closes: the first `quote`
/// not escaped by a backslash; the end of the text when it never closes.
fn closing(bytes: &[u8], content: usize, quote: u8) -> usize {
    let mut i = content;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Past a known authorization scheme and its spaces (`Bearer `), so the
/// scheme stays readable; `pos` itself otherwise.
fn after_scheme(text: &str, pos: usize) -> usize {
    let rest = &text[pos..];
    // The longest scheme is 16 bytes: look no further (linear time).
    let Some(len) = rest.bytes().take(17).position(|b| matches!(b, b' ' | b'\t')) else {
        return pos;
    };
    if !AUTH_SCHEMES
        .iter()
        .any(|scheme| rest[..len].eq_ignore_ascii_case(scheme))
    {
        return pos;
    }
    let spaces = rest[len..].len() - rest[len..].trim_start_matches([' ', '\t']).len();
    let credentials = pos + len + spaces;
    if text[credentials..].starts_with(['\n', '\r']) || credentials == text.len() {
        pos // the scheme word was the value
    } else {
        credentials
    }
}

/// The end of an unquoted value: a line break, `; & , " ' ) ] } <`, `%26`,
/// or whitespace followed by the next `key=` or `key:`. Trailing whitespace
/// is not part of it. Each byte is looked at a bounded number of times.
fn unquoted_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    let mut end = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' | b'\r' | b';' | b'&' | b',' | b'"' | b'\'' | b')' | b']' | b'}' | b'<' => break,
            b'%' if bytes[i + 1..].starts_with(b"26") => break,
            b' ' | b'\t' => {
                let word = i + bytes[i..].iter().take_while(|b| matches!(b, b' ' | b'\t')).count();
                let after = word
                    + bytes[word..]
                        .iter()
                        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
                        .count();
                if after > word && matches!(bytes.get(after), Some(b'=' | b':')) {
                    break; // the next pair starts
                }
                if after > word {
                    end = after;
                }
                i = after;
            }
            _ => {
                i += 1;
                end = i;
            }
        }
    }
    end
}
