//! The wasm-bindgen facade over [`authtrail_core`] used by the inspector page's Web Worker.
//!
//! [`Inspector`] owns the event [`Store`] and the files being read; each method reads its
//! arguments, calls the core and returns the answer. Bytes go in as `Uint8Array` chunks, histogram
//! bins come back as `Uint32Array`s, and only small objects (summaries, one page of rows, one
//! event) cross through serde-wasm-bindgen. The event store itself never leaves wasm memory.
//!
//! ```js
//! import init, { Inspector } from './authtrail-wasm.js';
//! await init();
//! const inspector = new Inspector();
//! const id = inspector.begin_file('export.ndjson');
//! inspector.push(id, bytes);
//! const summary = inspector.finish(id); // { name, format, records, events, duplicates, errors, bytes }
//! ```

#![forbid(unsafe_code)]

use authtrail_core::ingest::limits;
use authtrail_core::part::Part;
use authtrail_core::report::{FileHash, Report};
use authtrail_core::{
    export, generate, model, Facet, Filter, Histogram, Ingest, Locator, RefreshRequest, Selection,
    Store, Thresholds,
};
use js_sys::{Float64Array, Object, Reflect, Uint16Array, Uint32Array, Uint8Array};
use serde::Serialize;
use std::collections::HashMap;
use wasm_bindgen::prelude::*;

/// Serializes a small answer as plain JSON-like JS values (maps as objects, u64 as numbers).
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("cannot hand the answer to JavaScript: {e}")))
}

/// Reads a filter object; `null` / `undefined` mean no filter.
fn filter_from(value: JsValue) -> Result<Filter, JsError> {
    if value.is_null() || value.is_undefined() {
        return Ok(Filter::default());
    }
    let (rest, events) = without_events(&value)?;
    let mut filter: Filter = serde_wasm_bindgen::from_value(rest)
        .map_err(|e| JsError::new(&format!("invalid filter: {e}")))?;
    if events.is_some() {
        filter.events = events;
    }
    Ok(filter)
}

/// A filter's `events` when they are a `Uint32Array` (a finding's, as [`Inspector::findings`] gives
/// them), copied at once, and the filter without them for serde, which reads a sequence one
/// element at a time: a finding over most logins would cost more than the refresh it filters.
fn without_events(filter: &JsValue) -> Result<(JsValue, Option<Vec<u32>>), JsError> {
    let key = JsValue::from_str("events");
    let Some(events) = filter
        .dyn_ref::<Object>()
        .and_then(|f| Reflect::get(f, &key).ok())
        .and_then(|e| e.dyn_into::<Uint32Array>().ok())
    else {
        return Ok((filter.clone(), None));
    };
    let rest = Object::assign(&Object::new(), filter.unchecked_ref());
    Reflect::delete_property(&rest, &key).map_err(|_| JsError::new("invalid filter"))?;
    Ok((rest.into(), Some(events.to_vec())))
}

/// Reads rule thresholds (any of the [`Thresholds`] fields; missing ones take their defaults);
/// `null` / `undefined` mean all defaults.
fn thresholds_from(value: JsValue) -> Result<Thresholds, JsError> {
    if value.is_null() || value.is_undefined() {
        return Ok(Thresholds::default());
    }
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| JsError::new(&format!("invalid thresholds: {e}")))
}

/// The error for a file id that was never begun or is already finished.
fn not_read(id: u32) -> JsError {
    JsError::new(&format!("no file {id} is being read"))
}

fn facet_from(name: &str) -> Result<Facet, JsError> {
    serde_wasm_bindgen::from_value(JsValue::from_str(name))
        .map_err(|_| JsError::new(&format!("unknown facet \"{name}\"")))
}

fn set(target: &Object, key: &str, value: &JsValue) -> Result<(), JsError> {
    Reflect::set(target, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|_| JsError::new("cannot build the answer object"))
}

/// The store's totals and its files, as the summary panel shows them.
#[derive(Serialize)]
struct Summary<'a> {
    events: usize,
    duplicates: u64,
    diagnostics: u64,
    files: &'a [authtrail_core::FileSummary],
    /// Earliest event time, UTC ms.
    from: Option<i64>,
    /// Latest event time, UTC ms.
    to: Option<i64>,
    /// The identifiers shown by a name: `[{id, name}]`.
    aliases: Vec<authtrail_core::Alias>,
}

#[derive(Serialize)]
struct LocatorOut {
    file: u16,
    offset: u64,
    len: u32,
}

