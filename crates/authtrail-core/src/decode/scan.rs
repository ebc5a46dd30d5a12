//! A fast reader of the keys authtrail needs ([`Top`](super::Top) and the structs inside it, a
//! login's `requestData`), tried before serde_json on every record. Each of those structs is
//! declared with [`keys!`], which writes its serde names and the scanner's table from one list.
//!
//! It reads the known keys, borrows their strings, and skips every other value while checking its
//! syntax (strings, escapes, numbers, literals, nesting), allocating nothing. It never reads a
//! record differently from serde_json: whatever it is not sure to read the same way it declines
//! (`None`), and the caller reads that record with serde_json, which also words the error when the
//! record is broken. It declines on invalid UTF-8 anywhere in the record, an escape in any key, a
//! known key given twice (serde_json rejects it), a kept object given as a string with escapes or
//! as a number other than a plain integer, nesting deeper than [`MAX_DEPTH`], anything after the
//! value, and any syntax error. A kept string with escapes or a kept number other than a plain
//! integer is handed to serde_json alone.

use super::lenient::{Obj, Raw, Text};
use std::borrow::Cow;

/// Objects and arrays nested deeper than this are left to serde_json (whose limit is 128).
const MAX_DEPTH: u32 = 64;

/// A struct whose known keys the scanner reads.
pub(crate) trait Fields<'a>: Default {
    /// Reads the value of `key` (the scanner is at its first byte) into `self`, or skips it.
    /// `seen` has a bit for each known key already read.
    fn field(&mut self, key: &[u8], seen: &mut u32, s: &mut Scanner<'a>) -> Option<()>;
}

/// Declares a struct of known keys, each key written once: the struct, deserialized by serde_json
/// under those names when the scanner declines, and its [`Fields`] for the scanner. Each entry is
/// `"key" => field: Type`, the type one the scanner reads ([`Slot`]).
macro_rules! keys {
    ($(#[$meta:meta])* $vis:vis struct $name:ident<$a:lifetime> {
        $($key:literal => $field:ident: $ty:ty),* $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Default, PartialEq, serde::Deserialize)]
        #[serde(default)]
        $vis struct $name<$a> {
            $(
                #[serde(rename = $key, borrow)]
                pub $field: $ty,
            )*
        }

        const _: () = assert!([$($key),*].len() <= 32, "`seen` has 32 bits");

        impl<$a> $crate::decode::scan::Fields<$a> for $name<$a> {
            fn field(
                &mut self,
                key: &[u8],
                seen: &mut u32,
                s: &mut $crate::decode::scan::Scanner<$a>,
            ) -> Option<()> {
                let mut bit = 0;
                $(
                    if key == $key.as_bytes() {
                        $crate::decode::scan::Scanner::once(seen, bit)?;
                        return $crate::decode::scan::Slot::read(&mut self.$field, s);
                    }
                    bit += 1;
                )*
                let _ = bit;
                s.skip()
            }
        }
    };
}
pub(crate) use keys;

/// A field type the scanner reads in place.
pub(crate) trait Slot<'a> {
    fn read(&mut self, s: &mut Scanner<'a>) -> Option<()>;
}

impl<'a> Slot<'a> for Option<Text<'a>> {
    fn read(&mut self, s: &mut Scanner<'a>) -> Option<()> {
        s.text(self)
    }
}

impl<'a> Slot<'a> for Option<Raw<'a>> {
    fn read(&mut self, s: &mut Scanner<'a>) -> Option<()> {
        s.raw(self)
    }
}

impl<'a, T: Fields<'a>> Slot<'a> for Obj<T> {
    fn read(&mut self, s: &mut Scanner<'a>) -> Option<()> {
        s.obj(self)
    }
}

/// Reads `bytes`, one JSON object, into `out` (which starts as `T::default()`); `None` when the
/// scanner declines, leaving `out` partly filled.
pub(crate) fn read<'a, T: Fields<'a>>(bytes: &'a [u8], out: &mut T) -> Option<()> {
    let text = simdutf8::basic::from_utf8(bytes).ok()?;
    let mut s = Scanner {
        text,
        bytes,
        pos: 0,
        depth: 0,
    };
    s.ws();
    if s.peek()? != b'{' {
        return None;
    }
    s.object(out)?;
    s.ws();
    (s.pos == bytes.len()).then_some(())
}

