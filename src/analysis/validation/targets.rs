//! The targets of `scenarios/targets.csv`, the plausibility checks of
//! `scenarios/checks.csv`, and their parsing: both files have the same
//! columns and become the same `Target`.

use crate::error::{LuddError, Problem, Result};

/// The targets, embedded so that `ludd validate` works from any directory.
pub const TARGETS_CSV: &str = include_str!("../../../scenarios/targets.csv");

/// The plausibility checks, embedded for the same reason.
pub const CHECKS_CSV: &str = include_str!("../../../scenarios/checks.csv");

/// The shortest window `range` accepts: it compares ten-year means, so the
/// window must hold at least one of them.
pub const RANGE_YEARS: f64 = 10.0;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Statistic {
    /// The series at `year_a` (its mean over that year).
    Level,
    /// The series at `year_b` over the series at `year_a`.
    Ratio,
    /// Ratio minus one.
    Growth,
    /// Ratio to the power 1/(year_b - year_a).
    AnnualFactor,
    /// First year the series reaches `threshold`.
    Crossing,
    /// First year the series exceeds `threshold`.
    FirstYearAbove,
    /// Year the detected event (the start of stage 2) happens.
    Date,
    /// The largest annual mean in the years `year_a` to `year_b`.
    Max,
    /// The smallest annual mean in the years `year_a` to `year_b`.
    Min,
    /// The largest minus the smallest mean of ten consecutive annual means
    /// in the years `year_a` to `year_b`.
    Range,
}

impl Statistic {
    fn parse(s: &str) -> Option<Statistic> {
        Some(match s {
            "level" => Statistic::Level,
            "ratio" => Statistic::Ratio,
            "growth" => Statistic::Growth,
            "annual_factor" => Statistic::AnnualFactor,
            "crossing" => Statistic::Crossing,
            "first_year_above" => Statistic::FirstYearAbove,
            "date" => Statistic::Date,
            "max" => Statistic::Max,
            "min" => Statistic::Min,
            "range" => Statistic::Range,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            Statistic::Level => "level",
            Statistic::Ratio => "ratio",
            Statistic::Growth => "growth",
            Statistic::AnnualFactor => "annual_factor",
            Statistic::Crossing => "crossing",
            Statistic::FirstYearAbove => "first_year_above",
            Statistic::Date => "date",
            Statistic::Max => "max",
            Statistic::Min => "min",
            Statistic::Range => "range",
        }
    }

    /// Whether a run that never reaches the event has no statistic: such
    /// runs count at the end year in the spread and outside the band.
    pub fn is_date(self) -> bool {
        matches!(
            self,
            Statistic::Date | Statistic::Crossing | Statistic::FirstYearAbove
        )
    }

    /// Whether the statistic summarizes the years `year_a` to `year_b`.
    fn is_window(self) -> bool {
        matches!(self, Statistic::Max | Statistic::Min | Statistic::Range)
    }
}

#[derive(Clone, Debug)]
pub struct Target {
    pub scenario: String,
    pub id: String,
    pub metric: String,
    pub region: String,
    pub statistic: Statistic,
    pub year_a: Option<f64>,
    pub year_b: Option<f64>,
    pub threshold: Option<f64>,
    pub value: f64,
    pub low: f64,
    pub high: f64,
    pub unit: String,
    pub derivation: String,
    pub source: String,
    pub quality: String,
    /// The file the target was read from, for messages about it.
    pub file: String,
}

/// Splits one CSV line, honouring double-quoted fields.
fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    out.push(field);
    out
}

