//! Whole-line comments out of the page's scripts in dist/ (`cargo xtask dist`, before the precache
//! list and the single file are made): the page's modules and wasm-bindgen's glue document
//! themselves at length, and the page's transfer target is 400 KB gzipped. Only lines that are
//! nothing but a comment go (a `//` comment, or a `/* */` comment from the line's first character
//! to its last); every other line stays byte for byte, so the code reads as it does in `www/`, less
//! its comment lines.
//!
//! A small lexer follows strings, template literals (with their `${}` code), regular expression
//! literals and comments, so that a line inside a template literal that looks like a comment stays.
//! Where it cannot follow the text (a string or template literal left open), it fails with the line,
//! rather than risk a wrong script.

use anyhow::{bail, Result};

/// Where the lexer is at the start of a line.
#[derive(Debug, Clone, Copy, PartialEq)]
enum At {
    Code,
    /// Inside a `/* */` comment.
    Block,
    /// Inside a template literal's text.
    Template,
}

/// The lexer over a whole script: the nesting of template literals and their `${}` code.
struct Lexer {
    /// One entry per template literal open: the braces open in its current `${}` (None: in its text).
    templates: Vec<Option<usize>>,
    block: bool,
    /// The last character of code that is not white space (what a `/` follows).
    prev: Option<char>,
    /// The identifier that ends at `prev`, if any.
    word: String,
}

/// Keywords after which a `/` starts a regular expression literal.
const BEFORE_REGEX: [&str; 13] = [
    "return", "typeof", "case", "in", "of", "delete", "void", "throw", "new", "else", "do",
    "yield", "await",
];

impl Lexer {
    fn at(&self) -> At {
        if self.block {
            At::Block
        } else if matches!(self.templates.last(), Some(None)) {
            At::Template
        } else {
            At::Code
        }
    }

    /// Whether a `/` here starts a regular expression literal (after an operator, an opening
    /// bracket, a keyword that takes an expression, or nothing) rather than a division.
    fn regex_may_start(&self) -> bool {
        match self.prev {
            None => true,
            Some(c) if c.is_alphanumeric() || c == '_' || c == '$' => {
                BEFORE_REGEX.contains(&self.word.as_str())
            }
            Some(c) => !matches!(c, ')' | ']' | '\'' | '"' | '`'),
        }
    }

    fn code(&mut self, c: char) {
        if !c.is_whitespace() {
            if c.is_alphanumeric() || c == '_' || c == '$' {
                let continues = self
                    .prev
                    .is_some_and(|p| p.is_alphanumeric() || p == '_' || p == '$');
                if !continues {
                    self.word.clear();
                }
                self.word.push(c);
            } else {
                self.word.clear();
            }
            self.prev = Some(c);
        }
    }

    /// Reads one line (without its end); `n` is its number, for errors.
    fn line(&mut self, line: &str, n: usize) -> Result<()> {
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        // A word does not continue across lines.
        if self
            .prev
            .is_some_and(|p| p.is_alphanumeric() || p == '_' || p == '$')
        {
            self.prev = Some(' ');
            self.word.clear();
        }
        while i < chars.len() {
            let c = chars[i];
            if self.block {
                if c == '*' && chars.get(i + 1) == Some(&'/') {
                    self.block = false;
                    i += 1;
                }
                i += 1;
                continue;
            }
            if let Some(None) = self.templates.last() {
                match c {
                    '\\' => i += 1,
                    '`' => {
                        self.templates.pop();
                        self.prev = Some('`');
                        self.word.clear();
                    }
                    '$' if chars.get(i + 1) == Some(&'{') => {
                        *self.templates.last_mut().expect("a template") = Some(0);
                        self.prev = Some('{');
                        i += 1;
                    }
                    _ => {}
                }
                i += 1;
                continue;
            }
            match c {
                '/' if chars.get(i + 1) == Some(&'/') => return Ok(()),
                '/' if chars.get(i + 1) == Some(&'*') => {
                    self.block = true;
                    i += 2;
                    continue;
                }
                '/' if self.regex_may_start() => {
                    i = regex_end(&chars, i).ok_or_else(|| {
                        anyhow::anyhow!("line {n}: a regular expression literal is not closed")
                    })?;
                    self.prev = Some('/');
                    self.word.clear();
                }
                '\'' | '"' => {
                    i = string_end(&chars, i).ok_or_else(|| {
                        anyhow::anyhow!("line {n}: a string literal is not closed on its line")
                    })?;
                    self.prev = Some(c);
                    self.word.clear();
                }
                '`' => self.templates.push(None),
                '{' => {
                    if let Some(Some(depth)) = self.templates.last_mut() {
                        *depth += 1;
                    }
                    self.code(c);
                }
                '}' => match self.templates.last_mut() {
                    Some(Some(0)) => *self.templates.last_mut().expect("a template") = None,
                    Some(Some(depth)) => {
                        *depth -= 1;
                        self.code(c);
                    }
                    _ => self.code(c),
                },
                _ => self.code(c),
            }
            i += 1;
        }
        Ok(())
    }
}

