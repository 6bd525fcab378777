//! `ludd compare`: an ensemble for each setting of an experiment, the
//! outcomes of every run, and per setting their mean and 5th-95th
//! percentiles, summarized with polars.
//!
//! The measures (`RunMetrics`) are computed from one run's records and
//! summary, all in the leading region: the origin of the scenario's first
//! general technology (Britain for the loom, the USA for the others). Every
//! run's own tables, written beside, hold the other regions.

use crate::analysis::files::{
    polars_error, safe_file_name, write_atomic, write_dir, write_parquet,
};
use crate::analysis::output;
use crate::analysis::provenance::{seeds_text, Provenance};
use crate::analysis::stats::annual_means;
use crate::error::Result;
use crate::model::observe::SeriesRow;
use crate::model::run::RunOutput;
use crate::scenario::experiment::{Experiment, Resolved};
use polars::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Declares the measures of a run once: the `RunMetrics` struct, the
/// `METRICS` table of names and descriptions, and `RunMetrics::values`,
/// all in the same order. A measure is `f64`, or `Option<f64>` when a run
/// may not define it.
macro_rules! measures {
    ($($(#[doc = $doc:literal])* $name:ident: $ty:ty => $label:literal,)*) => {
        /// What a comparison reports about one run.
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct RunMetrics {
            $($(#[doc = $doc])* pub $name: $ty,)*
        }

        /// Names and descriptions of the measures, in table order.
        pub const METRICS: [(&str, &str); [$(stringify!($name)),*].len()] =
            [$((stringify!($name), $label)),*];

        impl RunMetrics {
            /// The measures in `METRICS` order; `None` where one is undefined.
            pub fn values(&self) -> [Option<f64>; METRICS.len()] {
                [$(Measure::value(self.$name)),*]
            }
        }
    };
}

/// A measure's value: always defined, or possibly not.
trait Measure {
    fn value(self) -> Option<f64>;
}

impl Measure for f64 {
    fn value(self) -> Option<f64> {
        Some(self)
    }
}

impl Measure for Option<f64> {
    fn value(self) -> Option<f64> {
        self
    }
}

measures! {
    /// Protest waves (a wave starts when protest passes 1% of workers).
    protest_waves: f64 => "protest waves",
    /// Highest share of workers protesting in any quarter.
    peak_protest: f64 => "peak protest intensity (share of workers)",
    /// Protest summed over years (share of workers times years).
    protest_years: f64 => "total protest (share of workers x years)",
    /// Year the general technology first makes half of the leading region's industry output.
    general_half_year: Option<f64> =>
        "year the general technology passes half of leading region's output",
    stage2_year: Option<f64> => "year stage 2 begins, leading region",
    stage3_year: Option<f64> => "year stage 3 begins, leading region",
    /// Lowest annual craft real wage from the start of stage 2 on, relative to the year before
    /// (over the whole run, relative to the first year, when stage 2 never starts).
    craft_wage_trough: f64 => "trough of craft real wage / year before stage 2",
    /// Lowest annual labour share of the leading region.
    labour_share_trough: f64 => "trough of the labour share",
    /// Highest annual income Gini of the leading region.
    gini_peak: f64 => "peak income Gini",
    /// Output per worker in the last year, in the leading region's first-year prices.
    output_per_worker_end: f64 => "output per worker, last year",
    /// Real income of the stage-2 craft cohort from stage 2 to the end, relative to what
    /// they would have earned at craft incomes of the year before, minus one.
    cohort_lifetime_change: Option<f64> => "lifetime income change of the stage-2 craft cohort",
}

/// Index of the leading region of a run (`Scenario::leading_region`).
pub fn leading_region(out: &RunOutput) -> usize {
    out.scenario.leading_region()
}

/// Annual means of one field of one region's series. A model year is
/// `steps_per_year` steps from the start, whatever the calendar year the
/// run starts in.
pub fn annual(out: &RunOutput, region: &str, pick: impl Fn(&SeriesRow) -> f64) -> Vec<f64> {
    let rows = out.records.series.iter().filter(|s| s.region == region);
    annual_of_steps(out, rows.map(|s| (s.step, pick(s))))
}

/// Annual means of (step, value) points, year by year from the start.
pub fn annual_of_steps(out: &RunOutput, points: impl Iterator<Item = (u32, f64)>) -> Vec<f64> {
    let steps_per_year = out.scenario.steps_per_year as f64;
    let points: Vec<(f64, f64)> = points
        .map(|(step, v)| ((step as f64 / steps_per_year).floor(), v))
        .collect();
    annual_means(&points).into_iter().map(|(_, v)| v).collect()
}

pub fn metrics(out: &RunOutput) -> RunMetrics {
    let lead = leading_region(out);
    let name = out.region_names[lead].as_str();
    let summary = &out.summary[lead];
    let start = out.scenario.start_year;
    let half = out
        .records
        .series
        .iter()
        .find(|s| s.region == name && s.general_output_share >= 0.5)
        .map(|s| s.year);

    let craft = annual(out, name, |s| s.craft_real_wage);
    let pivot = summary
        .stage2_year
        .map_or(0, |y| ((y - start).floor() as usize).min(craft.len() - 1));
    let before = craft[pivot.saturating_sub(1)];
    let trough = craft[pivot..].iter().copied().fold(f64::INFINITY, f64::min);
    let min = |v: Vec<f64>| v.into_iter().fold(f64::INFINITY, f64::min);
    let max = |v: Vec<f64>| v.into_iter().fold(f64::NEG_INFINITY, f64::max);

    RunMetrics {
        protest_waves: summary.protest_waves as f64,
        peak_protest: summary.peak_protest,
        protest_years: summary.protest_years,
        general_half_year: half,
        stage2_year: summary.stage2_year,
        stage3_year: summary.stage3_year,
        craft_wage_trough: if before > 0.0 { trough / before } else { 0.0 },
        labour_share_trough: min(annual(out, name, |s| s.labour_share)),
        gini_peak: max(annual(out, name, |s| s.gini_income)),
        output_per_worker_end: *annual(out, name, |s| s.output_per_worker)
            .last()
            .unwrap_or(&0.0),
        cohort_lifetime_change: summary.craft_cohort_lifetime_change,
    }
}

/// One run of a comparison.
#[derive(Clone, Debug)]
pub struct CompareRun {
    /// Index into the experiment's settings.
    pub setting: usize,
    pub seed: u64,
    pub metrics: RunMetrics,
}

/// Runs every setting with every seed in parallel; `each` sees every run's
/// output as it finishes (to write its tables) and `progress` the number of
/// runs done. Results come back in (setting, seed) order.
pub fn run_all(
    settings: &[Resolved],
    seeds: &[u64],
    each: &(dyn Fn(usize, &RunOutput) -> Result<()> + Sync),
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<CompareRun>> {
    let jobs: Vec<(usize, u64)> = (0..settings.len())
        .flat_map(|s| seeds.iter().map(move |&seed| (s, seed)))
        .collect();
    let done = AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<RunMetrics>>> =
        jobs.iter().map(|_| std::sync::Mutex::new(None)).collect();
    // One run per thread at a time, so memory stays bounded (see
    // run::bounded_parallel); results are kept in job order.
    crate::model::run::bounded_parallel(jobs.len(), rayon::current_num_threads(), &|i| -> Result<
        (),
    > {
        let (setting, seed) = jobs[i];
        let out = crate::run(&settings[setting].scenario, seed)?;
        each(setting, &out)?;
        *results[i].lock().expect("not poisoned") = Some(metrics(&out));
        progress(done.fetch_add(1, Ordering::Relaxed) + 1);
        Ok(())
    })?;
    Ok(jobs
        .iter()
        .zip(results)
        .map(|(&(setting, seed), m)| CompareRun {
            setting,
            seed,
            metrics: m
                .into_inner()
                .expect("not poisoned")
                .expect("every job ran"),
        })
        .collect())
}

/// One row per run: the setting, its coordinates, the seed and every measure.
pub fn runs_frame(settings: &[Resolved], runs: &[CompareRun]) -> Result<DataFrame> {
    let mut columns = vec![
        Column::new(
            "setting".into(),
            runs.iter()
                .map(|r| settings[r.setting].label.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "setting_index".into(),
            runs.iter().map(|r| r.setting as u32).collect::<Vec<_>>(),
        ),
    ];
    for (axis, _) in settings.first().map_or(&[][..], |s| &s.coordinates[..]) {
        if axis == "setting" {
            continue;
        }
        let values: Vec<String> = runs
            .iter()
            .map(|r| {
                settings[r.setting]
                    .coordinates
                    .iter()
                    .find(|(a, _)| a == axis)
                    .map_or(String::new(), |(_, v)| v.clone())
            })
            .collect();
        columns.push(Column::new(axis.as_str().into(), values));
    }
    columns.push(Column::new(
        "seed".into(),
        runs.iter().map(|r| r.seed).collect::<Vec<_>>(),
    ));
    for (k, (name, _)) in METRICS.iter().enumerate() {
        let values: Vec<Option<f64>> = runs.iter().map(|r| r.metrics.values()[k]).collect();
        columns.push(Column::new((*name).into(), values));
    }
    DataFrame::new(columns).map_err(polars_error("runs.parquet"))
}

/// Mean, 5th and 95th percentile (linear interpolation) of a column, named
/// `<name>_mean`, `<name>_p5` and `<name>_p95`: the spread every table over
/// runs reports.
pub fn spread(name: &str) -> [Expr; 3] {
    [
        col(name).mean().alias(format!("{name}_mean")),
        col(name)
            .quantile(lit(0.05), QuantileMethod::Linear)
            .alias(format!("{name}_p5")),
        col(name)
            .quantile(lit(0.95), QuantileMethod::Linear)
            .alias(format!("{name}_p95")),
    ]
}

/// Per setting: runs, then mean, 5th and 95th percentile of every measure
/// (over the runs where it is defined), and the share of runs in which the
/// general technology passed half of the leading region's output.
pub fn summary_frame(runs: &DataFrame) -> Result<DataFrame> {
    let mut aggs = vec![
        col("setting").first(),
        col("seed").count().alias("runs"),
        col("general_half_year")
            .is_not_null()
            .mean()
            .alias("general_half_reached"),
    ];
    for (name, _) in METRICS {
        aggs.extend(spread(name));
    }
    runs.clone()
        .lazy()
        .group_by_stable([col("setting_index")])
        .agg(aggs)
        .sort(["setting_index"], Default::default())
        .collect()
        .map_err(polars_error("compare.parquet"))
}

/// The comparison as text: one row per measure, one column per setting,
/// each cell `mean [p5, p95]`; a year never reached reads "not by end".
pub fn display_frame(summary: &DataFrame) -> Result<DataFrame> {
    let get = |name: &str| -> Result<Vec<Option<f64>>> {
        Ok(summary
            .column(name)
            .and_then(|c| c.cast(&DataType::Float64))
            .map_err(polars_error("compare.parquet"))?
            .f64()
            .map_err(polars_error("compare.parquet"))?
            .into_iter()
            .collect())
    };
    let labels: Vec<String> = summary
        .column("setting")
        .map_err(polars_error("compare.parquet"))?
        .str()
        .map_err(polars_error("compare.parquet"))?
        .into_iter()
        .map(|s| s.unwrap_or_default().to_string())
        .collect();
    let reached = get("general_half_reached")?;
    let runs = get("runs")?;
    let mut columns = vec![measure_column()];
    for (i, label) in labels.iter().enumerate() {
        let mut cells = Vec::with_capacity(METRICS.len());
        for (name, _) in METRICS {
            let m = get(&format!("{name}_mean"))?[i];
            let lo = get(&format!("{name}_p5"))?[i];
            let hi = get(&format!("{name}_p95"))?[i];
            let is_year = name.ends_with("_year");
            let cell = match (m, lo, hi) {
                (Some(m), Some(lo), Some(hi)) => {
                    let digits = if is_year { 0 } else { 3 };
                    let mut c = format!("{m:.digits$} [{lo:.digits$}, {hi:.digits$}]");
                    if name == "general_half_year" {
                        let share = reached[i].unwrap_or(0.0);
                        if share < 1.0 {
                            let n = runs[i].unwrap_or(0.0);
                            c.push_str(&format!(" ({:.0}/{n:.0} runs)", share * n));
                        }
                    }
                    c
                }
                _ if is_year => "not by end".to_string(),
                _ => "-".to_string(),
            };
            cells.push(cell);
        }
        columns.push(Column::new(label.as_str().into(), cells));
    }
    DataFrame::new(columns).map_err(polars_error("compare.parquet"))
}

/// The first column of the tables turned on their side: every measure's
/// description, in `METRICS` order.
fn measure_column() -> Column {
    Column::new(
        "measure".into(),
        METRICS
            .iter()
            .map(|(_, d)| d.to_string())
            .collect::<Vec<_>>(),
    )
}

/// Level of the paired bootstrap intervals: 95%.
pub const PAIRED_ALPHA: f64 = 0.05;

/// One measure of a setting against a baseline run on the same seeds.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PairedDifference {
    pub measure: &'static str,
    pub label: &'static str,
    /// Means over the runs where the measure is defined.
    pub baseline: Option<f64>,
    pub setting: Option<f64>,
    /// Mean over seeds of the setting's value minus the baseline's, over
    /// the seeds where both are defined, with its 95% percentile bootstrap
    /// interval (`PAIRED_ALPHA`).
    pub difference: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// Seeds where both runs define the measure.
    pub pairs: usize,
}

/// Every measure of `setting` against `baseline`, pairing runs by seed:
/// runs with the same seed share their random streams (common random
/// numbers), so the paired difference is free of the noise they share.
pub fn paired_differences(
    baseline: &[(u64, RunMetrics)],
    setting: &[(u64, RunMetrics)],
) -> Vec<PairedDifference> {
    let mean_of = |v: &[Option<f64>]| {
        let d: Vec<f64> = v.iter().flatten().copied().collect();
        (!d.is_empty()).then(|| crate::analysis::stats::mean(&d))
    };
    METRICS
        .iter()
        .enumerate()
        .map(|(k, &(measure, label))| {
            let base: Vec<Option<f64>> = baseline.iter().map(|(_, m)| m.values()[k]).collect();
            let mine: Vec<Option<f64>> = setting.iter().map(|(_, m)| m.values()[k]).collect();
            let (a, b): (Vec<f64>, Vec<f64>) = setting
                .iter()
                .filter_map(|(seed, m)| {
                    let other = baseline.iter().find(|(s, _)| s == seed)?;
                    Some((m.values()[k]?, other.1.values()[k]?))
                })
                .unzip();
            let (difference, low, high) = if a.is_empty() {
                (None, None, None)
            } else {
                let d: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x - y).collect();
                let (lo, hi) =
                    crate::analysis::stats::bootstrap_paired(&a, &b, PAIRED_ALPHA, k as u64 + 1);
                (Some(crate::analysis::stats::mean(&d)), Some(lo), Some(hi))
            };
            PairedDifference {
                measure,
                label,
                baseline: mean_of(&base),
                setting: mean_of(&mine),
                difference,
                low,
                high,
                pairs: a.len(),
            }
        })
        .collect()
}

/// The paired differences of every setting against the first, as text:
/// one row per measure, one column per other setting, each cell
/// `difference [low, high]` over the seeds both define.
pub fn paired_display(settings: &[Resolved], runs: &[CompareRun]) -> Result<DataFrame> {
    let of = |setting: usize| -> Vec<(u64, RunMetrics)> {
        runs.iter()
            .filter(|r| r.setting == setting)
            .map(|r| (r.seed, r.metrics.clone()))
            .collect()
    };
    let baseline = of(0);
    let mut columns = vec![measure_column()];
    for (i, setting) in settings.iter().enumerate().skip(1) {
        let cells: Vec<String> = paired_differences(&baseline, &of(i))
            .iter()
            .map(|p| match (p.difference, p.low, p.high) {
                (Some(d), Some(lo), Some(hi)) => {
                    let digits = if p.measure.ends_with("_year") { 1 } else { 3 };
                    format!("{d:+.digits$} [{lo:+.digits$}, {hi:+.digits$}]")
                }
                _ => "-".to_string(),
            })
            .collect();
        columns.push(Column::new(setting.label.as_str().into(), cells));
    }
    DataFrame::new(columns).map_err(polars_error("compare.parquet"))
}

/// Directory name of one run inside a comparison.
pub fn run_dir(settings: &[Resolved], setting: usize, seed: u64) -> PathBuf {
    let slug = safe_file_name(&settings[setting].label);
    PathBuf::from("runs")
        .join(format!("{setting:02}-{slug}"))
        .join(format!("seed-{seed}"))
}

/// Everything a comparison produced.
pub struct Comparison {
    pub runs: DataFrame,
    pub summary: DataFrame,
    /// Every run's measures, in (setting, seed) order.
    pub measured: Vec<CompareRun>,
}

/// Runs an experiment and writes it into `dir` whole or not at all:
/// `compare.parquet` (per setting), `runs.parquet` (per run),
/// `experiment.ron`, and every run's tables under `runs/`.
pub fn execute(
    experiment: &Experiment,
    settings: &[Resolved],
    dir: &Path,
    force: bool,
    threads: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Comparison> {
    write_dir(dir, force, |staging| {
        let seeds: Vec<u64> = (1..=experiment.seeds).collect();
        let write = |setting: usize, out: &RunOutput| {
            let path = staging.join(run_dir(settings, setting, out.seed));
            output::write_run(out, &path, &settings[setting].overrides, threads, false)
        };
        let measured = run_all(settings, &seeds, &write, progress)?;
        let mut runs = runs_frame(settings, &measured)?;
        let mut summary = summary_frame(&runs)?;
        // The hash covers every setting's resolved scenario.
        let resolved: String = settings.iter().map(|s| s.scenario.to_ron()).collect();
        let provenance = Provenance::new(
            experiment.name.as_str(),
            &resolved,
            seeds_text(&seeds),
            settings.iter().map(|s| s.label.clone()).collect(),
        );
        write_parquet(&mut summary, &staging.join("compare.parquet"), &provenance)?;
        write_parquet(&mut runs, &staging.join("runs.parquet"), &provenance)?;
        write_atomic(&staging.join("experiment.ron"), experiment_ron(experiment))?;
        Ok(Comparison {
            runs,
            summary,
            measured,
        })
    })
}

fn experiment_ron(e: &Experiment) -> String {
    let config = ron::ser::PrettyConfig::new().struct_names(true);
    ron::ser::to_string_pretty(e, config).expect("an experiment always serializes")
}