/// Parses the targets table; every malformed line is reported with its number.
pub fn parse_targets(text: &str, file: &str) -> Result<Vec<Target>> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let header = lines.next().map(|(_, l)| fields(l)).unwrap_or_default();
    let col = |name: &str| header.iter().position(|h| h == name);
    let mut problems = Vec::new();
    let mut targets = Vec::new();
    let names = [
        "scenario",
        "id",
        "metric",
        "region",
        "statistic",
        "year_a",
        "year_b",
        "threshold",
        "value",
        "low",
        "high",
        "unit",
        "derivation",
        "source",
        "quality",
    ];
    let index: Vec<Option<usize>> = names.iter().map(|n| col(n)).collect();
    for (name, i) in names.iter().zip(&index) {
        if i.is_none() {
            problems.push(Problem {
                path: format!("{file}:1"),
                message: format!("missing column '{name}'"),
            });
        }
    }
    if !problems.is_empty() {
        return Err(LuddError::Invalid {
            file: file.into(),
            problems,
        });
    }
    for (n, line) in lines {
        let f = fields(line);
        let at = |k: usize| {
            f.get(index[k].expect("checked above"))
                .map(|s| s.trim())
                .unwrap_or("")
        };
        let place = format!("{file}:{}", n + 1);
        let number = |k: usize, problems: &mut Vec<Problem>| -> Option<f64> {
            let s = at(k);
            if s.is_empty() {
                return None;
            }
            match s.parse::<f64>() {
                Ok(v) if v.is_finite() => Some(v),
                _ => {
                    problems.push(Problem {
                        path: format!("{place} {}", names[k]),
                        message: format!("'{s}' is not a number"),
                    });
                    None
                }
            }
        };
        let Some(statistic) = Statistic::parse(at(4)) else {
            problems.push(Problem {
                path: format!("{place} statistic"),
                message: format!("unknown statistic '{}'", at(4)),
            });
            continue;
        };
        let (year_a, year_b, threshold) = (
            number(5, &mut problems),
            number(6, &mut problems),
            number(7, &mut problems),
        );
        let (value, low, high) = (
            number(8, &mut problems),
            number(9, &mut problems),
            number(10, &mut problems),
        );
        let (Some(value), Some(low), Some(high)) = (value, low, high) else {
            problems.push(Problem {
                path: place.clone(),
                message: "value, low and high are required".into(),
            });
            continue;
        };
        let needs = match statistic {
            Statistic::Level => year_a.is_some(),
            Statistic::Ratio | Statistic::Growth | Statistic::AnnualFactor => {
                year_a.is_some() && year_b.is_some()
            }
            Statistic::Crossing | Statistic::FirstYearAbove => threshold.is_some(),
            Statistic::Date => true,
            Statistic::Max | Statistic::Min | Statistic::Range => {
                year_a.is_some() && year_b.is_some()
            }
        };
        if !needs {
            problems.push(Problem {
                path: place.clone(),
                message: format!(
                    "statistic '{}' lacks its year or threshold",
                    statistic.name()
                ),
            });
            continue;
        }
        if let (true, Some(a), Some(b)) = (statistic.is_window(), year_a, year_b) {
            let shortest = match statistic {
                Statistic::Range => RANGE_YEARS,
                _ => 1.0,
            };
            // The window counts whole years, both ends included.
            if b - a + 1.0 < shortest {
                problems.push(Problem {
                    path: format!("{place} year_b"),
                    message: format!(
                        "statistic '{}' needs a window of at least {shortest} years, \
                         {a} to {b} is shorter",
                        statistic.name()
                    ),
                });
                continue;
            }
        }
        targets.push(Target {
            scenario: at(0).into(),
            id: at(1).into(),
            metric: at(2).into(),
            region: at(3).into(),
            statistic,
            year_a,
            year_b,
            threshold,
            value,
            low,
            high,
            unit: at(11).into(),
            derivation: at(12).into(),
            source: at(13).into(),
            quality: at(14).into(),
            file: file.into(),
        });
    }
    if problems.is_empty() {
        Ok(targets)
    } else {
        Err(LuddError::Invalid {
            file: file.into(),
            problems,
        })
    }
}

/// The built-in targets.
pub fn targets() -> Result<Vec<Target>> {
    parse_targets(TARGETS_CSV, "scenarios/targets.csv")
}

/// The built-in plausibility checks.
pub fn checks() -> Result<Vec<Target>> {
    parse_targets(CHECKS_CSV, "scenarios/checks.csv")
}

/// The scenarios `ludd validate WHICH` checks: every built-in scenario with
/// targets for `all`, else the one named.
pub fn scenarios_to_check(which: &str, targets: &[Target]) -> Vec<String> {
    if which != "all" {
        return vec![which.to_string()];
    }
    crate::scenario::BUILTIN
        .iter()
        .map(|(n, _)| n.to_string())
        .filter(|n| targets.iter().any(|t| &t.scenario == n))
        .collect()
}

/// The targets of scenario `name`.
pub fn targets_of<'a>(targets: &'a [Target], name: &str) -> Vec<&'a Target> {
    targets.iter().filter(|t| t.scenario == name).collect()
}

/// Scenarios with targets but not among `checked` (no built-in scenario
/// yet), in table order, with their number of targets.
pub fn pending(targets: &[Target], checked: &[String]) -> Vec<(String, usize)> {
    let mut pending: Vec<&str> = Vec::new();
    // Targets and checks may be chained, so a scenario's rows need not be
    // next to each other.
    for s in targets.iter().map(|t| t.scenario.as_str()) {
        if !checked.iter().any(|c| c == s) && !pending.contains(&s) {
            pending.push(s);
        }
    }
    pending
        .into_iter()
        .map(|s| (s.to_string(), targets_of(targets, s).len()))
        .collect()
}
