//! Scenarios embedded in the binary, so `ludd run loom` works from any directory.

/// Name and RON text of every built-in scenario.
pub const BUILTIN: &[(&str, &str)] = &[
    ("loom", include_str!("../../scenarios/loom.ron")),
    (
        "assembly_line",
        include_str!("../../scenarios/assembly_line.ron"),
    ),
    ("pc", include_str!("../../scenarios/pc.ron")),
    ("llm", include_str!("../../scenarios/llm.ron")),
];

pub fn builtin(name: &str) -> Option<&'static str> {
    BUILTIN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(n, _)| *n).collect()
}