/// A cursor over a record that is valid UTF-8.
#[derive(Debug)]
pub(crate) struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: u32,
}

impl<'a> Scanner<'a> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Steps over `{` or `[`.
    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        self.pos += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    /// After a member or element: steps over `,` (true) or the closing `close` (false).
    #[inline]
    fn next_or_close(&mut self, close: u8) -> Option<bool> {
        self.ws();
        let c = self.peek()?;
        self.pos += 1;
        if c == b',' {
            self.ws();
            Some(true)
        } else if c == close {
            self.depth -= 1;
            Some(false)
        } else {
            None
        }
    }

    /// Whether the container just entered is empty (then also steps over its `close`).
    fn empty(&mut self, close: u8) -> bool {
        self.ws();
        if self.peek() == Some(close) {
            self.pos += 1;
            self.depth -= 1;
            return true;
        }
        false
    }

    /// A key and its colon; the scanner is then at the value.
    #[inline]
    fn key(&mut self) -> Option<&'a [u8]> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.pos + 1;
        let end = find_special(self.bytes, start)?;
        if self.bytes[end] != b'"' {
            return None;
        }
        self.pos = end + 1;
        self.ws();
        if self.peek()? != b':' {
            return None;
        }
        self.pos += 1;
        self.ws();
        Some(&self.bytes[start..end])
    }

    /// An object of known keys, read into `out`.
    fn object<T: Fields<'a>>(&mut self, out: &mut T) -> Option<()> {
        self.enter()?;
        if self.empty(b'}') {
            return Some(());
        }
        let mut seen = 0u32;
        loop {
            let key = self.key()?;
            out.field(key, &mut seen, self)?;
            if !self.next_or_close(b'}')? {
                return Some(());
            }
        }
    }

    /// Marks known key number `bit` as read; `None` when it already was.
    pub(super) fn once(seen: &mut u32, bit: u32) -> Option<()> {
        let mask = 1 << bit;
        if *seen & mask != 0 {
            return None;
        }
        *seen |= mask;
        Some(())
    }

    /// A string; returns the index of its closing quote and whether it holds escapes.
    #[inline]
    fn string(&mut self) -> Option<(usize, bool)> {
        let mut i = self.pos + 1;
        let mut escaped = false;
        loop {
            i = find_special(self.bytes, i)?;
            match self.bytes[i] {
                b'"' => {
                    self.pos = i + 1;
                    return Some((i, escaped));
                }
                b'\\' => {
                    escaped = true;
                    i = escape_end(self.bytes, i + 1)?;
                }
                _ => return None, // a control character
            }
        }
    }

    /// A number; its value when it is a plain integer of at most 18 digits (which serde_json
    /// reads as a `u64`).
    fn number(&mut self) -> Option<Option<u64>> {
        let b = self.bytes;
        let mut i = self.pos;
        let negative = b[i] == b'-';
        if negative {
            i += 1;
        }
        let digits = i;
        match b.get(i)? {
            b'0' => i += 1,
            b'1'..=b'9' => i = skip_digits(b, i),
            _ => return None,
        }
        let digits_end = i;
        let mut plain = !negative && digits_end - digits <= 18;
        if b.get(i) == Some(&b'.') {
            plain = false;
            i = some_digits(b, i + 1)?;
        }
        if let Some(b'e' | b'E') = b.get(i) {
            plain = false;
            i += 1;
            if let Some(b'+' | b'-') = b.get(i) {
                i += 1;
            }
            i = some_digits(b, i)?;
        }
        self.pos = i;
        Some(plain.then(|| {
            b[digits..digits_end]
                .iter()
                .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'))
        }))
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.pos + word.len();
        if self.bytes.get(self.pos..end)? != word {
            return None;
        }
        self.pos = end;
        Some(())
    }

    /// Steps over a value of any type, checking its syntax.
    pub(super) fn skip(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' => {
                self.enter()?;
                if self.empty(b'}') {
                    return Some(());
                }
                loop {
                    self.key()?;
                    self.skip()?;
                    if !self.next_or_close(b'}')? {
                        return Some(());
                    }
                }
            }
            b'[' => {
                self.enter()?;
                if self.empty(b']') {
                    return Some(());
                }
                loop {
                    self.skip()?;
                    if !self.next_or_close(b']')? {
                        return Some(());
                    }
                }
            }
            b'n' => self.literal(b"null"),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'-' | b'0'..=b'9' => self.number().map(drop),
            _ => None,
        }
    }

    /// An `Option<Text>` field.
    fn text(&mut self, slot: &mut Option<Text<'a>>) -> Option<()> {
        let start = self.pos;
        *slot = match self.peek()? {
            b'n' => {
                self.literal(b"null")?;
                None
            }
            b'"' => {
                let (end, escaped) = self.string()?;
                Some(if escaped {
                    serde_json::from_str(&self.text[start..self.pos]).ok()?
                } else {
                    Text::Str(Cow::Borrowed(&self.text[start + 1..end]))
                })
            }
            b't' => {
                self.literal(b"true")?;
                Some(Text::Bool(true))
            }
            b'f' => {
                self.literal(b"false")?;
                Some(Text::Bool(false))
            }
            b'{' | b'[' => {
                self.skip()?;
                Some(Text::Absent)
            }
            _ => Some(match self.number()? {
                Some(n) => Text::Num(n as f64),
                None => serde_json::from_str(&self.text[start..self.pos]).ok()?,
            }),
        };
        Some(())
    }

    /// An `Obj<T>` field.
    fn obj<T: Fields<'a>>(&mut self, slot: &mut Obj<T>) -> Option<()> {
        match self.peek()? {
            b'{' => self.object(slot.0.insert(T::default()))?,
            b'"' => {
                if self.string()?.1 {
                    return None;
                }
            }
            b'-' | b'0'..=b'9' => {
                self.number()??;
            }
            _ => self.skip()?,
        }
        Some(())
    }

    /// An `Option<Raw>` field.
    fn raw(&mut self, slot: &mut Option<Raw<'a>>) -> Option<()> {
        let start = self.pos;
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            *slot = None;
        } else {
            self.skip()?;
            *slot = Some(Raw(&self.text[start..self.pos]));
        }
        Some(())
    }
}

