//! What the figures were measured on.

use serde_json::{json, Value};
use std::fs;

fn first_value(text: &str, key: &str) -> Option<String> {
    text.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
}

/// CPU model, cores, RAM and OS from /proc and /etc/os-release (Linux); "unknown" elsewhere.
pub fn describe() -> Value {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let os = fs::read_to_string("/etc/os-release").unwrap_or_default();
    let ram_bytes = first_value(&meminfo, "MemTotal")
        .and_then(|v| v.trim_end_matches(" kB").parse::<u64>().ok())
        .map(|kb| kb * 1024);
    json!({
        "cpu": first_value(&cpuinfo, "model name").unwrap_or_else(|| "unknown".into()),
        "cores": std::thread::available_parallelism().map_or(1, |n| n.get()),
        "ram_bytes": ram_bytes,
        "os": os.lines().find_map(|l| l.strip_prefix("PRETTY_NAME=")).map(|v| v.trim_matches('"').to_string()),
        "arch": std::env::consts::ARCH,
    })
}

/// One line of what [`describe`] found.
pub fn line(m: &Value) -> String {
    format!(
        "{}, {} cores, {:.1} GiB RAM, {}",
        m["cpu"].as_str().unwrap_or("?"),
        m["cores"],
        m["ram_bytes"].as_f64().unwrap_or(0.0) / (1u64 << 30) as f64,
        m["os"].as_str().unwrap_or("?")
    )
}
