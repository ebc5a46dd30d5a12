//! The page's transfer size: every file in dist/, raw and gzip-compressed (best level, as a static
//! host would serve it).

use anyhow::Result;
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;

fn kind(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("wasm") => "wasm",
        Some("js" | "mjs") => "js",
        Some("css") => "css",
        Some("html") => "html",
        _ => "other",
    }
}

/// `{files: [{path, kind, raw, gzip}], kinds: {wasm: {raw, gzip}, ...}, total: {raw, gzip}}`; the
/// single-file copy of the page (`cargo xtask dist`) is not part of what the page transfers.
pub fn measure(dist: &Path) -> Result<Value> {
    let mut paths = Vec::new();
    crate::dist::walk(dist, &mut paths)?;
    paths.retain(|p| *p != dist.join(crate::dist::SINGLE));
    paths.sort();
    let mut files = Vec::new();
    let mut kinds = serde_json::Map::new();
    let (mut raw_total, mut gz_total) = (0u64, 0u64);
    for path in paths {
        let bytes = std::fs::read(&path)?;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&bytes)?;
        let gz = enc.finish()?.len() as u64;
        let raw = bytes.len() as u64;
        let k = kind(&path);
        let entry = kinds
            .entry(k)
            .or_insert_with(|| json!({"raw": 0, "gzip": 0}));
        entry["raw"] = json!(entry["raw"].as_u64().unwrap_or(0) + raw);
        entry["gzip"] = json!(entry["gzip"].as_u64().unwrap_or(0) + gz);
        raw_total += raw;
        gz_total += gz;
        files.push(json!({
            "path": path.strip_prefix(dist)?.to_string_lossy(),
            "kind": k,
            "raw": raw,
            "gzip": gz,
        }));
    }
    Ok(json!({
        "files": files,
        "kinds": kinds,
        "total": {"raw": raw_total, "gzip": gz_total},
    }))
}
