//! Runs the example `prove_your_check` (a `reqwest` check proven through the
//! conformance kit): it fails when the check is not honest under a fault.

#[path = "../prove_your_check.rs"]
mod prove_your_check;

#[test]
fn the_example_check_is_proven_honest() {
    prove_your_check::main().expect("the example's dependency serves on loopback");
}