/// Reads limits (`Inspector::set_options`); `null` / `undefined` mean the defaults.
fn options_from(options: JsValue) -> Result<limits::Options, JsError> {
    if options.is_null() || options.is_undefined() {
        return Ok(limits::Options::default());
    }
    serde_wasm_bindgen::from_value(options)
        .map_err(|e| JsError::new(&format!("invalid limits: {e}")))
}

/// Reads a later part of a large file on another thread, from the start of a line to the next
/// part's or the end, for the [`Inspector`] reading the text before it to take over
/// ([`Inspector::absorb`]).
///
/// ```js
/// const stretch = new StretchReader('export.ndjson', options);
/// stretch.push(bytes);
/// const part = stretch.finish(); // Uint8Array, for inspector.absorb(id, part)
/// ```
#[wasm_bindgen]
#[derive(Debug)]
pub struct StretchReader {
    store: Store,
    ingest: Option<Ingest>,
}

#[wasm_bindgen]
impl StretchReader {
    /// `options` as for [`Inspector::set_options`].
    #[wasm_bindgen(constructor)]
    pub fn new(name: &str, options: JsValue) -> Result<StretchReader, JsError> {
        let mut store = Store::for_part();
        let ingest = Ingest::with_options(&mut store, name, &options_from(options)?);
        Ok(StretchReader {
            store,
            ingest: Some(ingest),
        })
    }

    /// Pushes the next chunk of the stretch.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsError> {
        let ingest = self.ingest.as_mut().ok_or_else(stretch_over)?;
        ingest.push(&mut self.store, chunk);
        Ok(())
    }

    /// Ends the stretch and returns its events and accounting as bytes (the reader is then spent).
    pub fn finish(&mut self) -> Result<Vec<u8>, JsError> {
        let ingest = self.ingest.take().ok_or_else(stretch_over)?;
        let summary = ingest.end_part(&mut self.store);
        Ok(std::mem::take(&mut self.store)
            .into_part(summary)
            .to_bytes())
    }
}

fn stretch_over() -> JsError {
    JsError::new("this stretch is already finished")
}

/// The event store and the files being read into it.
#[wasm_bindgen]
#[derive(Debug, Default)]
pub struct Inspector {
    store: Store,
    /// Files being read, by their index in the store.
    ingests: HashMap<u32, Ingest>,
    /// The last [`Inspector::select`] or [`Inspector::refresh`] selection, paged by
    /// [`Inspector::rows`].
    selection: Selection,
    /// The caps and subset files begun from now on are read with.
    options: limits::Options,
}

#[wasm_bindgen]
impl Inspector {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Inspector {
        Inspector::default()
    }

    /// Starts reading a file; returns its id, which is also its index in the store (the `file` of
    /// [`Inspector::locate`]).
    pub fn begin_file(&mut self, name: &str) -> u32 {
        let ingest = Ingest::with_options(&mut self.store, name, &self.options);
        let id = ingest.file();
        self.ingests.insert(id, ingest);
        id
    }

    /// The caps and subset of the files begun from now on: `{max_record_bytes, max_events,
    /// keep: {from, to, mfa_only}}` (see [`limits::Options`]; missing fields take their defaults,
    /// `null` / `undefined` mean all defaults). What they leave out is in each file's accounting
    /// (`outside_subset`, `over_cap`) and its `note`.
    pub fn set_options(&mut self, options: JsValue) -> Result<(), JsError> {
        self.options = options_from(options)?;
        Ok(())
    }

    /// As [`Inspector::begin_file`], for a gzip file of `compressed_bytes` bytes whose
    /// decompressed text the page pushes (decompressed by the browser): the summary still says
    /// gzip. A stream that cannot be decompressed to its end is reported with
    /// [`Inspector::gzip_damaged`].
    pub fn begin_gzip_file(&mut self, name: &str, compressed_bytes: f64) -> u32 {
        let ingest = Ingest::decompressed(
            &mut self.store,
            name,
            compressed_bytes as u64,
            &self.options,
        );
        let id = ingest.file();
        self.ingests.insert(id, ingest);
        id
    }

    /// The browser could not decompress the rest of gzip file `id` (`detail` says why): what
    /// was pushed is kept and the file gets a diagnostic.
    pub fn gzip_damaged(&mut self, id: u32, detail: &str) -> Result<(), JsError> {
        let ingest = self.ingests.get_mut(&id).ok_or_else(|| not_read(id))?;
        ingest.gzip_damaged(&mut self.store, detail);
        Ok(())
    }

