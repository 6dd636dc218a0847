//! A server's user-space instructions over a window of requests, counted by
//! callgrind: the steady measure of CPU per request on a shared machine,
//! where timings move by tens of percent between runs and instruction
//! counts do not (the same binary and load give the same count within a
//! fraction of a percent, whatever else the machine does).
//!
//! The server runs under `valgrind --tool=callgrind`; [`Counted::zero`]
//! clears its counters (`callgrind_control --zero`) once it is warm, and
//! [`Counted::instructions`] dumps them (`callgrind_control --dump`) and
//! reads the total. Kernel time (the socket calls) is not counted: it is
//! the same for every variant answering the same bytes.

use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

/// Whether `valgrind` and `callgrind_control` are installed.
pub fn available() -> bool {
    ["valgrind", "callgrind_control"].iter().all(|tool| {
        Command::new(tool)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    })
}

/// A process running under callgrind; killed when dropped.
#[derive(Debug)]
pub struct Counted {
    child: Child,
    /// Where callgrind writes; a dump goes to this path with `.1` appended.
    out: PathBuf,
}

impl Counted {
    /// Starts `program args` under callgrind, writing its counts next to
    /// `out`; returns it and its piped standard output.
    pub fn start(program: &Path, args: &[&str], out: PathBuf) -> Result<(Counted, ChildStdout), String> {
        let _ = std::fs::remove_file(dump_of(&out));
        let mut child = Command::new("valgrind")
            .arg("--tool=callgrind")
            .arg(format!("--callgrind-out-file={}", out.display()))
            .arg(program)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start valgrind: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        Ok((Counted { child, out }, stdout))
    }

    /// Zeroes the counters: what follows is what [`Counted::instructions`]
    /// returns.
    pub fn zero(&self) -> Result<(), String> {
        self.control("--zero")
    }

    /// The instructions executed since [`Counted::zero`].
    pub fn instructions(&self) -> Result<u64, String> {
        self.control("--dump")?;
        let dump = dump_of(&self.out);
        let text = std::fs::read_to_string(&dump).map_err(|e| format!("{}: {e}", dump.display()))?;
        text.lines()
            .find_map(|line| line.strip_prefix("totals:"))
            .and_then(|total| total.split_whitespace().next()?.parse().ok())
            .ok_or_else(|| format!("{}: no `totals:` line", dump.display()))
    }

    fn control(&self, action: &str) -> Result<(), String> {
        let output = Command::new("callgrind_control")
            .arg(action)
            .arg(self.child.id().to_string())
            .output()
            .map_err(|e| format!("callgrind_control: {e}"))?;
        let said = String::from_utf8_lossy(&output.stdout);
        if output.status.success() && said.contains("OK") {
            Ok(())
        } else {
            Err(format!("callgrind_control {action}: {said}"))
        }
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The file `callgrind_control --dump` writes for output file `out`.
fn dump_of(out: &Path) -> PathBuf {
    let mut dump = out.as_os_str().to_owned();
    dump.push(".1");
    PathBuf::from(dump)
}