fn skip_digits(b: &[u8], mut i: usize) -> usize {
    while let Some(b'0'..=b'9') = b.get(i) {
        i += 1;
    }
    i
}

/// At least one digit, then any more.
fn some_digits(b: &[u8], i: usize) -> Option<usize> {
    let end = skip_digits(b, i);
    (end > i).then_some(end)
}

/// The end of the escape whose letter is at `i` (just after the backslash).
fn escape_end(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Some(i + 1),
        b'u' => b
            .get(i + 1..i + 5)?
            .iter()
            .all(u8::is_ascii_hexdigit)
            .then_some(i + 5),
        _ => None,
    }
}

/// The first quote, backslash or control character at or after `i`, sixteen bytes at a time.
#[inline]
fn find_special(b: &[u8], i: usize) -> Option<usize> {
    let rest = b.get(i..)?;
    let mut chunks = rest.chunks_exact(16);
    for (k, chunk) in chunks.by_ref().enumerate() {
        let (lo, hi) = chunk.split_at(8);
        let (lo, hi) = (special_bytes(lo), special_bytes(hi));
        if lo | hi != 0 {
            let found = if lo != 0 {
                lo.trailing_zeros() / 8
            } else {
                8 + hi.trailing_zeros() / 8
            };
            return Some(i + k * 16 + found as usize);
        }
    }
    let tail = chunks.remainder();
    tail.iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
        .map(|k| i + rest.len() - tail.len() + k)
}

