//! What the suites of this crate and its `hostile-client` share.

/// Raises this process's soft limit on open descriptors to its hard limit,
/// and says so when even that cannot hold `needed` more (a flood of
/// connections, each a descriptor on either side).
pub fn raise_descriptor_limit(needed: usize) -> Result<(), String> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write `limit`.
    let raised = unsafe {
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit) == 0
        }
    };
    // What the process has open besides: the test harness, other tests.
    let headroom = 4096;
    match raised && limit.rlim_cur >= (needed + headroom) as libc::rlim_t {
        true => Ok(()),
        false => Err(format!(
            "{needed} connections need {needed} + {headroom} descriptors; the hard limit is {} (raise it: ulimit -Hn)",
            limit.rlim_max
        )),
    }
}
