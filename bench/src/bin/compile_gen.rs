//! Writes the workspace of the compile-time benchmark (see
//! `scripts/compile-bench.sh`).
//!
//! ```text
//! compile-gen <output dir> <path to health-core> [checks = 100]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use health_bench::compile_gen::write_workspace;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (out, health_core, checks) = match args.as_slice() {
        [out, core] => (out, core, Ok(100)),
        [out, core, n] => (out, core, n.parse::<usize>()),
        _ => {
            eprintln!("usage: compile-gen <output dir> <path to health-core> [checks = 100]");
            return ExitCode::from(2);
        }
    };
    let Ok(checks) = checks else {
        eprintln!("compile-gen: the number of checks must be a number");
        return ExitCode::from(2);
    };
    let health_core = match PathBuf::from(health_core).canonicalize() {
        Ok(path) => path,
        Err(e) => {
            eprintln!("compile-gen: {health_core}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match write_workspace(&PathBuf::from(out), &health_core, checks) {
        Ok(()) => {
            println!("wrote {checks} checks to {out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("compile-gen: {out}: {e}");
            ExitCode::FAILURE
        }
    }
}
