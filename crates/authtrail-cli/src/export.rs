//! `authtrail export`: the events in time order as CSV, or their original JSON records as NDJSON.

use crate::{display_name, load};
use anyhow::{bail, Context, Result};
use authtrail_core::export::{csv_header, csv_rows, ndjson_line};
use authtrail_core::{Filter, Store};
use flate2::read::MultiGzDecoder;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Rows formatted per write.
const PAGE: usize = 5000;

pub fn run(files: &[PathBuf], csv: bool, from: Option<i64>, to: Option<i64>) -> Result<ExitCode> {
    if !csv && files.iter().any(|p| p.as_os_str() == "-") {
        bail!(
            "--ndjson reads the records back from the files: standard input cannot be read twice"
        );
    }
    let store = match load(files) {
        Ok(store) => store,
        Err(code) => return Ok(code),
    };
    let selection = store.select(&Filter {
        from,
        to,
        ..Filter::default()
    });
    let mut out = BufWriter::new(io::stdout().lock());
    if csv {
        out.write_all(csv_header().as_bytes())?;
        let mut text = String::new();
        for page in selection.chunks(PAGE) {
            text.clear();
            csv_rows(&mut text, &store.rows(page));
            out.write_all(text.as_bytes())?;
        }
    } else {
        let mut sources = Sources::open(&store, files, &selection)?;
        let mut line = Vec::new();
        for &i in &selection {
            line.clear();
            ndjson_line(&mut line, &sources.original(&store, i)?);
            out.write_all(&line)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The files read back: plain files by seeking, gzip files decompressed once up front (in file
/// order) keeping only the selected records.
struct Sources {
    plain: HashMap<u16, File>,
    unpacked: HashMap<u32, Vec<u8>>,
}

impl Sources {
    fn open(store: &Store, files: &[PathBuf], selection: &[u32]) -> Result<Sources> {
        // Store file k is the k-th path that could be opened: match them up by name, in order.
        let mut paths = files.iter();
        let mut sources = Sources {
            plain: HashMap::new(),
            unpacked: HashMap::new(),
        };
        let mut gzip: HashMap<u16, Vec<u32>> = HashMap::new();
        // Files past the first 65,536 were not read: no event names them.
        for (k, f) in (0..=u16::MAX).zip(store.files()) {
            let path = paths
                .find(|p| display_name(p) == f.name)
                .with_context(|| format!("{} is no longer among the files", f.name))?;
            let file = File::open(path).with_context(|| format!("cannot reopen {}", f.name))?;
            if f.format.starts_with("gzip") {
                gzip.insert(k, Vec::new());
            }
            sources.plain.insert(k, file);
        }
        for &i in selection {
            if let Some(events) = gzip.get_mut(&store.locate(i as usize).file) {
                events.push(i);
            }
        }
        for (k, mut events) in gzip {
            let file = sources.plain.remove(&k).expect("opened above");
            events.sort_by_key(|&i| store.locate(i as usize).offset);
            let mut text = MultiGzDecoder::new(BufReader::new(file));
            let name = &store.files()[usize::from(k)].name;
            // The last span read: events of one record may share (part of) it.
            let (mut start, mut last) = (0u64, Vec::new());
            for i in events {
                let at = store.locate(i as usize);
                let pos = start + last.len() as u64;
                let bytes = if at.offset >= pos {
                    io::copy(&mut (&mut text).take(at.offset - pos), &mut io::sink())?;
                    let mut bytes = vec![0; at.len as usize];
                    text.read_exact(&mut bytes).with_context(|| {
                        format!("{name}: cannot read back the record at byte {}", at.offset)
                    })?;
                    start = at.offset;
                    last = bytes.clone();
                    bytes
                } else {
                    let a = (at.offset - start) as usize;
                    last.get(a..a + at.len as usize)
                        .with_context(|| {
                            format!("{name}: overlapping records at byte {}", at.offset)
                        })?
                        .to_vec()
                };
                sources.unpacked.insert(i, bytes);
            }
        }
        Ok(sources)
    }

    fn original(&mut self, store: &Store, i: u32) -> Result<Vec<u8>> {
        if let Some(bytes) = self.unpacked.remove(&i) {
            return Ok(bytes);
        }
        let at = store.locate(i as usize);
        let name = &store.files()[usize::from(at.file)].name;
        let file = self
            .plain
            .get_mut(&at.file)
            .with_context(|| format!("{name}: not readable"))?;
        let mut bytes = vec![0; at.len as usize];
        file.seek(SeekFrom::Start(at.offset))?;
        file.read_exact(&mut bytes)
            .with_context(|| format!("{name}: cannot read back record at byte {}", at.offset))?;
        Ok(bytes)
    }
}
