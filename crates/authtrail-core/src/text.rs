//! Text as a reviewer can check it: a name with the characters nobody can see, or that change
//! how the text around them is shown, written out.
//!
//! ```
//! use authtrail_core::text::visible;
//!
//! assert_eq!(visible("bob@example.com"), "bob@example.com");
//! assert_eq!(visible("bob\u{200b}@example.com "), "bob⟨U+200B⟩@example.com⟨U+0020⟩");
//! assert_eq!(visible("\u{202e}gnp.exe"), "⟨U+202E⟩gnp.exe");
//! ```

use std::borrow::Cow;

/// The characters [`visible`] writes out wherever they are, as inclusive ranges: C0 controls,
/// DEL and C1 controls (general category Cc), every format character (Cf: among them the soft
/// hyphen, the bidi embeddings, overrides, isolates and marks U+202A-202E, U+2066-2069,
/// U+200E, U+200F, U+061C, the zero-width U+200B-200D, U+2060 and U+FEFF) and every other
/// default-ignorable code point (Unicode's `Default_Ignorable_Code_Point`: the combining
/// grapheme joiner, Hangul fillers, variation selectors, tags...).
const HIDDEN: [(u32, u32); 27] = [
    (0x0000, 0x001F),
    (0x007F, 0x009F),
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
];

/// Whether `c` is one of the characters [`visible`] always writes out.
pub fn is_hidden(c: char) -> bool {
    let c = u32::from(c);
    let k = HIDDEN.partition_point(|&(_, hi)| hi < c);
    HIDDEN.get(k).is_some_and(|&(lo, _)| lo <= c)
}

/// `s` with the characters a reader could not see written as `⟨U+XXXX⟩` (upper-case hex, at least
/// four digits): controls (C0, DEL, C1), format characters (general category Cf: bidi
/// embeddings, overrides, isolates and marks, zero-width characters, the soft hyphen...) and the
/// other default-ignorable code points (see [`is_hidden`]), each space (U+0020) at the start or
/// the end, and the opening bracket `⟨` (U+27E8) itself, so that a name cannot spell out a
/// character it does not hold. Everything else is unchanged; `s` is borrowed when nothing is
/// written out.
pub fn visible(s: &str) -> Cow<'_, str> {
    let lead = s.len() - s.trim_start_matches(' ').len();
    let trail = s.trim_end_matches(' ').len();
    let shown = |c: char| is_hidden(c) || c == '⟨';
    if lead == 0 && trail == s.len() && !s.chars().any(shown) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for (at, c) in s.char_indices() {
        if shown(c) || (c == ' ' && (at < lead || at >= trail)) {
            out.push_str(&format!("⟨U+{:04X}⟩", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_bidi_and_zero_width_characters_are_written_out() {
        assert_eq!(visible("a\u{1b}[2Jb"), "a⟨U+001B⟩[2Jb");
        assert_eq!(visible("\u{7f}\u{85}\u{9f}"), "⟨U+007F⟩⟨U+0085⟩⟨U+009F⟩");
        for (c, shown) in [
            ('\u{202a}', "⟨U+202A⟩"),
            ('\u{202e}', "⟨U+202E⟩"),
            ('\u{2066}', "⟨U+2066⟩"),
            ('\u{2069}', "⟨U+2069⟩"),
            ('\u{200e}', "⟨U+200E⟩"),
            ('\u{200f}', "⟨U+200F⟩"),
            ('\u{061c}', "⟨U+061C⟩"),
            ('\u{200b}', "⟨U+200B⟩"),
            ('\u{200d}', "⟨U+200D⟩"),
            ('\u{2060}', "⟨U+2060⟩"),
            ('\u{feff}', "⟨U+FEFF⟩"),
            ('\u{00ad}', "⟨U+00AD⟩"),
            ('\u{3164}', "⟨U+3164⟩"),
            ('\u{fe0f}', "⟨U+FE0F⟩"),
            ('\u{e0041}', "⟨U+E0041⟩"),
            ('\u{1d173}', "⟨U+1D173⟩"),
        ] {
            assert_eq!(visible(&format!("x{c}y")), format!("x{shown}y"), "{c:?}");
        }
    }

    #[test]
    fn spaces_are_written_out_only_at_the_ends() {
        assert_eq!(visible(" ann  lee  "), "⟨U+0020⟩ann  lee⟨U+0020⟩⟨U+0020⟩");
        assert_eq!(visible("   "), "⟨U+0020⟩⟨U+0020⟩⟨U+0020⟩");
        assert_eq!(visible(""), "");
    }

    #[test]
    fn visible_text_is_borrowed_unchanged() {
        for s in [
            "bob@example.com",
            "Zoë Ångström",
            "bоb@example.com", // a Cyrillic o: visible, if misleading
            "名前 テスト",
            "tab\u{a0}nbsp",
            "a ⟩ b",
        ] {
            assert!(matches!(visible(s), Cow::Borrowed(b) if b == s), "{s:?}");
        }
    }

    #[test]
    fn a_name_cannot_spell_out_a_character_it_does_not_hold() {
        assert_eq!(visible("bob⟨U+200B⟩"), "bob⟨U+27E8⟩U+200B⟩");
        assert_ne!(visible("bob⟨U+200B⟩"), visible("bob\u{200b}"));
    }

    #[test]
    fn the_table_is_sorted_and_matches_the_characters_named() {
        assert!(HIDDEN.windows(2).all(|w| w[0].1 < w[1].0));
        assert!(HIDDEN.iter().all(|&(lo, hi)| lo <= hi));
        for c in [
            '\0',
            '\u{1f}',
            '\u{7f}',
            '\u{80}',
            '\u{9f}',
            '\u{180e}',
            '\u{e007f}',
        ] {
            assert!(is_hidden(c), "{c:?}");
        }
        for c in [
            ' ',
            'a',
            '\u{a0}',
            '\u{a1}',
            '\u{2028}',
            '\u{ffff}',
            '\u{e1000}',
        ] {
            assert!(!is_hidden(c), "{c:?}");
        }
    }
}
