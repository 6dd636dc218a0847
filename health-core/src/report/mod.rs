//! Reports and history: the answer to one probe ([`probe`]), the deep
//! diagnostics ([`deep`]) with facts about the process ([`process`]), the
//! typed reports `#[derive(HealthReport)]` implements ([`derived`]), what a
//! registry remembers ([`history`]) and the changes it announces
//! ([`transition`]), and their JSON bodies ([`json`]), the one format
//! every transport shares.

pub(crate) mod deep;
pub(crate) mod derived;
pub mod history;
pub(crate) mod json;
pub(crate) mod probe;
pub(crate) mod process;
pub(crate) mod transition;
