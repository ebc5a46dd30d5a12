//! The generated exports the benchmark reads: `target/bench/authtrail-s{seed}-{size}MB.ndjson` and its
//! `.gz`, written once and reused while the generator still writes the same bytes; and, for
//! `cargo xtask compare --files N`, the same export split into N files (each also gzipped).

use anyhow::{Context, Result};
use authtrail_core::generate::{generate, Options};
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// How much of a cached export is compared with the generator's output before it is reused.
const CHECKED_PREFIX: usize = 1 << 20;

/// One generated export in both containers.
#[derive(Debug)]
pub struct Dataset {
    pub size_mb: u64,
    pub ndjson: PathBuf,
    pub gz: PathBuf,
    /// Bytes of NDJSON text (also what the gzip file decompresses to).
    pub text_bytes: u64,
    pub gz_bytes: u64,
}

/// A writer that keeps the first `limit` bytes and then stops the generator with an error.
struct Prefix {
    bytes: Vec<u8>,
    limit: usize,
}

impl Write for Prefix {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = self.limit - self.bytes.len();
        if room == 0 {
            return Err(io::Error::other("prefix complete"));
        }
        let n = buf.len().min(room);
        self.bytes.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn options(seed: u64, size_mb: u64) -> Options {
    Options {
        seed,
        bytes: size_mb * 1_000_000,
        ..Options::default()
    }
}

/// True when `path` holds at least `size_mb` MB that start with what the generator writes today.
fn still_current(path: &Path, opts: &Options) -> Result<bool> {
    let Ok(meta) = fs::metadata(path) else {
        return Ok(false);
    };
    if meta.len() < opts.bytes {
        return Ok(false);
    }
    let mut expected = Prefix {
        bytes: Vec::with_capacity(CHECKED_PREFIX),
        limit: CHECKED_PREFIX,
    };
    // The generator stops with the writer's error once the prefix is full; a short output is fine.
    let _ = generate(opts, &mut expected);
    let mut found = Vec::with_capacity(expected.bytes.len());
    File::open(path)?
        .take(expected.bytes.len() as u64)
        .read_to_end(&mut found)?;
    Ok(found == expected.bytes)
}

/// Writes through a temporary file renamed at the end, so an interrupted run leaves nothing behind
/// that looks complete.
fn write_atomically(
    path: &Path,
    body: impl FnOnce(&mut BufWriter<File>) -> Result<()>,
) -> Result<()> {
    let tmp = path.with_extension("partial");
    let mut out = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
    body(&mut out)?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    fs::rename(&tmp, path)?;
    Ok(())
}

/// Writes `from` gzipped to `to`.
fn gzip(from: &Path, to: &Path) -> Result<()> {
    write_atomically(to, |out| {
        let mut enc = flate2::write::GzEncoder::new(out, flate2::Compression::default());
        io::copy(&mut File::open(from)?, &mut enc)?;
        enc.finish()?;
        Ok(())
    })
}

/// The export of `size_mb` MB for `seed` in `dir`, generated (and gzipped) unless already there.
pub fn prepare(dir: &Path, seed: u64, size_mb: u64) -> Result<Dataset> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let ndjson = dir.join(format!("authtrail-s{seed}-{size_mb}MB.ndjson"));
    let gz = dir.join(format!("authtrail-s{seed}-{size_mb}MB.ndjson.gz"));
    let opts = options(seed, size_mb);
    let fresh = !still_current(&ndjson, &opts)?;
    if fresh {
        eprintln!("generating {} ...", ndjson.display());
        write_atomically(&ndjson, |out| {
            generate(&opts, out)?;
            Ok(())
        })?;
    }
    let gz_current = !fresh
        && fs::metadata(&gz)
            .and_then(|g| Ok(g.modified()? >= fs::metadata(&ndjson)?.modified()?))
            .unwrap_or(false);
    if !gz_current {
        eprintln!("compressing {} ...", gz.display());
        gzip(&ndjson, &gz)?;
    }
    Ok(Dataset {
        size_mb,
        text_bytes: fs::metadata(&ndjson)?.len(),
        gz_bytes: fs::metadata(&gz)?.len(),
        ndjson,
        gz,
    })
}

/// An export split into files: their paths, as NDJSON and gzipped.
#[derive(Debug)]
pub struct Split {
    pub ndjson: Vec<PathBuf>,
    pub gz: Vec<PathBuf>,
}

/// `set` (one file) split into `n` files of whole lines and about the same size, each also
/// gzipped, in a folder beside it; written once and reused while newer than the export.
pub fn split(set: &Dataset, n: usize) -> Result<Split> {
    let whole = &set.ndjson;
    let dir = whole.with_extension(format!("{n}-files"));
    let done = dir.join("complete");
    let current = (fs::metadata(&done).and_then(|d| d.modified()).ok())
        .zip(fs::metadata(whole).and_then(|w| w.modified()).ok())
        .is_some_and(|(d, w)| d >= w);
    let name = |k: usize| dir.join(format!("part-{k:04}.ndjson"));
    if !current {
        eprintln!("splitting {} into {n} files ...", whole.display());
        if dir.exists() {
            fs::remove_dir_all(&dir)?;
        }
        fs::create_dir_all(&dir)?;
        let mut lines = BufReader::with_capacity(1 << 20, File::open(whole)?);
        let mut line = Vec::new();
        let mut read = 0;
        for k in 0..n {
            let end = set.text_bytes * (k as u64 + 1) / n as u64;
            write_atomically(&name(k), |out| {
                while read < end && lines.read_until(b'\n', &mut line)? > 0 {
                    read += line.len() as u64;
                    out.write_all(&line)?;
                    line.clear();
                }
                Ok(())
            })?;
            gzip(&name(k), &name(k).with_extension("ndjson.gz"))?;
        }
        File::create(&done)?;
    }
    let ndjson: Vec<PathBuf> = (0..n).map(name).collect();
    let gz = ndjson
        .iter()
        .map(|p| p.with_extension("ndjson.gz"))
        .collect();
    Ok(Split { ndjson, gz })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_is_split_into_files_of_whole_lines_each_also_gzipped() {
        let dir = tempfile::tempdir().unwrap();
        let ndjson = dir.path().join("x.ndjson");
        let text: String = (0..100)
            .map(|i| format!("{{\"n\":{}}}\n", i * 37))
            .collect();
        fs::write(&ndjson, &text).unwrap();
        let set = Dataset {
            size_mb: 0,
            ndjson,
            gz: PathBuf::new(),
            text_bytes: text.len() as u64,
            gz_bytes: 0,
        };
        let split = split(&set, 3).unwrap();
        assert_eq!((split.ndjson.len(), split.gz.len()), (3, 3));
        let parts: Vec<String> = (split.ndjson.iter())
            .map(|p| fs::read_to_string(p).unwrap())
            .collect();
        assert_eq!(parts.concat(), text);
        for (part, gz) in parts.iter().zip(&split.gz) {
            assert!(part.ends_with('\n'));
            let third = text.len() / 3;
            assert!(
                part.len().abs_diff(third) < 20,
                "{} bytes of {}",
                part.len(),
                text.len()
            );
            let mut inflated = String::new();
            flate2::read::GzDecoder::new(File::open(gz).unwrap())
                .read_to_string(&mut inflated)
                .unwrap();
            assert_eq!(&inflated, part);
        }
        // Reused while newer than the export.
        let before = fs::metadata(&split.gz[0]).unwrap().modified().unwrap();
        let again = super::split(&set, 3).unwrap();
        assert_eq!(
            fs::metadata(&again.gz[0]).unwrap().modified().unwrap(),
            before
        );
    }
}
