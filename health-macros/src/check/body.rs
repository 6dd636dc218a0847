//! Bodies that can only succeed: `true`, `Ok(())`, `Ok` of a literal,
//! `CheckOutcome::pass()` with nothing else, alone or after `return`. Read
//! from the body's raw tokens (the body is never parsed).

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};

/// The value of a body that always succeeds, for the error to point at.
pub fn constant_success(body: &Group) -> Option<TokenStream> {
    let mut tokens: Vec<TokenTree> = body.stream().into_iter().collect();
    if matches!(tokens.first(), Some(TokenTree::Ident(word)) if word == "return") {
        tokens.remove(0);
        if matches!(tokens.last(), Some(TokenTree::Punct(p)) if p.as_char() == ';') {
            tokens.pop();
        }
    }
    let constant = match tokens.as_slice() {
        [TokenTree::Ident(word)] => word == "true",
        [TokenTree::Ident(ok), rest @ ..] if ok == "Ok" => ok_of_a_constant(rest),
        [path @ .., TokenTree::Group(args)] => is_pass_path(path) && is_empty_parens(args),
        _ => false,
    };
    constant.then(|| tokens.into_iter().collect())
}

/// After `Ok`: an optional turbofish, then `(())`, `(literal)` or
/// `(-literal)`.
fn ok_of_a_constant(rest: &[TokenTree]) -> bool {
    let rest = skip_turbofish(rest);
    let [TokenTree::Group(args)] = rest else { return false };
    if args.delimiter() != Delimiter::Parenthesis {
        return false;
    }
    let inner: Vec<TokenTree> = args.stream().into_iter().collect();
    match inner.as_slice() {
        [TokenTree::Group(unit)] => is_empty_parens(unit),
        [TokenTree::Literal(_)] => true,
        [TokenTree::Punct(minus), TokenTree::Literal(_)] => minus.as_char() == '-',
        [TokenTree::Ident(word)] => word == "true" || word == "false",
        _ => false,
    }
}

/// `rest` past a leading `::<…>`.
fn skip_turbofish(rest: &[TokenTree]) -> &[TokenTree] {
    let is = |i: usize, c: char| matches!(rest.get(i), Some(TokenTree::Punct(p)) if p.as_char() == c);
    if !(is(0, ':') && is(1, ':') && is(2, '<')) {
        return rest;
    }
    let mut depth = 0usize;
    for (i, token) in rest.iter().enumerate().skip(2) {
        match token {
            TokenTree::Punct(p) if p.as_char() == '<' => depth += 1,
            TokenTree::Punct(p) if p.as_char() == '>' => {
                depth -= 1;
                if depth == 0 {
                    return &rest[i + 1..];
                }
            }
            _ => {}
        }
    }
    rest
}

/// `CheckOutcome::pass`, with any leading path (`health_core::`).
fn is_pass_path(path: &[TokenTree]) -> bool {
    let words: Vec<String> = path
        .iter()
        .filter_map(|token| match token {
            TokenTree::Ident(word) => Some(word.to_string()),
            TokenTree::Punct(p) if p.as_char() == ':' => None,
            _ => Some(String::new()), // anything else: not a plain path
        })
        .collect();
    words.ends_with(&["CheckOutcome".to_owned(), "pass".to_owned()]) && words.iter().all(|w| !w.is_empty())
}

/// `()`.
fn is_empty_parens(group: &Group) -> bool {
    group.delimiter() == Delimiter::Parenthesis && group.stream().is_empty()
}
