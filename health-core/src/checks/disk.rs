//! Free disk space (feature `system`): fails when the file system holding a
//! path has less free space than a limit, in bytes or percent.
//!
//! `statvfs(2)` can block (a hung network file system), so it runs on
//! tokio's blocking pool; the runtime's deadline still bounds the check.
//! Free space is what an unprivileged process may use (`f_bavail`).
//!
//! Details: `path`, `free_bytes`, `total_bytes`, `free_percent`.
//!
//! ```
//! use health_core::checks::disk::{self, DiskSpaceCheck};
//! use health_core::prelude::*;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let outcome = disk::check("/", 0, 0.0).await;
//! assert!(outcome.is_pass());
//! assert!(outcome.details().get("free_bytes").is_some());
//!
//! let health = Health::builder(())
//!     .check(DiskSpaceCheck::new("data_volume", "/").min_free_bytes(1 << 20).min_free_percent(1.0))
//!     .build()
//!     .unwrap();
//! # let _ = health.readiness().await;
//! # }
//! ```

use std::borrow::Cow;
use std::io;
use std::path::{Path, PathBuf};

use crate::checks::builtin_check;
use crate::model::outcome::CheckOutcome;
use crate::model::spec::CheckSpec;

/// Space of the file system holding a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskSpace {
    /// Bytes an unprivileged process may still write.
    pub free_bytes: u64,
    /// Size of the file system in bytes.
    pub total_bytes: u64,
}

impl DiskSpace {
    /// Free space in percent of the total (0 for an empty file system).
    pub fn free_percent(&self) -> f64 {
        if self.total_bytes == 0 {
            return 0.0;
        }
        self.free_bytes as f64 * 100.0 / self.total_bytes as f64
    }
}

/// Reads the space of the file system holding `path` (on the blocking pool).
pub async fn space(path: impl Into<PathBuf>) -> io::Result<DiskSpace> {
    let path = path.into();
    tokio::task::spawn_blocking(move || statvfs(&path))
        .await
        .unwrap_or_else(|e| Err(io::Error::other(e)))
}

#[cfg(unix)]
fn statvfs(path: &Path) -> io::Result<DiskSpace> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;

    let c_path = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains a NUL byte"))?;
    let mut stat = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `c_path` is a valid NUL-terminated string and `stat` points to
    // writable memory of the right type; statvfs fills it when it returns 0.
    let stat = unsafe {
        if libc::statvfs(c_path.as_ptr(), stat.as_mut_ptr()) != 0 {
            return Err(io::Error::last_os_error());
        }
        stat.assume_init()
    };
    let fragment = stat.f_frsize as u64;
    Ok(DiskSpace {
        free_bytes: (stat.f_bavail as u64).saturating_mul(fragment),
        total_bytes: (stat.f_blocks as u64).saturating_mul(fragment),
    })
}

#[cfg(not(unix))]
fn statvfs(_path: &Path) -> io::Result<DiskSpace> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "disk space is only read on unix platforms",
    ))
}

/// Passes while the file system holding `path` has at least
/// `min_free_bytes` and at least `min_free_percent` percent free (0
/// disables a limit).
pub async fn check(path: impl AsRef<Path>, min_free_bytes: u64, min_free_percent: f64) -> CheckOutcome {
    let path = path.as_ref();
    let shown = path.display().to_string();
    let space = match space(path).await {
        Ok(space) => space,
        Err(e) => return CheckOutcome::fail(format_args!("disk {shown}: {e}")).with_detail("path", shown),
    };
    let percent = space.free_percent();
    let outcome = if space.free_bytes < min_free_bytes {
        CheckOutcome::fail(format_args!(
            "disk {shown}: {} bytes free, below the limit of {min_free_bytes}",
            space.free_bytes
        ))
    } else if percent < min_free_percent {
        CheckOutcome::fail(format_args!(
            "disk {shown}: {percent:.1}% free, below the limit of {min_free_percent}%"
        ))
    } else {
        CheckOutcome::pass()
    };
    outcome
        .with_detail("path", shown)
        .with_detail("free_bytes", space.free_bytes)
        .with_detail("total_bytes", space.total_bytes)
        .with_detail("free_percent", (percent * 10.0).round() / 10.0)
}

/// A [`Check`](crate::Check) on the free space of a file system (see
/// [`check`]); a non-critical readiness check with a 1 s deadline and no
/// limit unless adjusted.
#[derive(Debug, Clone)]
pub struct DiskSpaceCheck {
    spec: CheckSpec,
    path: PathBuf,
    min_free_bytes: u64,
    min_free_percent: f64,
}

impl DiskSpaceCheck {
    /// A check called `name` on the file system holding `path`.
    pub fn new(name: impl Into<Cow<'static, str>>, path: impl Into<PathBuf>) -> DiskSpaceCheck {
        DiskSpaceCheck {
            spec: CheckSpec::with_name(name.into()),
            path: path.into(),
            min_free_bytes: 0,
            min_free_percent: 0.0,
        }
    }

    /// Fails below `bytes` free.
    #[must_use]
    pub fn min_free_bytes(mut self, bytes: u64) -> Self {
        self.min_free_bytes = bytes;
        self
    }

    /// Fails below `percent` percent free.
    #[must_use]
    pub fn min_free_percent(mut self, percent: f64) -> Self {
        self.min_free_percent = percent;
        self
    }
}

builtin_check!(DiskSpaceCheck, |this| check(
    &this.path,
    this.min_free_bytes,
    this.min_free_percent
));

#[cfg(test)]
mod tests {
    use super::{check, space};

    #[tokio::test]
    async fn reads_the_root_file_system() {
        let space = space("/").await.unwrap();
        assert!(space.total_bytes > 0 && space.free_bytes <= space.total_bytes);
        assert!((0.0..=100.0).contains(&space.free_percent()));
    }

    #[tokio::test]
    async fn limits_above_the_free_space_fail() {
        let outcome = check("/", u64::MAX, 0.0).await;
        assert!(outcome.message().unwrap().contains("below the limit"), "{outcome:?}");
        let outcome = check("/", 0, 100.1).await;
        assert!(outcome.message().unwrap().contains("% free"), "{outcome:?}");
        assert!(check("/", 0, 0.0).await.is_pass());
    }

    #[tokio::test]
    async fn a_missing_path_fails_with_the_os_error() {
        let outcome = check("/definitely/not/here", 0, 0.0).await;
        assert!(outcome.message().unwrap().contains("No such file"), "{outcome:?}");
    }
}
