//! gzip (also multi-member, as `cat a.gz b.gz` makes) decompressed as bytes are pushed.
//!
//! The member headers and trailers (RFC 1952) are read here, byte by byte, and the deflate data
//! in between by `flate2`'s streaming [`Decompress`]. Everything decoded before damage is handed
//! out, in pieces of at most [`PIECE`] bytes, each taken before the next is inflated: memory does
//! not grow with the compression ratio. What comes out and the error do not depend on how the
//! input was cut into chunks.

pub use crate::diag::GzipError;
use flate2::{Crc, Decompress, FlushDecompress, Status};

const FHCRC: u8 = 1 << 1;
const FEXTRA: u8 = 1 << 2;
const FNAME: u8 = 1 << 3;
const FCOMMENT: u8 = 1 << 4;
const FRESERVED: u8 = 0xE0;
/// The longest file name or comment a header may hold.
const MAX_HEADER_FIELD: usize = 1 << 16;
/// The most text handed out at once.
pub const PIECE: usize = 64 << 10;

/// Where in a member the next byte is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// The fixed 10-byte header, `n` bytes read.
    Fixed(u8),
    ExtraLen(u8),
    /// Bytes of the extra field left.
    Extra(u16),
    /// Inside the zero-terminated name or comment, `n` bytes read.
    Name(usize),
    Comment(usize),
    HeaderCrc(u8),
    Deflate,
    /// The CRC-32 and size after the deflate data, `n` bytes read.
    Trailer(u8),
    /// Damaged: nothing more is read.
    Failed,
}

/// The push-based gzip decompressor.
#[derive(Debug)]
pub struct Gunzip {
    stage: Stage,
    /// 1-based number of the member being read.
    member: u32,
    flags: u8,
    /// Bytes of the header field being read (XLEN, the header CRC, the trailer).
    field: [u8; 8],
    header_crc: Crc,
    data_crc: Crc,
    inflate: Decompress,
    /// Where the inflater writes. Not `decompress_vec`: flate2's Rust backend zeroes the whole
    /// spare capacity of the `Vec` on every call, which made gzip about a third slower.
    scratch: Box<[u8]>,
    /// Compressed bytes read so far.
    read: u64,
    /// Where the member being read starts.
    member_start: u64,
    error: Option<GzipError>,
}

impl Default for Gunzip {
    fn default() -> Self {
        Gunzip {
            stage: Stage::Fixed(0),
            member: 1,
            flags: 0,
            field: [0; 8],
            header_crc: Crc::new(),
            data_crc: Crc::new(),
            inflate: Decompress::new(false),
            scratch: vec![0; PIECE].into_boxed_slice(),
            read: 0,
            member_start: 0,
            error: None,
        }
    }
}

impl Gunzip {
    /// Decompresses a chunk, handing what comes out to `text` piece by piece. After damage
    /// nothing more comes out; [`Gunzip::finish`] says what the damage was.
    pub fn push(&mut self, mut chunk: &[u8], text: &mut impl FnMut(&[u8])) {
        while !chunk.is_empty() {
            if self.stage == Stage::Deflate {
                let before = chunk.len();
                chunk = self.inflate(chunk, text);
                self.read += (before - chunk.len()) as u64;
            } else if self.stage == Stage::Failed {
                break;
            } else {
                self.header_byte(chunk[0]);
                self.read += 1;
                chunk = &chunk[1..];
            }
        }
    }

    /// Ends the stream: an error when it was damaged or ends inside a member.
    pub fn finish(&mut self) -> Result<(), GzipError> {
        match (&self.error, self.stage) {
            (Some(e), _) => Err(*e),
            (None, Stage::Fixed(0)) if self.member > 1 => Ok(()),
            (None, _) => Err(GzipError::Truncated {
                member: self.member,
                offset: self.read,
            }),
        }
    }

    fn fail(&mut self, error: GzipError) {
        self.error = Some(error);
        self.stage = Stage::Failed;
    }