    /// Pushes the next chunk of file `id`.
    pub fn push(&mut self, id: u32, chunk: &[u8]) -> Result<(), JsError> {
        let ingest = self.ingests.get_mut(&id).ok_or_else(|| not_read(id))?;
        ingest.push(&mut self.store, chunk);
        Ok(())
    }

    /// Takes over the next stretch of file `id`, read apart from where the pushed text ends
    /// ([`StretchReader`]; `part` is what its `finish` gave): true when taken, as if the text had
    /// been pushed here; false when it could read differently (the pushed text does not end with
    /// a whole line, or the stretch is not plain NDJSON lines, or the events or memory cap could
    /// leave events out, or a record of it shares an id with another and differs), and then that
    /// text is to be pushed.
    /// The part is read from its buffer section by section, straight into its columns: its bytes
    /// are not copied into this instance's memory whole first.
    pub fn absorb(&mut self, id: u32, part: &Uint8Array) -> Result<bool, JsError> {
        let ingest = self.ingests.get_mut(&id).ok_or_else(|| not_read(id))?;
        let part = Part::read(part.length() as usize, &mut |at, into: &mut [u8]| {
            let end = at + into.len();
            part.subarray(at as u32, end as u32).copy_to(into);
        })
        .map_err(|e| JsError::new(&e.to_string()))?;
        Ok(ingest.take_part(&mut self.store, &part))
    }

    /// Ends file `id` (also after a cancel: what was read is kept) and returns its accounting:
    /// `{name, format, records, events, duplicates, errors, bytes}`.
    pub fn finish(&mut self, id: u32) -> Result<JsValue, JsError> {
        let ingest = self.ingests.remove(&id).ok_or_else(|| not_read(id))?;
        to_js(&ingest.finish(&mut self.store))
    }

    /// Gives back the room the store keeps to grow into ([`Store::compact`]): once no more files
    /// are queued.
    pub fn compact(&mut self) {
        self.store.compact();
    }

    /// `{events, duplicates, diagnostics, files: [...], from, to, aliases: [{id, name}]}`.
    pub fn summary(&self) -> Result<JsValue, JsError> {
        let bounds = self.store.time_bounds();
        to_js(&Summary {
            events: self.store.len(),
            duplicates: self.store.duplicates(),
            diagnostics: self.store.diagnostics_total(),
            files: self.store.files(),
            from: bounds.map(|b| b.0),
            to: bounds.map(|b| b.1),
            aliases: self.store.aliases_shown(),
        })
    }

    /// The first `limit` diagnostics kept: `[{file, line, offset, message}]`.
    pub fn diagnostics(&self, limit: usize) -> Result<JsValue, JsError> {
        let d = self.store.diagnostics();
        to_js(&d[..limit.min(d.len())])
    }

    /// Events matching `filter` in `bins` equal bins over [from, to):
    /// `{from, to, success, failure, other}`, the counts as `Uint32Array`s.
    pub fn histogram(
        &self,
        from: f64,
        to: f64,
        bins: u32,
        filter: JsValue,
    ) -> Result<JsValue, JsError> {
        let filter = filter_from(filter)?;
        let h = self
            .store
            .histogram(from as i64, to as i64, bins as usize, &filter);
        histogram_to_js(&h)
    }

    /// Everything the page redraws after a filter change, in one pass over the events:
    /// `request` is `{filter, histogram, from, to, bins, facets, limit}` (see
    /// [`RefreshRequest`]); the answer is `{histogram, facets, total}`, equal to asking
    /// [`Inspector::histogram`] (with the `histogram` filter), [`Inspector::facets`] for each facet
    /// and [`Inspector::select`]. The selection is kept for [`Inspector::rows`].
    pub fn refresh(&mut self, request: JsValue) -> Result<JsValue, JsError> {
        // Its two filters' events as filter_from reads them.
        let fields = Object::assign(&Object::new(), request.unchecked_ref());
        let mut events = [None, None];
        for (name, events) in ["filter", "histogram"].into_iter().zip(&mut events) {
            let filter = Reflect::get(&fields, &JsValue::from_str(name)).unwrap_or_default();
            let (rest, found) = without_events(&filter)?;
            if found.is_some() {
                set(&fields, name, &rest)?;
                *events = found;
            }
        }
        let mut request: RefreshRequest = serde_wasm_bindgen::from_value(fields.into())
            .map_err(|e| JsError::new(&format!("invalid refresh request: {e}")))?;
        let [filter, histogram] = events;
        if filter.is_some() {
            request.filter.events = filter;
        }
        if histogram.is_some() {
            request.histogram.events = histogram;
        }
        let answer = self.store.refresh(&request);
        self.selection = answer.selection;
        let out = Object::new();
        set(&out, "histogram", &histogram_to_js(&answer.histogram)?)?;
        set(&out, "facets", &to_js(&answer.facets)?)?;
        let total = self.store.selected(&self.selection).len();
        set(&out, "total", &JsValue::from_f64(total as f64))?;
        Ok(out.into())
    }

