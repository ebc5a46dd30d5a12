//! File type from the first bytes: gzip, text, or a format authtrail cannot read. (A UTF-8 byte
//! order mark is text; it is skipped when the text is framed, also inside gzip.)

/// What the first bytes of a file say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Gzip,
    Text,
    Unsupported(&'static str),
}

/// Bytes needed to decide.
pub const SNIFF_LEN: usize = 8;

pub fn sniff(head: &[u8]) -> Sniffed {
    const MAGIC: [(&[u8], &str); 13] = [
        (
            b"PK\x03\x04",
            "a zip archive; extract it and drop the files inside",
        ),
        (b"PK\x05\x06", "an empty zip archive"),
        (b"PAR1", "Parquet; export the logs as JSON or NDJSON"),
        (b"%PDF", "a PDF document, not a log export"),
        (b"\x89PNG", "a PNG image, not a log export"),
        (b"\xFF\xD8\xFF", "a JPEG image, not a log export"),
        (b"GIF8", "a GIF image, not a log export"),
        (
            b"BZh",
            "bzip2 compressed; decompress it or re-compress with gzip",
        ),
        (
            b"\xFD7zXZ\x00",
            "xz compressed; decompress it or re-compress with gzip",
        ),
        (
            b"\x28\xB5\x2F\xFD",
            "zstd compressed; decompress it or re-compress with gzip",
        ),
        (
            b"7z\xBC\xAF",
            "a 7-Zip archive; extract it and drop the files inside",
        ),
        (b"\xFF\xFE", "UTF-16 text; save it as UTF-8"),
        (b"\xFE\xFF", "UTF-16 text; save it as UTF-8"),
    ];
    if head.starts_with(&[0x1f, 0x8b]) {
        return Sniffed::Gzip;
    }
    for (magic, what) in MAGIC {
        if head.starts_with(magic) {
            return Sniffed::Unsupported(what);
        }
    }
    // UTF-16 without a byte order mark: every other byte NUL in ASCII text.
    if head.len() >= 4 && head[1] == 0 && head[3] == 0 && head[0] != 0 {
        return Sniffed::Unsupported("UTF-16 text; save it as UTF-8");
    }
    Sniffed::Text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_magic() {
        assert_eq!(sniff(b"\x1f\x8b\x08\x00"), Sniffed::Gzip);
        assert_eq!(sniff(b"\xEF\xBB\xBF{\"a\""), Sniffed::Text);
        assert_eq!(
            sniff(b"PK\x03\x04rest"),
            Sniffed::Unsupported("a zip archive; extract it and drop the files inside")
        );
        assert!(matches!(sniff(b"PAR1...."), Sniffed::Unsupported(m) if m.starts_with("Parquet")));
        assert!(matches!(sniff(b"{\0\"\0a\0"), Sniffed::Unsupported(m) if m.starts_with("UTF-16")));
        assert_eq!(sniff(b"{\"a\":1}"), Sniffed::Text);
        assert_eq!(sniff(b""), Sniffed::Text);
    }
}
