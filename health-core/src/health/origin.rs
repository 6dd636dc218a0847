//! Where a check of a registry comes from, so errors can point at it.

use std::fmt;

/// The source of a check: an annotated function, or a value added at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A `#[health_check]` function, by its path (`app::checks::primary_db`).
    Function(&'static str),
    /// A value added with `HealthBuilder::check`, by its type.
    Added(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Function(path) => write!(f, "`#[health_check] fn {path}`"),
            Origin::Added(type_name) => write!(f, "`{type_name}` (added with `.check()`)"),
        }
    }
}
