//! The built-in dependency checks of `health-core` against real servers
//! live in `tests/dependencies`; this crate has no code of its own.
