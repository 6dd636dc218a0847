//! The figures a scenario measured: printed (visible with `--nocapture`)
//! and written as a Markdown table to `target/tmp/tests-lb/{scenario}.md`.

use std::fmt::Display;
use std::time::Duration;

/// A scenario's figures, in the order measured.
pub struct Figures {
    scenario: &'static str,
    rows: Vec<(String, String)>,
}

impl Figures {
    /// An empty table for `scenario` (also the file's name).
    pub fn new(scenario: &'static str) -> Figures {
        Figures {
            scenario,
            rows: Vec::new(),
        }
    }

    /// Adds a row.
    pub fn add(&mut self, figure: impl Into<String>, value: impl Display) {
        self.rows.push((figure.into(), value.to_string()));
    }

    /// Prints the table and writes it to its file.
    pub fn publish(&self) {
        let mut table = format!("### {}\n\n| figure | value |\n|---|---|\n", self.scenario);
        for (figure, value) in &self.rows {
            table.push_str(&format!("| {figure} | {value} |\n"));
        }
        println!("\n{table}");
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("tests-lb");
        let file = dir.join(format!("{}.md", self.scenario));
        if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&file, &table)) {
            eprintln!("cannot write {}: {e}", file.display());
        }
    }
}

/// A duration as seconds with two decimals: `1.53 s`.
pub fn secs(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}