/// The index of the quote that closes the string opened at `i`, on the same line.
fn string_end(chars: &[char], i: usize) -> Option<usize> {
    let quote = chars[i];
    let mut j = i + 1;
    while j < chars.len() {
        match chars[j] {
            '\\' => j += 1,
            c if c == quote => return Some(j),
            _ => {}
        }
        j += 1;
    }
    None
}

/// The index of the `/` that closes the regular expression literal opened at `i` (its flags are
/// read as code), on the same line.
fn regex_end(chars: &[char], i: usize) -> Option<usize> {
    let mut class = false;
    let mut j = i + 1;
    while j < chars.len() {
        match chars[j] {
            '\\' => j += 1,
            '[' => class = true,
            ']' => class = false,
            '/' if !class => return Some(j),
            _ => {}
        }
        j += 1;
    }
    None
}

/// `source` without its whole-line comments.
pub fn comments(source: &str) -> Result<String> {
    let mut lexer = Lexer {
        templates: Vec::new(),
        block: false,
        prev: None,
        word: String::new(),
    };
    let mut out = String::with_capacity(source.len());
    // The lines of a `/* */` comment that began a line, dropped once it ends a line too.
    let mut held: Option<Vec<&str>> = None;
    for (k, line) in source.split_inclusive('\n').enumerate() {
        let start = lexer.at();
        let text = line.trim_end_matches(['\n', '\r']);
        lexer.line(text, k + 1)?;
        let trimmed = text.trim();
        if let Some(lines) = held.as_mut() {
            lines.push(line);
            if lexer.at() != At::Block {
                if trimmed.ends_with("*/") {
                    held = None;
                } else {
                    out.extend(held.take().expect("held lines"));
                }
            }
            continue;
        }
        if start == At::Code && trimmed.starts_with("//") {
            continue;
        }
        if start == At::Code && trimmed.starts_with("/*") {
            if lexer.at() == At::Block {
                held = Some(vec![line]);
                continue;
            }
            // A comment that ends the line: the line is nothing but comments when, with its
            // leading one cut off, what is left is a comment or nothing.
            if trimmed.ends_with("*/") && only_comments(trimmed) {
                continue;
            }
        }
        out.push_str(line);
    }
    if let Some(lines) = held {
        out.extend(lines);
    }
    if lexer.at() != At::Code || !lexer.templates.is_empty() {
        bail!("a comment or a template literal is left open at the end");
    }
    Ok(out)
}

/// Whether a line that starts with `/*` and ends with `*/` holds nothing but comments.
fn only_comments(mut rest: &str) -> bool {
    loop {
        rest = rest.trim_start();
        if rest.is_empty() || rest.starts_with("//") {
            return true;
        }
        let Some(body) = rest.strip_prefix("/*") else {
            return false;
        };
        let Some(end) = body.find("*/") else {
            return false;
        };
        rest = &body[end + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_line_comments_go_and_everything_else_stays() {
        let js = "// a header\n\
                  import { a } from './a.js';\n\
                  /**\n * A doc comment.\n */\n\
                  export function f(x) {\n  \
                    // inside\n  \
                    return x / 2; // trailing stays\n\
                  }\n\
                  /* one line */\n\
                  /* not only */ const y = 1;\n\
                  const z = 3; /* after code */\n";
        assert_eq!(
            comments(js).unwrap(),
            "import { a } from './a.js';\n\
             export function f(x) {\n  \
               return x / 2; // trailing stays\n\
             }\n\
             /* not only */ const y = 1;\n\
             const z = 3; /* after code */\n"
        );
    }

    #[test]
    fn what_only_looks_like_a_comment_stays() {
        let js = "const t = `first\n// in a template\n/* also */\n${a + `\n// nested\n`}\n`;\n\
                  const s = '// a string';\n\
                  const r = /\\/\\/[/*]/g;\n\
                  const q = a / b / c;\n\
                  const u = \"/* not a comment\";\n\
                  // gone\n";
        let out = comments(js).unwrap();
        assert_eq!(out, js.strip_suffix("// gone\n").unwrap());
    }

    #[test]
    fn a_block_comment_that_code_follows_keeps_its_lines() {
        let js = "/* a comment\n   that code follows */ const k = 1;\n/* gone\n */\nlet m;\n";
        assert_eq!(
            comments(js).unwrap(),
            "/* a comment\n   that code follows */ const k = 1;\nlet m;\n"
        );
    }

    #[test]
    fn text_it_cannot_follow_is_an_error() {
        for js in [
            "const s = 'open\n",
            "const t = `open\n",
            "/* open\n",
            "f(/open\n",
        ] {
            assert!(comments(js).is_err(), "{js:?}");
        }
    }

    #[test]
    fn regular_expressions_after_keywords_and_divisions_after_values() {
        let js = "function f(s) {\n  return /'/.test(s) ? a[1] / 2 : x / y;\n}\n// gone\n";
        assert_eq!(comments(js).unwrap(), js.strip_suffix("// gone\n").unwrap());
    }
}
