//! The tokens of an OData `$filter` expression (microsoftgraph/microsoft-graph-docs-contrib
//! `concepts/filter-query-parameter.md`), shared by every `$filter` the emulator parses: parentheses,
//! commas, quoted text (`''` is a quote inside it) and words (names, operators, numbers, dates).

/// A token of a `$filter` expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Open,
    Close,
    Comma,
    Text(String),
    Word(String),
}

/// The tokens of `filter`; `None` when a quoted text is not closed.
pub fn tokenize(filter: &str) -> Option<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut chars = filter.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '(' => tokens.push(Token::Open),
            ')' => tokens.push(Token::Close),
            ',' => tokens.push(Token::Comma),
            '\'' => {
                let mut text = String::new();
                loop {
                    match chars.next()? {
                        '\'' if chars.peek() == Some(&'\'') => {
                            chars.next();
                            text.push('\'');
                        }
                        '\'' => break,
                        other => text.push(other),
                    }
                }
                tokens.push(Token::Text(text));
            }
            c if c.is_whitespace() => {}
            c => {
                let mut word = c.to_string();
                while let Some(&next) = chars.peek() {
                    if next.is_whitespace() || matches!(next, '(' | ')' | ',' | '\'') {
                        break;
                    }
                    word.push(next);
                    chars.next();
                }
                tokens.push(Token::Word(word));
            }
        }
    }
    Some(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_parentheses_and_words_are_split_and_doubled_quotes_kept() {
        assert_eq!(
            tokenize("startswith(displayName,'O''Brien') or x eq 'a b'"),
            Some(vec![
                Token::Word("startswith".into()),
                Token::Open,
                Token::Word("displayName".into()),
                Token::Comma,
                Token::Text("O'Brien".into()),
                Token::Close,
                Token::Word("or".into()),
                Token::Word("x".into()),
                Token::Word("eq".into()),
                Token::Text("a b".into()),
            ])
        );
        assert_eq!(tokenize("displayName eq 'open"), None);
    }
}
