//! Log text as a person is shown it. Log fields are attacker-controlled: a control character can
//! move a terminal's cursor or erase a line, a bidi override reverses the text after it, and a
//! zero-width or other format character makes two different names look the same. [`visible`]
//! writes each such character as `⟨U+XXXX⟩`, a space at either end as `⟨U+0020⟩`, and its own
//! opening bracket `⟨` as `⟨U+27E8⟩`, so that a name cannot spell out a character it does not hold.
//!
//! ```
//! use authtrail_core::text::visible;
//!
//! assert_eq!(visible("ana@example.com"), "ana@example.com");
//! assert_eq!(visible("\u{1b}[2K\rroot"), "⟨U+001B⟩[2K⟨U+000D⟩root");
//! assert_eq!(visible("bob\u{200b} "), "bob⟨U+200B⟩⟨U+0020⟩");
//! assert_eq!(visible("\u{202e}gnp.exe"), "⟨U+202E⟩gnp.exe");
//! assert_eq!(visible("bob⟨U+200B⟩"), "bob⟨U+27E8⟩U+200B⟩");
//! ```

use std::borrow::Cow;

/// `s` with every control character (C0, DEL, C1) and format character (general category Cf:
/// bidi embeddings, overrides, isolates and marks, zero-width characters, the soft hyphen, the
/// byte order mark...) written as `⟨U+XXXX⟩` (at least 4 uppercase hex digits), each space of a
/// leading or trailing run of spaces as `⟨U+0020⟩`, and the opening bracket `⟨` (U+27E8) itself
/// as `⟨U+27E8⟩`, so that a name cannot spell out a character it does not hold. Everything else is
/// unchanged; `s` itself is returned when nothing changes.
pub fn visible(s: &str) -> Cow<'_, str> {
    let lead = s.len() - s.trim_start_matches(' ').len();
    let trail = s.trim_end_matches(' ').len().max(lead);
    let shown = |c: char| is_hidden(c) || c == OPEN;
    if lead == 0 && trail == s.len() && !s.chars().any(shown) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for (i, c) in s.char_indices() {
        if shown(c) || (c == ' ' && (i < lead || i >= trail)) {
            push_code(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text that authtrail wrote (a finding's title or detail, a diagnostic's message) in which log
/// values are already written out by [`visible`] or [`sample_text`]: its hidden
/// characters written out the same way, and its `⟨` kept, since it opens what is already written
/// out (written out again, `⟨U+200B⟩` would show as `⟨U+27E8⟩U+200B⟩`). `s` is borrowed when
/// nothing is written out.
pub fn prose(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_hidden(c) {
            push_code(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The bracket that opens a written-out character: [`visible`] writes it out too.
const OPEN: char = '⟨';

/// Whether `c` is hidden (a control or format character): [`visible`] writes it as its code
/// point wherever it is.
pub(crate) fn is_hidden(c: char) -> bool {
    c.is_control() || format(c)
}

/// Appends `⟨U+XXXX⟩` for `c`.
pub(crate) fn push_code(out: &mut String, c: char) {
    use std::fmt::Write;
    write!(out, "⟨U+{:04X}⟩", u32::from(c)).expect("writing to a String cannot fail");
}

/// General category Cf (format characters) as of Unicode 15.1.
fn format(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{600}'..='\u{605}'
            | '\u{61C}'
            | '\u{6DD}'
            | '\u{70F}'
            | '\u{890}'..='\u{891}'
            | '\u{8E2}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

/// Shortens attacker-controlled text for a message: at most `max` characters shown, each run of
/// whitespace (a pretty-printed record's line breaks and indentation) as one space, the other
/// hidden characters (controls, bidi and other format characters) written as `⟨U+XXXX⟩` as
/// [`visible`] writes them, each counted at its written length.
pub fn sample_text(bytes: &[u8], max: usize) -> String {
    let lossy = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    let mut shown = 0;
    let mut chars = lossy.trim().chars().peekable();
    while let Some(c) = chars.next() {
        let before = out.len();
        if c.is_whitespace() {
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            out.push(' ');
        } else if is_hidden(c) {
            push_code(&mut out, c);
        } else {
            out.push(c);
        }
        shown += out[before..].chars().count();
        if shown > max {
            out.truncate(before);
            out.push('…');
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        for s in [
            "",
            "ana@example.com",
            "IBMid-310000D73E",
            "a b",
            "Zoë Ødegård",
            "Алиса",
            "名前",
            "שלום",
            "a ⟩ b",
        ] {
            assert!(matches!(visible(s), Cow::Borrowed(b) if b == s), "{s:?}");
        }
    }

    #[test]
    fn terminal_escapes_are_written_out() {
        assert_eq!(
            visible("\u{1b}[2K\r\u{1b}]8;;http://x\u{7}y\u{1b}]8;;\u{7}"),
            "⟨U+001B⟩[2K⟨U+000D⟩⟨U+001B⟩]8;;http://x⟨U+0007⟩y⟨U+001B⟩]8;;⟨U+0007⟩"
        );
        assert_eq!(visible("a\nb\tc\0"), "a⟨U+000A⟩b⟨U+0009⟩c⟨U+0000⟩");
        assert_eq!(visible("del\u{7f}"), "del⟨U+007F⟩");
        // C1: CSI, NEL, and the ends of the range.
        assert_eq!(
            visible("\u{9b}2J\u{85}\u{80}\u{9f}"),
            "⟨U+009B⟩2J⟨U+0085⟩⟨U+0080⟩⟨U+009F⟩"
        );
    }

    #[test]
    fn bidi_characters_are_written_out() {
        let all = [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{61C}',
        ];
        for c in all {
            assert_eq!(
                visible(&format!("x{c}y")),
                format!("x⟨U+{:04X}⟩y", u32::from(c))
            );
        }
        assert_eq!(
            visible("\u{202e}target.name(user)gnp.exe\u{202c}"),
            "⟨U+202E⟩target.name(user)gnp.exe⟨U+202C⟩"
        );
    }

    #[test]
    fn invisible_characters_are_written_out() {
        assert_eq!(visible("bo\u{200b}b"), "bo⟨U+200B⟩b");
        assert_eq!(visible("\u{200c}\u{200d}"), "⟨U+200C⟩⟨U+200D⟩");
        assert_eq!(
            visible("\u{2060}\u{feff}\u{ad}"),
            "⟨U+2060⟩⟨U+FEFF⟩⟨U+00AD⟩"
        );
        // Other format characters: Arabic number sign, invisible times, tag characters (5 digits).
        assert_eq!(visible("\u{600}\u{2062}"), "⟨U+0600⟩⟨U+2062⟩");
        assert_eq!(visible("a\u{e0041}\u{e007f}"), "a⟨U+E0041⟩⟨U+E007F⟩");
        assert_eq!(visible("\u{1d173}"), "⟨U+1D173⟩");
        // Neighbours of the ranges are ordinary characters.
        for s in [
            "\u{ac}", "\u{2010}", "\u{2065}", "\u{2070}", "\u{fefe}", "\u{a0}",
        ] {
            assert!(matches!(visible(s), Cow::Borrowed(_)), "{s:?}");
        }
    }

    #[test]
    fn spaces_at_either_end_are_written_out() {
        assert_eq!(visible("bob "), "bob⟨U+0020⟩");
        assert_eq!(visible(" bob"), "⟨U+0020⟩bob");
        assert_eq!(visible("  bob  "), "⟨U+0020⟩⟨U+0020⟩bob⟨U+0020⟩⟨U+0020⟩");
        assert_eq!(visible("bob smith"), "bob smith");
        assert_eq!(visible(" "), "⟨U+0020⟩");
        assert_eq!(visible("   "), "⟨U+0020⟩⟨U+0020⟩⟨U+0020⟩");
        // A space next to an escaped character is not at the end.
        assert_eq!(visible("bob \u{200b}"), "bob ⟨U+200B⟩");
    }

    #[test]
    fn a_name_cannot_spell_out_a_character_it_does_not_hold() {
        assert_eq!(visible("bob⟨U+200B⟩"), "bob⟨U+27E8⟩U+200B⟩");
        assert_ne!(visible("bob⟨U+200B⟩"), visible("bob\u{200b}"));
        assert_eq!(visible("⟨⟨"), "⟨U+27E8⟩⟨U+27E8⟩");
    }

    #[test]
    fn prose_writes_out_hidden_characters_and_leaves_what_is_written_out() {
        let detail = format!("turned off by {} themselves", visible("bob\u{200b} "));
        assert_eq!(prose(&detail), detail);
        assert!(matches!(prose(&detail), Cow::Borrowed(_)));
        assert_eq!(prose("by \u{1b}[2K\u{202e}x "), "by ⟨U+001B⟩[2K⟨U+202E⟩x ");
    }

    #[test]
    fn names_that_differ_only_by_hidden_characters_look_different() {
        let names = [
            "bob",
            "bob ",
            "bo\u{200b}b",
            "\u{202d}bob",
            "bob\u{ad}",
            "bo⟨U+200B⟩b",
        ];
        let shown: std::collections::HashSet<_> = names.iter().map(|n| visible(n)).collect();
        assert_eq!(shown.len(), names.len());
    }

    #[test]
    fn samples_show_hidden_characters_within_the_length() {
        assert_eq!(sample_text(b"  plain text  ", 60), "plain text");
        assert_eq!(
            sample_text(b"{\n    \"a\":\t1,\r\n    \"b\": 2\n}", 60),
            "{ \"a\": 1, \"b\": 2 }"
        );
        assert_eq!(sample_text(b"abcdef", 3), "abc…");
        assert_eq!(sample_text(b"abc", 3), "abc");
        assert_eq!(
            sample_text("a\u{1b}[2K\u{202e}b".as_bytes(), 60),
            "a⟨U+001B⟩[2K⟨U+202E⟩b"
        );
        // An escape that does not fit is left out whole.
        assert_eq!(sample_text(b"ab\0\0", 12), "ab⟨U+0000⟩…");
        assert_eq!(sample_text(&[0; 100], 40).chars().count(), 41);
    }
}