    /// Counts per value of `facet` under `filter`, largest first: `[[value, count], ...]`.
    pub fn facets(&self, facet: &str, filter: JsValue, limit: usize) -> Result<JsValue, JsError> {
        let facet = facet_from(facet)?;
        let filter = filter_from(filter)?;
        to_js(&self.store.facet_counts(facet, &filter, limit))
    }

    /// Selects the events matching `filter` (in time order), keeps the selection for
    /// [`Inspector::rows`] and returns how many there are.
    pub fn select(&mut self, filter: JsValue) -> Result<u32, JsError> {
        let filter = filter_from(filter)?;
        self.selection = Selection::List(self.store.select(&filter));
        Ok(self.store.selected(&self.selection).len() as u32)
    }

    /// Rows `offset .. offset + limit` of the current selection.
    pub fn rows(&self, offset: usize, limit: usize) -> Result<JsValue, JsError> {
        to_js(&self.store.rows(self.page(offset, limit)))
    }

    /// Rows `offset .. offset + limit` of the current selection as CSV (CRLF lines; formula-like
    /// cells neutralised, see [`authtrail_core::export`]), preceded by the header when `offset` is 0.
    pub fn csv_page(&self, offset: usize, limit: usize) -> String {
        let mut out = String::new();
        if offset == 0 {
            out.push_str(export::csv_header());
        }
        export::csv_rows(&mut out, &self.store.rows(self.page(offset, limit)));
        out
    }

    /// Where the original JSON of events `offset .. offset + limit` of the current selection is:
    /// `{file: Uint16Array, offset: Float64Array, len: Uint32Array}`, one entry per event.
    pub fn locate_page(&self, offset: usize, limit: usize) -> Result<JsValue, JsError> {
        let at: Vec<Locator> = self
            .page(offset, limit)
            .iter()
            .map(|&i| self.store.locate(i as usize))
            .collect();
        let file: Vec<u16> = at.iter().map(|l| l.file).collect();
        let offsets: Vec<f64> = at.iter().map(|l| l.offset as f64).collect();
        let len: Vec<u32> = at.iter().map(|l| l.len).collect();
        let out = Object::new();
        set(&out, "file", &Uint16Array::from(&file[..]))?;
        set(&out, "offset", &Float64Array::from(&offsets[..]))?;
        set(&out, "len", &Uint32Array::from(&len[..]))?;
        Ok(out.into())
    }

    fn page(&self, offset: usize, limit: usize) -> &[u32] {
        let selection = self.store.selected(&self.selection);
        let start = offset.min(selection.len());
        let end = start.saturating_add(limit).min(selection.len());
        &selection[start..end]
    }

    fn check(&self, i: u32) -> Result<usize, JsError> {
        let i = i as usize;
        if i < self.store.len() {
            Ok(i)
        } else {
            Err(JsError::new(&format!(
                "no event {i} (the store holds {})",
                self.store.len()
            )))
        }
    }

    /// Event `i`, normalized.
    pub fn event(&self, i: u32) -> Result<JsValue, JsError> {
        let i = self.check(i)?;
        to_js(&self.store.event(i))
    }

    /// Where event `i`'s original JSON is: `{file, offset, len}`, the offset in the file's
    /// decompressed text.
    pub fn locate(&self, i: u32) -> Result<JsValue, JsError> {
        let i = self.check(i)?;
        let l = self.store.locate(i);
        to_js(&LocatorOut {
            file: l.file,
            offset: l.offset,
            len: l.len,
        })
    }

    /// The account MFA level changes (and attempts) in time order.
    pub fn account_history(&self) -> Result<JsValue, JsError> {
        to_js(&self.store.account_mfa_history())
    }

    /// Every user's setting changes in time order.
    pub fn user_history(&self) -> Result<JsValue, JsError> {
        to_js(&self.store.user_setting_history())
    }

    /// Authentication successes and failures by method, country and user.
    pub fn auth_summary(&self) -> Result<JsValue, JsError> {
        to_js(&self.store.auth_summary())
    }

