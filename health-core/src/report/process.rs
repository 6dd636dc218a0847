//! Facts about the running process.

/// Resident set size of this process in bytes (Linux: `VmRSS` of
/// `/proc/self/status`); `None` where the platform does not tell.
pub(crate) fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_os = "linux")]
    fn a_running_process_has_resident_memory() {
        assert!(super::rss_bytes().unwrap() > 0);
    }
}
