//! The gzip decoder on damaged streams: a valid gzip of the fuzzer's text, cut short and with one
//! byte changed, pushed in chunks. It never panics; what comes out and how it ends do not depend on
//! the chunking; it never yields more than the text, and what it yields before an error is never
//! something the text did not say (a prefix, when nothing but the end was cut).
#![no_main]

use arbitrary::Arbitrary;
use authtrail_core::ingest::gzip::Gunzip;
use libfuzzer_sys::fuzz_target;
use std::io::Write;

#[derive(Debug, Arbitrary)]
struct Input {
    text: Vec<u8>,
    members: u8,
    cut: u16,
    flip: Option<(u16, u8)>,
    chunk: u16,
}

fuzz_target!(|input: Input| {
    let mut z = Vec::new();
    let members = usize::from(input.members % 3) + 1;
    for _ in 0..members {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(&input.text).unwrap();
        z.extend(e.finish().unwrap());
    }
    let whole_len = z.len();
    z.truncate(whole_len - usize::from(input.cut) % (whole_len + 1));
    if let Some((at, x)) = input.flip {
        if !z.is_empty() {
            let i = usize::from(at) % z.len();
            z[i] ^= x;
        }
    }
    let gunzip = |chunk: usize| {
        let mut g = Gunzip::default();
        let mut out = Vec::new();
        for c in z.chunks(chunk) {
            g.push(c, &mut |piece| out.extend_from_slice(piece));
        }
        (out, g.finish())
    };
    let chunked = gunzip(usize::from(input.chunk).max(1));
    assert_eq!(
        chunked,
        gunzip(z.len().max(1)),
        "chunking changed the result"
    );
    let (out, end) = chunked;
    let failed = end.is_err();
    let expected: Vec<u8> = input.text.repeat(members);
    if input.flip.is_none() || input.flip.is_some_and(|f| f.1 == 0) {
        assert!(
            expected.starts_with(&out),
            "output is not a prefix of the text"
        );
        if z.len() == whole_len {
            assert!(
                !failed && out == expected,
                "an intact stream did not decompress"
            );
        }
    }
});