    /// Reads one byte of a member header or trailer.
    fn header_byte(&mut self, b: u8) {
        let (member, offset) = (self.member, self.read);
        let in_header = !matches!(self.stage, Stage::HeaderCrc(_) | Stage::Trailer(_));
        if in_header {
            self.header_crc.update(&[b]);
        }
        self.stage = match self.stage {
            Stage::Fixed(n) => {
                let ok = match n {
                    0 => b == 0x1f,
                    1 => b == 0x8b,
                    2 => b == 8,
                    3 => b & FRESERVED == 0,
                    _ => true,
                };
                if !ok {
                    return self.fail(GzipError::NotGzip { member, offset });
                }
                if n == 3 {
                    self.flags = b;
                }
                if n < 9 {
                    Stage::Fixed(n + 1)
                } else {
                    self.after(0)
                }
            }
            Stage::ExtraLen(0) => {
                self.field[0] = b;
                Stage::ExtraLen(1)
            }
            Stage::ExtraLen(_) => match u16::from_le_bytes([self.field[0], b]) {
                0 => self.after(FEXTRA),
                len => Stage::Extra(len),
            },
            Stage::Extra(1) => self.after(FEXTRA),
            Stage::Extra(left) => Stage::Extra(left - 1),
            Stage::Name(_) | Stage::Comment(_) if b == 0 => {
                let done = if matches!(self.stage, Stage::Name(_)) {
                    FNAME
                } else {
                    FCOMMENT
                };
                self.after(done)
            }
            Stage::Name(n) | Stage::Comment(n) if n + 1 >= MAX_HEADER_FIELD => {
                return self.fail(GzipError::FieldTooLong { member, offset });
            }
            Stage::Name(n) => Stage::Name(n + 1),
            Stage::Comment(n) => Stage::Comment(n + 1),
            Stage::HeaderCrc(0) => {
                self.field[0] = b;
                Stage::HeaderCrc(1)
            }
            Stage::HeaderCrc(_) => {
                let stored = u16::from_le_bytes([self.field[0], b]);
                if u32::from(stored) != self.header_crc.sum() & 0xFFFF {
                    return self.fail(GzipError::HeaderChecksum { member, offset });
                }
                Stage::Deflate
            }
            Stage::Trailer(n) => {
                self.field[usize::from(n)] = b;
                if n < 7 {
                    Stage::Trailer(n + 1)
                } else {
                    return self.end_member();
                }
            }
            Stage::Deflate | Stage::Failed => self.stage,
        };
    }

    /// The stage after the optional header field `done` (its flag bit; 0 after the fixed part).
    fn after(&self, done: u8) -> Stage {
        let next = |flag: u8| self.flags & flag != 0 && flag > done;
        if next(FEXTRA) {
            Stage::ExtraLen(0)
        } else if next(FNAME) {
            Stage::Name(0)
        } else if next(FCOMMENT) {
            Stage::Comment(0)
        } else if self.flags & FHCRC != 0 {
            Stage::HeaderCrc(0)
        } else {
            Stage::Deflate
        }
    }

    /// Checks the trailer of the member just read and gets ready for the next one.
    fn end_member(&mut self) {
        let crc = u32::from_le_bytes([self.field[0], self.field[1], self.field[2], self.field[3]]);
        let size = u32::from_le_bytes([self.field[4], self.field[5], self.field[6], self.field[7]]);
        if crc != self.data_crc.sum() || size != self.data_crc.amount() {
            return self.fail(GzipError::Checksum {
                member: self.member,
                offset: self.read - 7,
            });
        }
        self.member += 1;
        self.member_start = self.read + 1;
        self.stage = Stage::Fixed(0);
        self.header_crc.reset();
        self.data_crc.reset();
        self.inflate.reset(false);
    }

