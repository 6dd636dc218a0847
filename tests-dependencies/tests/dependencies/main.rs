//! The built-in dependency checks (`docs/design.md`, "Built-in checks") against the real servers, with
//! the conformance kit between check and server.
//!
//! Each integration runs the same fault matrix ([`matrix::run`]): up, then
//! refused, reset, blackholed and slower than the deadline, each followed by
//! a restore the client must recover from on its own. Servers are found
//! through environment variables ([`servers`]); a missing server fails the
//! test with a message saying how to provide it, never skips it.

mod matrix;
mod servers;

mod deadpool_postgres;
mod mqtt;
mod mysql;
mod nats;
mod postgres;
mod rabbitmq;
mod redaction;
mod redis;
mod sqlite;
mod system;
mod tcp;
