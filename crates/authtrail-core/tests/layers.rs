//! The core's modules stand in layers: each uses only modules of the layers below its own, so the
//! graph of their `use`s is a DAG. Within a folder, the files use one another without a cycle
//! too. Read from the sources: the `crate::` and `super::` paths of each file's code before its
//! first `#[cfg(test)]` line (tests may use anything), comment lines left out.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// The top-level modules of `src/`, from the bottom up. A module may use the modules of the
/// layers before its own, not those of its own layer or after.
const LAYERS: &[&[&str]] = &[
    &["text", "time"],
    &["model"],
    &["diag"],
    &["record"],
    &["collect"],
    &["decode"],
    &["ingest", "store"],
    &["part"],
    &["rules", "export", "summary"],
    &["report", "generate"],
];

/// A source file: its module path (`["decode", "cadf"]`; `[]` for lib.rs) and its code.
struct Source {
    module: Vec<String>,
    file: String,
    code: String,
}

fn sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let file = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let mut module: Vec<String> = file
                .trim_end_matches(".rs")
                .split('/')
                .map(str::to_owned)
                .collect();
            if matches!(module.last().map(String::as_str), Some("mod" | "lib")) {
                module.pop();
            }
            let text = fs::read_to_string(&path).unwrap();
            let code = text
                .lines()
                .take_while(|l| l.trim_end() != "#[cfg(test)]")
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            out.push(Source { module, file, code });
        }
    }
    out.sort_by(|a, b| a.file.cmp(&b.file));
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The paths named at the start of `s` (after `prefix`): `a::b::C`, or a group `{a, b::{c, d}}`.
fn parse(s: &str, prefix: &[String], out: &mut Vec<Vec<String>>) {
    let s = s.trim_start();
    if let Some(group) = s.strip_prefix('{') {
        let (mut depth, mut start) = (0, 0);
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    parse(&group[start..i], prefix, out);
                    return;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    parse(&group[start..i], prefix, out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        return;
    }
    let end = s.find(|c: char| !is_ident(c)).unwrap_or(s.len());
    if end == 0 {
        return;
    }
    let mut path = prefix.to_vec();
    if &s[..end] != "self" {
        path.push(s[..end].to_owned());
    }
    match s[end..].strip_prefix("::") {
        Some(rest) => parse(rest, &path, out),
        None => out.push(path),
    }
}

/// Every path from the crate root the code names through `crate::` or `super::`.
fn paths(source: &Source) -> Vec<Vec<String>> {
    let code = &source.code;
    let mut out = Vec::new();
    for (i, _) in code
        .match_indices("crate::")
        .chain(code.match_indices("super::"))
    {
        if code[..i].ends_with(is_ident) || code[..i].ends_with("super::") {
            continue;
        }
        let mut rest = &code[i..];
        let base = match rest.strip_prefix("crate::") {
            Some(r) => {
                rest = r;
                Vec::new()
            }
            None => {
                let mut ups = 0;
                while let Some(r) = rest.strip_prefix("super::") {
                    rest = r;
                    ups += 1;
                }
                source.module[..source.module.len().saturating_sub(ups)].to_vec()
            }
        };
        parse(rest, &base, &mut out);
    }
    out
}

/// The top-level module a path from the root is in (a name lib.rs re-exports counts as the
/// module it comes from).
fn top(
    path: &[String],
    modules: &BTreeSet<String>,
    reexports: &BTreeMap<String, String>,
) -> Option<String> {
    let first = path.first()?;
    if modules.contains(first) {
        return Some(first.clone());
    }
    reexports.get(first).cloned()
}

#[test]
fn the_core_modules_use_only_the_layers_below_their_own() {
    let sources = sources();
    let lib = sources
        .iter()
        .find(|s| s.module.is_empty())
        .expect("lib.rs");
    let modules: BTreeSet<String> = lib
        .code
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("pub mod ")
                .or(l.trim().strip_prefix("mod "))
        })
        .map(|m| m.trim_end_matches(';').to_owned())
        .collect();
    let layered: BTreeSet<String> = LAYERS
        .iter()
        .flat_map(|l| l.iter().map(|m| m.to_string()))
        .collect();
    assert_eq!(
        modules, layered,
        "every module of lib.rs in one layer of LAYERS"
    );
    let layer = |m: &str| LAYERS.iter().position(|l| l.contains(&m)).unwrap();
    let mut reexports = BTreeMap::new();
    for line in lib.code.lines() {
        if let Some(rest) = line.trim().strip_prefix("pub use ") {
            let mut found = Vec::new();
            parse(rest, &[], &mut found);
            for path in found {
                reexports.insert(path.last().unwrap().clone(), path[0].clone());
            }
        }
    }

    let mut uses = BTreeSet::new();
    let mut wrong = Vec::new();
    for source in sources.iter().filter(|s| !s.module.is_empty()) {
        let own = &source.module[0];
        for path in paths(source) {
            let Some(used) = top(&path, &modules, &reexports) else {
                continue;
            };
            if &used != own {
                uses.insert((own.clone(), used.clone()));
                if layer(&used) >= layer(own) {
                    wrong.push(format!("{} uses {}", source.file, path.join("::")));
                }
            }
        }
    }
    // The reading sees what is there.
    for known in [
        ("ingest", "decode"),
        ("store", "collect"),
        ("part", "store"),
        ("report", "rules"),
    ] {
        assert!(
            uses.contains(&(known.0.to_owned(), known.1.to_owned())),
            "{known:?} not found: {uses:?}"
        );
    }
    assert!(
        wrong.is_empty(),
        "uses of a module not in a layer below:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_files_of_a_folder_use_one_another_without_a_cycle() {
    let sources = sources();
    let files: BTreeSet<Vec<String>> = sources.iter().map(|s| s.module.clone()).collect();
    // Edges between sibling files (a folder's mod.rs is their parent, not a sibling).
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for source in sources
        .iter()
        .filter(|s| s.module.len() == 2 && !s.file.ends_with("mod.rs"))
    {
        for path in paths(source) {
            if path.len() >= 2 && path[0] == source.module[0] && path[1] != source.module[1] {
                let sibling = path[..2].to_vec();
                if files.contains(&sibling) {
                    edges
                        .entry(source.module.clone())
                        .or_default()
                        .insert(sibling);
                }
            }
        }
    }
    let cadf = ["decode".to_owned(), "cadf".to_owned()].to_vec();
    assert!(
        edges
            .get(&cadf)
            .is_some_and(|e| e.contains(&["decode".to_owned(), "scan".to_owned()].to_vec())),
        "the reading sees decode/cadf.rs use decode/scan.rs: {edges:?}"
    );
    // Depth-first, each file's state: on the current path (true) or done (false).
    fn visit<'a>(
        file: &'a Vec<String>,
        edges: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        state: &mut BTreeMap<&'a Vec<String>, bool>,
        path: &mut Vec<&'a Vec<String>>,
    ) -> Option<Vec<String>> {
        match state.get(file) {
            Some(true) => {
                let from = path.iter().position(|f| *f == file).unwrap();
                return Some(path[from..].iter().map(|f| f.join("/")).collect());
            }
            Some(false) => return None,
            None => {}
        }
        state.insert(file, true);
        path.push(file);
        for next in edges.get(file).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, state, path) {
                return Some(cycle);
            }
        }
        path.pop();
        state.insert(file, false);
        None
    }
    let mut state = BTreeMap::new();
    for file in edges.keys() {
        if let Some(cycle) = visit(file, &edges, &mut state, &mut Vec::new()) {
            panic!(
                "a cycle between the files of a folder: {}",
                cycle.join(" -> ")
            );
        }
    }
}