    /// Inflates from `input` to `text`; returns the input left after the deflate data ends.
    fn inflate<'a>(&mut self, mut input: &'a [u8], text: &mut impl FnMut(&[u8])) -> &'a [u8] {
        loop {
            let (in_before, out_before) = (self.inflate.total_in(), self.inflate.total_out());
            let result = self
                .inflate
                .decompress(input, &mut self.scratch, FlushDecompress::None);
            let consumed = usize::try_from(self.inflate.total_in() - in_before).unwrap_or(0);
            let produced = usize::try_from(self.inflate.total_out() - out_before).unwrap_or(0);
            input = &input[consumed.min(input.len())..];
            let produced = &self.scratch[..produced.min(self.scratch.len())];
            self.data_crc.update(produced);
            if !produced.is_empty() {
                text(produced);
            }
            match result {
                Ok(Status::StreamEnd) => {
                    self.stage = Stage::Trailer(0);
                    return input;
                }
                Ok(_) if consumed > 0 || !produced.is_empty() => {
                    if input.is_empty() && produced.len() < self.scratch.len() {
                        return input;
                    }
                }
                Ok(_) if input.is_empty() => return input,
                Ok(_) | Err(_) => {
                    self.fail(GzipError::Damaged {
                        member: self.member,
                        offset: self.member_start,
                    });
                    return &[];
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{write::GzEncoder, Compression, GzBuilder};
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    /// What comes out of `z` pushed in chunks of `size`, and how it ends.
    fn gunzip(z: &[u8], size: usize) -> (Vec<u8>, Result<(), GzipError>) {
        let mut g = Gunzip::default();
        let mut out = Vec::new();
        for c in z.chunks(size) {
            g.push(c, &mut |piece| out.extend_from_slice(piece));
        }
        (out, g.finish())
    }

    /// Regression: each pushed chunk was inflated whole into one buffer, so a newline bomb read
    /// in 1 MB chunks held gigabytes at once. 64 MB of newlines in one push come out in pieces
    /// of at most 64 KB.
    #[test]
    fn a_newline_bomb_comes_out_in_bounded_pieces() {
        let z = gz(&vec![b'\n'; 64 << 20]);
        assert!(z.len() < 1 << 20, "{} bytes compressed", z.len());
        let mut g = Gunzip::default();
        let (mut total, mut largest, mut pieces) = (0, 0, 0);
        g.push(&z, &mut |piece| {
            assert!(piece.iter().all(|&c| c == b'\n'));
            total += piece.len();
            largest = largest.max(piece.len());
            pieces += 1;
        });
        assert_eq!(g.finish(), Ok(()));
        assert_eq!((total, largest, pieces), (64 << 20, PIECE, 1024));
    }

    #[test]
    fn any_chunking_gives_the_same_text() {
        let text = b"{\"a\":1}\n".repeat(1000);
        let z = gz(&text);
        for size in [1, 7, 4096, z.len()] {
            assert_eq!(
                gunzip(&z, size),
                (text.clone(), Ok(())),
                "chunk size {size}"
            );
        }
    }

    #[test]
    fn concatenated_members_and_optional_header_fields_are_read() {
        let mut z = gz(b"one\n");
        let mut e = GzBuilder::new()
            .filename("two.ndjson")
            .comment("a comment")
            .extra(vec![1, 2, 3])
            .write(Vec::new(), Compression::default());
        e.write_all(b"two\n").unwrap();
        z.extend(e.finish().unwrap());
        // FHCRC (GzBuilder does not write it): the low 16 bits of the header's CRC-32.
        let mut header = vec![0x1f, 0x8b, 8, FHCRC, 0, 0, 0, 0, 0, 255];
        let mut crc = Crc::new();
        crc.update(&header);
        header.extend_from_slice(&(crc.sum() as u16).to_le_bytes());
        z.extend(&header);
        z.extend(&gz(b"three\n")[10..]);
        for size in [1, 3, z.len()] {
            assert_eq!(
                gunzip(&z, size),
                (b"one\ntwo\nthree\n".to_vec(), Ok(())),
                "chunk size {size}"
            );
        }
    }

    #[test]
    fn a_truncated_stream_keeps_the_readable_part_whatever_the_chunking() {
        let text = b"{\"a\":1}\n".repeat(10_000);
        let z = gz(&text);
        let cut = &z[..z.len() / 2];
        let (whole, end) = gunzip(cut, cut.len());
        assert!(whole.len() > text.len() / 4, "{}", whole.len());
        assert!(text.starts_with(&whole));
        let truncated = GzipError::Truncated {
            member: 1,
            offset: cut.len() as u64,
        };
        assert_eq!(end, Err(truncated));
        assert_eq!(truncated.to_string(), "the file ends inside gzip member 1");
        for size in [1, 5, 4096] {
            assert_eq!(gunzip(cut, size), (whole.clone(), end), "{size}");
        }
        // Cut inside the trailer.
        assert_eq!(
            gunzip(&z[..z.len() - 3], 1000),
            (
                text,
                Err(GzipError::Truncated {
                    member: 1,
                    offset: z.len() as u64 - 3
                })
            )
        );
    }

    #[test]
    fn damage_keeps_what_came_before_and_is_told_the_same_whatever_the_chunking() {
        let text: Vec<u8> = (0..20_000u32)
            .flat_map(|i| format!("{{\"n\":{i}}}\n").into_bytes())
            .collect();
        let mut z = gz(&text);
        let mid = z.len() / 2;
        z[mid..mid + 40].fill(0xFF);
        let (whole, end) = gunzip(&z, z.len());
        assert!(!whole.is_empty() && text.starts_with(&whole[..whole.len() / 2]));
        let damaged = GzipError::Damaged {
            member: 1,
            offset: 0,
        };
        assert_eq!(end, Err(damaged));
        assert_eq!(
            damaged.to_string(),
            "gzip member 1 holds damaged compressed data"
        );
        for size in [1, 7, 4096] {
            assert_eq!(gunzip(&z, size), (whole.clone(), end), "{size}");
        }
        // A changed byte the deflate data survives is caught by the trailer's checksum.
        let mut z = gz(b"{\"a\":1}\n");
        let n = z.len();
        z[n - 8] ^= 1;
        assert_eq!(
            gunzip(&z, 2).1,
            Err(GzipError::Checksum {
                member: 1,
                offset: n as u64 - 8
            })
        );
    }

    #[test]
    fn garbage_after_a_member_and_bad_headers_are_errors() {
        let mut z = gz(b"one\n");
        z.extend(b"\x1f\x8bNOT GZIP");
        for size in [1, z.len()] {
            assert_eq!(
                gunzip(&z, size),
                (
                    b"one\n".to_vec(),
                    Err(GzipError::NotGzip {
                        member: 2,
                        offset: z.len() as u64 - 8
                    })
                )
            );
        }
        let (out, end) = gunzip(b"\x1f\x8b\x08\x00garbage that is not deflate at all", 3);
        assert!(out.is_empty() && end.is_err(), "{end:?}");
        let unended = b"\x1f\x8b\x08\x08\0\0\0\0\0\xffname without an end";
        let (_, end) = gunzip(unended, 4);
        let offset = unended.len() as u64;
        assert_eq!(end, Err(GzipError::Truncated { member: 1, offset }));
    }
}
