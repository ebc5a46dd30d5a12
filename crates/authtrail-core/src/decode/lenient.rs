//! Field types that accept the type drift seen in exports: `"200"` or `200`, `"true"` or `true`,
//! `null` for absent, and an object or array where a string was expected (ignored, not an error).

use serde::de::{
    self, value::MapAccessDeserializer, Deserialize, Deserializer, IgnoredAny, MapAccess,
    SeqAccess, Visitor,
};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// A scalar of any JSON type.
#[derive(Debug, Clone, PartialEq)]
pub enum Text<'a> {
    Str(Cow<'a, str>),
    Num(f64),
    Bool(bool),
    /// `null`, an object or an array.
    Absent,
}

impl<'a> Text<'a> {
    /// The value as text; numbers and booleans as JSON writes them; `None` when absent or blank.
    pub fn text(&self) -> Option<Cow<'a, str>> {
        match self {
            Text::Str(s) if is_blank(s) => None,
            Text::Str(s) => Some(s.clone()),
            Text::Num(n) => Some(Cow::Owned(fmt_num(*n))),
            Text::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            Text::Absent => None,
        }
    }
    /// The value as a trimmed string, also when blank (`""` is a meaningful MFA level).
    pub fn raw_str(&self) -> Option<&str> {
        match self {
            Text::Str(s) => Some(s.trim()),
            _ => None,
        }
    }
    pub fn number(&self) -> Option<f64> {
        match self {
            Text::Num(n) => Some(*n),
            Text::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
    pub fn flag(&self) -> Option<bool> {
        match self {
            Text::Bool(b) => Some(*b),
            Text::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "1" => Some(true),
                "false" | "no" | "off" | "0" => Some(false),
                _ => None,
            },
            Text::Num(n) => Some(*n != 0.0),
            Text::Absent => None,
        }
    }
    /// A timestamp: ISO-8601 text or an epoch number in s, ms or us.
    pub fn time(&self) -> Option<i64> {
        match self {
            Text::Num(n) => crate::time::from_epoch(*n),
            Text::Str(s) => crate::time::parse_any(s),
            _ => None,
        }
    }
}

/// Whether `s` is empty or only whitespace (`str::trim`'s notion); most values start with a
/// printable ASCII byte, which answers at once.
fn is_blank(s: &str) -> bool {
    match s.as_bytes().first() {
        Some(b) if b.is_ascii_graphic() => false,
        _ => s.trim().is_empty(),
    }
}

fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text::Str(Cow::Owned(v)))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Text::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Text::Num(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Text::Num(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Text::Num(v))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Text::Absent)
            }
            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok(Text::Absent)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Text::Absent)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Text::Absent)
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// An object of type `T` when the field holds an object; anything else is read as absent.
#[derive(Debug, Clone, PartialEq)]
pub struct Obj<T>(pub Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Obj<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<Self::Value, A::Error> {
                T::deserialize(MapAccessDeserializer::new(m)).map(|t| Obj(Some(t)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Obj(None))
            }
            fn visit_borrowed_str<E: de::Error>(self, _: &'de str) -> Result<Self::Value, E> {
                Ok(Obj(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Obj(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Obj(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Obj(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Obj(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Obj(None))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Obj(None))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A JSON value kept as its text, borrowed from the record (serde_json's `RawValue`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Raw<'a>(pub &'a str);

impl<'a> Raw<'a> {
    pub fn get(self) -> &'a str {
        self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Raw<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <&'de RawValue>::deserialize(d).map(|r| Raw(r.get()))
    }
}

/// Shorthand for an optional lenient scalar.
pub fn text<'a>(t: &Option<Text<'a>>) -> Option<Cow<'a, str>> {
    t.as_ref().and_then(Text::text)
}
