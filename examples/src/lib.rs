//! Runnable examples live next to this file; see `Cargo.toml`.
