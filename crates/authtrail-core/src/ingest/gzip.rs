//! gzip (also multi-member, as `cat a.gz b.gz` makes) decompressed as bytes are pushed.

use flate2::write::MultiGzDecoder;
use std::io::Write;

#[derive(Debug)]
pub struct Gunzip {
    dec: MultiGzDecoder<Vec<u8>>,
    failed: bool,
}

impl Default for Gunzip {
    fn default() -> Self {
        Gunzip {
            dec: MultiGzDecoder::new(Vec::new()),
            failed: false,
        }
    }
}

impl Gunzip {
    /// Decompresses a chunk and hands back what came out, or why the stream is unreadable.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Vec<u8>, String> {
        if self.failed {
            return Ok(Vec::new());
        }
        let res = self.dec.write_all(chunk);
        let out = std::mem::take(self.dec.get_mut());
        res.map_err(|e| {
            self.failed = true;
            e.to_string()
        })?;
        Ok(out)
    }

    /// Flushes the last bytes; an error when the stream ends early.
    pub fn finish(&mut self) -> Result<Vec<u8>, String> {
        if self.failed {
            return Ok(Vec::new());
        }
        let res = self.dec.try_finish();
        let out = std::mem::take(self.dec.get_mut());
        res.map_err(|e| e.to_string())?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{write::GzEncoder, Compression};

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn any_chunking_gives_the_same_text() {
        let text = b"{\"a\":1}\n".repeat(1000);
        let z = gz(&text);
        for size in [1, 7, 4096, z.len()] {
            let mut g = Gunzip::default();
            let mut out = Vec::new();
            for c in z.chunks(size) {
                out.extend(g.push(c).unwrap());
            }
            out.extend(g.finish().unwrap());
            assert_eq!(out, text, "chunk size {size}");
        }
    }

    #[test]
    fn concatenated_members_are_read() {
        let mut z = gz(b"one\n");
        z.extend(gz(b"two\n"));
        let mut g = Gunzip::default();
        let mut out = g.push(&z).unwrap();
        out.extend(g.finish().unwrap());
        assert_eq!(out, b"one\ntwo\n");
    }

    #[test]
    fn truncated_stream_is_an_error_after_the_readable_part() {
        let text = b"{\"a\":1}\n".repeat(10_000);
        let z = gz(&text);
        let mut g = Gunzip::default();
        let out = g.push(&z[..z.len() / 2]).unwrap();
        assert!(!out.is_empty());
        assert!(g.finish().is_err());
    }

    #[test]
    fn garbage_is_an_error() {
        let mut g = Gunzip::default();
        let r = g.push(b"\x1f\x8b\x08\x00garbage that is not deflate at all, really not");
        let f = g.finish();
        assert!(r.is_err() || f.is_err());
    }
}