/// The high bit of each of the eight bytes that is a quote, a backslash or a control character
/// (exact for the lowest such byte; the ones above it may be flagged wrongly).
#[inline]
fn special_bytes(eight: &[u8]) -> u64 {
    const ONES: u64 = u64::MAX / 255;
    const HIGH: u64 = ONES << 7;
    let mut w = [0; 8];
    w.copy_from_slice(eight);
    let w = u64::from_le_bytes(w);
    let control = w.wrapping_sub(ONES * 0x20) & !w;
    let q = w ^ (ONES * u64::from(b'"'));
    let quote = q.wrapping_sub(ONES) & !q;
    let s = w ^ (ONES * u64::from(b'\\'));
    let backslash = s.wrapping_sub(ONES) & !s;
    (control | quote | backslash) & HIGH
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::cadf::LoginRequest;
    use crate::decode::verify::{Data, GeoIp};
    use crate::decode::Top;
    use proptest::prelude::*;

    /// Reads `json` with the scanner and with serde_json. When the scanner reads it, the two must
    /// agree; `None` when it declines.
    fn both(json: &[u8]) -> Option<Top<'_>> {
        let mut fast = Top::default();
        let took = read(json, &mut fast).is_some();
        let slow = serde_json::from_slice::<Top<'_>>(json);
        if !took {
            return None;
        }
        assert_eq!(
            Some(&fast),
            slow.as_ref().ok(),
            "{}",
            String::from_utf8_lossy(json)
        );
        Some(fast)
    }

    fn fast(json: &str) -> Top<'_> {
        both(json.as_bytes()).unwrap_or_else(|| panic!("the scanner declined {json}"))
    }

    fn declines(json: &[u8]) {
        let mut top = Top::default();
        assert!(
            read(json, &mut top).is_none(),
            "{}",
            String::from_utf8_lossy(json)
        );
    }

    fn str_of<'t>(t: &'t Option<Text<'_>>) -> Option<&'t str> {
        match t {
            Some(Text::Str(s)) => Some(s),
            _ => None,
        }
    }

    const LOGIN: &str = r#"{"id":"c1","eventTime":"2023-03-02T22:31:44.12+0000","action":"iam-identity.user-apikey.login","outcome":"success","message":"x","initiator":{"id":"IBMid-1","name":"bo@x.com","host":{"address":"10.0.0.1","agent":"curl","addressType":"IPv4"},"credential":{"type":"token"}},"reason":{"reasonCode":200},"requestData":{"client_id":"bx","grant_type":"apikey"},"dataEvent":false}"#;

    #[test]
    fn reads_the_known_keys_and_borrows_their_strings() {
        let top = fast(LOGIN);
        assert_eq!(str_of(&top.action), Some("iam-identity.user-apikey.login"));
        assert!(matches!(top.action, Some(Text::Str(Cow::Borrowed(_)))));
        let ini = top.initiator.0.as_ref().unwrap();
        assert_eq!(str_of(&ini.name), Some("bo@x.com"));
        let host = ini.host.0.as_ref().unwrap();
        assert_eq!(
            (str_of(&host.address), str_of(&host.agent)),
            (Some("10.0.0.1"), Some("curl"))
        );
        assert_eq!(
            top.request_data,
            Some(Raw(r#"{"client_id":"bx","grant_type":"apikey"}"#))
        );
        assert_eq!(top.event_type, None);
    }

    #[test]
    fn keys_in_any_order_read_the_same() {
        let a = fast(
            r#"{"action":"a","initiator":{"host":{"address":"1.2.3.4"},"name":"n"},"eventTime":"t","id":"i"}"#,
        );
        let b = fast(
            r#"{"id":"i","eventTime":"t","initiator":{"name":"n","host":{"address":"1.2.3.4"}},"action":"a"}"#,
        );
        assert_eq!(a, b);
        assert_eq!(str_of(&a.id), Some("i"));
    }

    #[test]
    fn pretty_printed_records_read_the_same() {
        let top = fast(" {\n  \"action\" : \"a\" ,\r\n\t\"x\": [ 1 , { } , [ ] ],\n  \"data\": { \"result\" : \"failure\" }\n} \n");
        assert_eq!(str_of(&top.action), Some("a"));
        let data = top.data.0.as_ref().unwrap();
        assert_eq!(str_of(&data.result), Some("failure"));
    }

    #[test]
    fn escapes_and_unicode_escapes_in_kept_strings_are_decoded() {
        let top =
            fast(r#"{"action":"a\"b\\c\/d\u00e9\n","_line":"{\"id\":1}","id":"\ud83d\ude00"}"#);
        assert_eq!(str_of(&top.action), Some("a\"b\\c/d\u{e9}\n"));
        assert_eq!(str_of(&top.line), Some(r#"{"id":1}"#));
        assert_eq!(str_of(&top.id), Some("\u{1F600}"));
    }

    #[test]
    fn lone_surrogate_declines_where_kept_and_reads_where_skipped() {
        let kept = r#"{"action":"\ud800"}"#;
        declines(kept.as_bytes());
        assert!(serde_json::from_str::<Top<'_>>(kept).is_err());
        let skipped = fast(r#"{"message":"\ud800","action":"a"}"#);
        assert_eq!(str_of(&skipped.action), Some("a"));
    }

    #[test]
    fn strings_holding_braces_and_quotes_and_nested_values_are_skipped_whole() {
        let top = fast(
            r#"{"message":"}{\"][,:","nested":{"a":[1,{"b":"}"}],"action":"no","c":{}},"arr":[[],[{}],"]"],"action":"yes"}"#,
        );
        assert_eq!(str_of(&top.action), Some("yes"));
    }

    #[test]
    fn known_keys_given_twice_decline_as_serde_rejects_them() {
        for json in [
            r#"{"action":"a","action":"b"}"#,
            r#"{"action":null,"action":"b"}"#,
            r#"{"initiator":{"name":"a","name":"b"}}"#,
            r#"{"requestData":null,"requestData":{}}"#,
        ] {
            declines(json.as_bytes());
            assert!(serde_json::from_str::<Top<'_>>(json).is_err(), "{json}");
        }
        // Unknown keys may repeat.
        let top = fast(r#"{"x":1,"x":{"y":2,"y":3},"action":"a"}"#);
        assert_eq!(str_of(&top.action), Some("a"));
    }

    #[test]
    fn null_objects_arrays_and_scalars_where_keys_are_kept() {
        let top = fast(
            r#"{"action":null,"outcome":{"a":1},"id":[1,2],"initiator":[1],"target":"t","data":null,"requestData":null,"payload":[ 1 ],"time":1709286374487,"_ts":-1.5e3,"indexed_at":"9","_lid":true}"#,
        );
        assert_eq!(top.action, None);
        assert_eq!(top.outcome, Some(Text::Absent));
        assert_eq!(top.id, Some(Text::Absent));
        assert_eq!(
            (&top.initiator.0, &top.target.0, &top.data.0),
            (&None, &None, &None)
        );
        assert_eq!((top.request_data, top.payload), (None, Some(Raw("[ 1 ]"))));
        assert_eq!(top.time, Some(Text::Num(1_709_286_374_487.0)));
        assert_eq!(top.ts, Some(Text::Num(-1500.0)));
        assert_eq!(str_of(&top.indexed_at), Some("9"));
        assert_eq!(top.lid, Some(Text::Bool(true)));
    }

    #[test]
    fn declines_what_it_might_read_differently() {
        // serde_json decodes escapes in keys: this is the key `action`.
        let escaped_key = r#"{"act\u0069on":"x"}"#;
        declines(escaped_key.as_bytes());
        let top = serde_json::from_str::<Top<'_>>(escaped_key).unwrap();
        assert_eq!(str_of(&top.action), Some("x"));
        // serde_json reads an array as the struct's fields in order.
        declines(br#"["i"]"#);
        let top = serde_json::from_str::<Top<'_>>(r#"["i"]"#).unwrap();
        assert_eq!(str_of(&top.id), Some("i"));
        // Invalid UTF-8 (serde_json accepts it in a skipped string), a kept object given as a
        // number that is not a plain integer, and nesting deeper than MAX_DEPTH.
        declines(b"{\"message\":\"\xff\",\"action\":\"a\"}");
        declines(br#"{"initiator":1.5}"#);
        let deep = format!("{{\"x\":{}1{}}}", "[".repeat(70), "]".repeat(70));
        declines(deep.as_bytes());
        assert!(serde_json::from_str::<Top<'_>>(&deep).is_ok());
    }

    #[test]
    fn declines_broken_json_which_serde_reports() {
        for json in [
            "",
            r#"{"action":"a""#,
            r#"{"action":"a",}"#,
            r#"{"action" "a"}"#,
            r#"{"action":"a"} x"#,
            "{\"action\":\"a\tb\"}",
            r#"{"x":[1,2,],"action":"a"}"#,
            r#"{"x":tru,"action":"a"}"#,
            r#"{"x":"\q"}"#,
            r#"{"x":"\u12G4"}"#,
            r#"{"x":01}"#,
            r#"{"x":-}"#,
            r#"{"x":1.}"#,
            r#"{"x":1e}"#,
            r#"{"time":1e400}"#,
            r#"{"x":{"a" 1}}"#,
            r#"{"x":{1:2}}"#,
        ] {
            declines(json.as_bytes());
            assert!(serde_json::from_str::<Top<'_>>(json).is_err(), "{json}");
        }
    }

    #[test]
    fn flattened_verify_fields_read_the_same_as_serde() {
        let json = r#"{"country_iso_code":"IN","location":{"lon":"88.3","lat":"22.5"},"result":"success","subtype":"saml","event_type":"sso"}"#;
        let mut data = Data::default();
        read(json.as_bytes(), &mut data).unwrap();
        assert_eq!(data, serde_json::from_str::<Data<'_>>(json).unwrap());
        assert_eq!(str_of(&data.subtype), Some("saml"));
        let mut geo = GeoIp::default();
        read(json.as_bytes(), &mut geo).unwrap();
        assert_eq!(geo, serde_json::from_str::<GeoIp<'_>>(json).unwrap());
        assert_eq!(str_of(&geo.location.0.unwrap().lat), Some("22.5"));
    }

    #[test]
    fn login_request_data_reads_the_client_id() {
        let mut request = LoginRequest::default();
        read(br#"{"grant_type":"apikey","client_id":"bx"}"#, &mut request).unwrap();
        assert_eq!(str_of(&request.client_id), Some("bx"));
    }

    #[test]
    fn every_generated_record_takes_the_fast_path() {
        let mut text = Vec::new();
        crate::generate::generate(
            &crate::generate::Options {
                bytes: 300_000,
                ..Default::default()
            },
            &mut text,
        )
        .unwrap();
        for line in text.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            assert!(both(line).is_some(), "{}", String::from_utf8_lossy(line));
        }
    }

    fn key() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "id",
            "action",
            "eventTime",
            "outcome",
            "initiator",
            "name",
            "host",
            "address",
            "target",
            "data",
            "geoip",
            "location",
            "lat",
            "requestData",
            "payload",
            "_source",
            "_line",
            "time",
            "x",
            "message",
            "result",
            "username",
        ])
    }

    fn value() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("null".to_owned()),
            Just("true".to_owned()),
            Just("false".to_owned()),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            any::<f64>().prop_map(|f| serde_json::to_string(&f).unwrap()),
            "[ -~\u{e9}\u{3a9}\u{1F600}\t\n]{0,12}"
                .prop_map(|s| serde_json::to_string(&s).unwrap()),
            Just(r#""a\"b\\c\/\b\f\n\r\t\u00e9\ud83d\ude00""#.to_owned()),
            Just(r#""}{][,:""#.to_owned()),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|v| format!("[{}]", v.join(","))),
                prop::collection::vec((key(), inner), 0..4).prop_map(|kv| {
                    let members: Vec<String> =
                        kv.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                    format!("{{{}}}", members.join(","))
                }),
            ]
        })
    }

    fn record() -> impl Strategy<Value = String> {
        prop::collection::vec((key(), value()), 0..8).prop_map(|kv| {
            let members: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
            format!("{{{}}}", members.join(", "))
        })
    }

    proptest! {
        /// Whatever the scanner reads, serde_json reads the same, also with one byte changed.
        #[test]
        fn agrees_with_serde(json in record(), at in any::<prop::sample::Index>(), byte in any::<u8>(), how in 0..3u8) {
            both(json.as_bytes());
            let mut changed = json.into_bytes();
            let i = at.index(changed.len() + 1);
            match how {
                0 => changed.insert(i, byte),
                1 if i < changed.len() => { changed.remove(i); }
                _ if i < changed.len() => changed[i] = byte,
                _ => {}
            }
            both(&changed);
        }
    }
}