    /// The findings, most severe first, each one's `events` a `Uint32Array` (a filter takes it back
    /// as it is). `thresholds` holds any of the [`Thresholds`] fields (missing ones take their
    /// defaults); `null` / `undefined` mean all defaults.
    pub fn findings(&self, thresholds: JsValue) -> Result<JsValue, JsError> {
        let found = authtrail_core::findings(&self.store, &thresholds_from(thresholds)?);
        // Each finding's `events` as a Uint32Array: serde writes an array one element at a time,
        // which for a finding over most logins costs more than running the rules.
        let out = js_sys::Array::new();
        for mut finding in found {
            let events = std::mem::take(&mut finding.events);
            let object: Object = to_js(&finding)?.unchecked_into();
            set(&object, "events", &Uint32Array::from(events.as_slice()))?;
            out.push(&object);
        }
        Ok(out.into())
    }

    /// The printable report ([`Report`]): findings with `thresholds` (as [`Inspector::findings`]),
    /// `sha256` an array with each file's digest in file id order (`null` when not computed).
    pub fn report(&self, thresholds: JsValue, sha256: JsValue) -> Result<JsValue, JsError> {
        let sha256: Vec<Option<String>> = serde_wasm_bindgen::from_value(sha256)
            .map_err(|e| JsError::new(&format!("invalid digests: {e}")))?;
        to_js(&Report::build(
            &self.store,
            &thresholds_from(thresholds)?,
            &sha256,
        ))
    }

    /// The account MFA level and every user's settings at `time` (UTC ms).
    pub fn state_at(&self, time: f64) -> Result<JsValue, JsError> {
        to_js(&self.store.state_at(time as i64))
    }
}

/// SHA-256 of a file fed in pieces: `update(bytes)` for each slice, then `finish()` gives hex.
#[wasm_bindgen]
#[derive(Debug, Default)]
pub struct FileHasher(FileHash);

#[wasm_bindgen]
impl FileHasher {
    #[wasm_bindgen(constructor)]
    pub fn new() -> FileHasher {
        FileHasher::default()
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The digest as 64 lowercase hex digits (the hasher is used up).
    pub fn finish(self) -> String {
        self.0.finish()
    }
}

/// The first 12 hex digits of each text's SHA-256 (UTF-8): how a permalink names a value from the logs
/// without holding it.
#[wasm_bindgen]
pub fn short_hashes(texts: Vec<String>) -> Vec<String> {
    texts
        .iter()
        .map(|t| {
            let mut h = FileHash::new();
            h.update(t.as_bytes());
            let mut hex = h.finish();
            hex.truncate(12);
            hex
        })
        .collect()
}

/// The default caps: `{max_record_bytes, max_events: null, keep: {...}}`.
#[wasm_bindgen]
pub fn default_limits() -> Result<JsValue, JsError> {
    to_js(&limits::Options::default())
}

/// `{from, to, success, failure, other}`, the counts as `Uint32Array`s.
fn histogram_to_js(h: &Histogram) -> Result<JsValue, JsError> {
    let out = Object::new();
    set(&out, "from", &JsValue::from_f64(h.from as f64))?;
    set(&out, "to", &JsValue::from_f64(h.to as f64))?;
    set(&out, "success", &Uint32Array::from(&h.success[..]))?;
    set(&out, "failure", &Uint32Array::from(&h.failure[..]))?;
    set(&out, "other", &Uint32Array::from(&h.other[..]))?;
    Ok(out.into())
}

/// The rules' default thresholds.
#[wasm_bindgen]
pub fn default_thresholds() -> Result<JsValue, JsError> {
    to_js(&Thresholds::default())
}

/// The account MFA levels as IBM writes them, weakest first.
#[wasm_bindgen]
pub fn mfa_levels() -> Vec<String> {
    model::MFA_LEVELS.iter().map(|s| (*s).to_owned()).collect()
}

/// A plain explanation of an account MFA level.
#[wasm_bindgen]
pub fn level_explanation(level: &str) -> String {
    model::level_explanation(level).to_owned()
}

/// A deterministic demo export (NDJSON) of at least `bytes` bytes.
#[wasm_bindgen]
pub fn demo_bytes(bytes: u32) -> Result<Vec<u8>, JsError> {
    let mut out = Vec::with_capacity(bytes as usize + (1 << 16));
    let options = generate::Options {
        bytes: u64::from(bytes),
        ..Default::default()
    };
    generate::generate(&options, &mut out)
        .map_err(|e| JsError::new(&format!("cannot generate the demo: {e}")))?;
    Ok(out)
}
