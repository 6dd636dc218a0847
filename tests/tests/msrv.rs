//! The minimum Rust versions the workspace declares are true: no dependency
//! of a package (or of a `health-core` feature) declares a newer one, and
//! each feature's declared version (`[package.metadata.feature-rust-version]`
//! of `health-core`) is exactly what its dependencies need. A dependency
//! that declares no `rust-version` cannot be compared: the README's table
//! names those of each row as not declared, and this checks that list too.
//!
//! Only one toolchain can be had on the machines this runs on, so this
//! compares declarations; clippy's `incompatible_msrv` lint (CI runs clippy
//! with `-D warnings`) catches standard-library items newer than a crate's
//! `rust-version` in our own code.

use std::collections::{BTreeMap, BTreeSet};
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

/// What the normal dependencies of `package` built with `features`
/// (`None`: default features) declare.
struct Needed {
    /// The newest `rust-version` declared, and who declares it.
    newest: (Version, String),
    /// The dependencies (by name) that declare none: what they need is not
    /// known, so no figure can be checked against them.
    undeclared: BTreeSet<String>,
}

fn needed(package: &str, features: Option<&str>, declared: &BTreeMap<String, Option<Version>>) -> Needed {
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
    let mut newest = ((1, 0), "nothing".to_owned());
    let mut undeclared = BTreeSet::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let key = line.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
        match declared.get(&key) {
            Some(Some(version)) => newest = newest.max((*version, key)),
            Some(None) if !key.starts_with(&format!("{package} ")) => {
                undeclared.insert(key.split(' ').next().unwrap_or_default().to_owned());
            }
            _ => {}
        }
    }
    Needed { newest, undeclared }
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
        let (need, by) = needed(name, None, &declared).newest;
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
    let (need, by) = needed("health-core", None, &declared).newest;
    assert_eq!(base, need, "health-core's default features need {need:?} ({by})");
    let per_feature = &core["metadata"]["feature-rust-version"];
    for feature in core["features"].as_object().unwrap().keys() {
        if feature == "all-checks" || feature == "default" {
            continue;
        }
        let (need, by) = needed("health-core", Some(feature), &declared).newest;
        let stated = per_feature[feature].as_str().map_or(base, parse);
        assert_eq!(
            stated, need,
            "feature `{feature}`: declared {stated:?}, its dependencies need {need:?} ({by}); \
             update [package.metadata.feature-rust-version] and the README"
        );
    }
}

/// The rows of the README's table of minimum Rust versions: the features
/// a row names (`default` for "default features"), its version, and the
/// dependencies it says declare none.
fn readme_rows() -> Vec<(Vec<String>, String, BTreeSet<String>)> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let table = readme
        .split("| features | minimum Rust |")
        .nth(1)
        .expect("README.md has the table of minimum Rust versions");
    table
        .lines()
        .skip(2) // the rest of the header line, and the separator
        .take_while(|line| line.starts_with('|'))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            assert_eq!(cells.len(), 3, "README.md: a row of three cells: {line:?}");
            let features = match cells[0] {
                "default features" => vec!["default".to_owned()],
                named => named.split(", ").map(|f| f.trim_matches('`').to_owned()).collect(),
            };
            let undeclared = match cells[2] {
                "none" => BTreeSet::new(),
                named => named.split(", ").map(|d| d.trim_matches('`').to_owned()).collect(),
            };
            (features, cells[1].to_owned(), undeclared)
        })
        .collect()
}

#[test]
fn the_readme_states_the_declared_versions_and_what_declares_none() {
    let metadata = metadata();
    let declared = declared_versions(&metadata);
    let core = package(&metadata, "health-core");
    let base = core["rust_version"].as_str().unwrap();
    let per_feature = &core["metadata"]["feature-rust-version"];
    let rows = readme_rows();
    let mut named = BTreeSet::new();
    for (features, version, undeclared) in &rows {
        let mut need_undeclared = BTreeSet::new();
        for feature in features {
            assert!(named.insert(feature.clone()), "README.md names `{feature}` twice");
            let stated = per_feature[feature.as_str()].as_str().unwrap_or(base);
            assert_eq!(version, stated, "README.md: the row of `{feature}`");
            let selected = (feature != "default").then_some(feature.as_str());
            need_undeclared.extend(needed("health-core", selected, &declared).undeclared);
        }
        assert_eq!(
            undeclared, &need_undeclared,
            "README.md: the dependencies of {features:?} that declare no rust-version (\"not declared\")"
        );
    }
    let features = core["features"].as_object().unwrap();
    let default = &features["default"];
    for feature in features.keys() {
        let by_default = default.as_array().unwrap().iter().any(|f| f == feature.as_str());
        if feature != "all-checks" && !by_default {
            assert!(named.contains(feature), "README.md has no row for `{feature}`");
        }
    }
}
