//! The minimum Rust versions the workspace declares are true: no dependency
//! of a package (or of a `health-core` feature) declares a newer one, and
//! each feature's declared version (`[package.metadata.feature-rust-version]`
//! of `health-core`) is exactly what its dependencies need.
//!
//! Only one toolchain can be had on the machines this runs on, so this
//! compares declarations; clippy's `incompatible_msrv` lint (CI runs clippy
//! with `-D warnings`) catches standard-library items newer than a crate's
//! `rust-version` in our own code.

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::Value;

/// A Rust version as `(major, minor)`.
type Version = (u32, u32);

fn parse(version: &str) -> Version {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().expect("numeric version"));
    (parts.next().unwrap(), parts.next().unwrap_or(0))
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

fn metadata() -> Value {
    let output = cargo()
        .args(["metadata", "--format-version", "1", "--offline"])
        .output()
        .expect("run cargo metadata");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("metadata is JSON")
}

/// The `rust-version` of every package, by `name version`.
fn declared_versions(metadata: &Value) -> BTreeMap<String, Option<Version>> {
    metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let key = format!("{} v{}", p["name"].as_str().unwrap(), p["version"].as_str().unwrap());
            (key, p["rust_version"].as_str().map(parse))
        })
        .collect()
}

/// The newest `rust-version` among the normal dependencies of `package`
/// built with `features` (`None`: default features), and who declares it.
fn needed(package: &str, features: Option<&str>, declared: &BTreeMap<String, Option<Version>>) -> (Version, String) {
    let mut command = cargo();
    command.args([
        "tree",
        "--offline",
        "-e",
        "normal",
        "--prefix",
        "none",
        "--format",
        "{p}",
        "-p",
        package,
    ]);
    if let Some(features) = features {
        command.args(["--features", features]);
    }
    let output = command.output().expect("run cargo tree");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let key = line.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
            let version = (*declared.get(&key)?)?;
            Some((version, key))
        })
        .max()
        .unwrap_or(((1, 0), "nothing".into()))
}

fn package<'a>(metadata: &'a Value, name: &str) -> &'a Value {
    metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no package {name}"))
}

#[test]
fn every_workspace_package_declares_at_least_what_its_dependencies_need() {
    let metadata = metadata();
    let declared = declared_versions(&metadata);
    for member in metadata["workspace_members"].as_array().unwrap() {
        let id = member.as_str().unwrap();
        let pkg = metadata["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap();
        let name = pkg["name"].as_str().unwrap();
        let (need, by) = needed(name, None, &declared);
        let own = pkg["rust_version"].as_str().map(parse);
        if own.is_none() && by == "nothing" {
            continue; // test-only crates: no dependency to build
        }
        assert!(
            own.is_some_and(|own| own >= need),
            "{name} declares rust-version {own:?}, but {by} needs {need:?}"
        );
    }
}

#[test]
fn each_health_core_feature_declares_exactly_what_it_needs() {
    let metadata = metadata();
    let declared = declared_versions(&metadata);
    let core = package(&metadata, "health-core");
    let base = parse(
        core["rust_version"]
            .as_str()
            .expect("health-core declares rust-version"),
    );
    let (need, by) = needed("health-core", None, &declared);
    assert_eq!(base, need, "health-core's default features need {need:?} ({by})");
    let per_feature = &core["metadata"]["feature-rust-version"];
    for feature in core["features"].as_object().unwrap().keys() {
        if feature == "all-checks" || feature == "default" {
            continue;
        }
        let (need, by) = needed("health-core", Some(feature), &declared);
        let stated = per_feature[feature].as_str().map_or(base, parse);
        assert_eq!(
            stated, need,
            "feature `{feature}`: declared {stated:?}, its dependencies need {need:?} ({by}); \
             update [package.metadata.feature-rust-version] and the README"
        );
    }
}

#[test]
fn the_readme_states_the_declared_versions() {
    let metadata = metadata();
    let core = package(&metadata, "health-core");
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let base = core["rust_version"].as_str().unwrap();
    let mut rows = vec![format!("| default features | {base} |")];
    for (feature, version) in core["metadata"]["feature-rust-version"].as_object().unwrap() {
        rows.push(format!("| `{feature}` | {} |", version.as_str().unwrap()));
    }
    for row in rows {
        assert!(
            readme.lines().any(|line| line == row),
            "README.md lacks the row {row:?}"
        );
    }
}
