//! The page: a head that embeds the font, then one figure per chart, with
//! its heading and caption. Everything is inline, so the page loads nothing.

use super::charts::{self, LineChart, FAMILY, FONT};
use super::data::{self, Line, Run, Runs, Sweep};
use crate::analysis::stats::annual_means;
use crate::error::Result;
use crate::model::observe::{vintage_label, VINTAGES_BY_AGE};
use std::path::Path;

fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(TABLE[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn page_head(title: &str) -> String {
    let mut html = String::new();
    html.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // The title begins with ludd's mark, by which a later report knows
    // the page as its own and may replace it.
    html.push_str(&format!(
        "{} {}</title>\n<style>\n",
        crate::analysis::files::REPORT.mark,
        escape(title)
    ));
    html.push_str(&format!(
        "@font-face {{ font-family: \"{FAMILY}\"; src: url(data:font/ttf;base64,{}) format(\"truetype\"); }}\n",
        base64(FONT)
    ));
    html.push_str(&format!(
        "body {{ font-family: \"{FAMILY}\", sans-serif; max-width: 960px; margin: 2em auto; padding: 0 1em; color: #222; }}\n\
         figure {{ margin: 2em 0; }} figure svg {{ width: 100%; height: auto; }}\n\
         figcaption {{ font-size: 0.9em; color: #555; }} h1 {{ font-size: 1.6em; }} h2 {{ font-size: 1.2em; }}\n</style>\n</head>\n<body>\n"
    ));
    html
}

/// The page of a sweep that kept only its measures: two measures against
/// each numeric parameter, one dot per run.
pub(super) fn sweep_page(sweep: &Sweep) -> Result<String> {
    let mut html = page_head(&format!("sweep {}", sweep.name));
    html.push_str(&format!(
        "<h1>ludd report: sweep {}</h1>\n<p>{} runs over {} points of base scenario {}; measures in the leading region (docs/OUTPUTS.md).</p>\n",
        escape(&sweep.name),
        sweep.data.df.height(),
        sweep.points,
        escape(&sweep.base)
    ));
    for (k, p) in sweep.params.iter().enumerate() {
        for (measure, label, unit) in [
            ("protest_years", "total protest", "share of workers x years"),
            (
                "general_half_year",
                "year the general technology passes half of output",
                "year",
            ),
        ] {
            // A parameter that is not a column of the dataset is not charted.
            let Some(dots) = sweep.dots(p, measure)? else {
                continue;
            };
            let heading = format!("{label} against {p}");
            let chart = charts::scatter(&heading, p, unit, &dots)?;
            html.push_str(&format!(
                "<figure id=\"chart-sweep-{k}-{measure}\" class=\"chart\">\n<h2>{}</h2>\n{chart}\n</figure>\n",
                escape(&heading)
            ));
        }
    }
    html.push_str("</body>\n</html>\n");
    Ok(html)
}

/// A chart on the page: its id, heading, SVG and caption.
type Figure = (&'static str, String, String, String);

/// The page of the runs found under `dir`. Runs of one scenario: the
/// single-run charts of the first run, the model against history over the
/// runs of its setting, and, when there are several settings, one line per
/// setting. Runs of several scenarios: a section for each scenario holding
/// the same charts over its runs alone, so that nothing is averaged across
/// scenarios.
pub(super) fn runs_page(dir: &Path, all: &Runs) -> Result<String> {
    let scenarios = all.found.scenarios();
    let groups: Vec<(&str, Vec<&Run>)> = scenarios
        .iter()
        .map(|name| {
            let runs = all
                .runs
                .iter()
                .zip(&all.found.runs)
                .filter(|(_, found)| found.scenario == *name)
                .map(|(run, _)| run)
                .collect();
            (*name, runs)
        })
        .collect();
    let links = all
        .found
        .links_note()
        .map(|note| format!("<p class=\"links\">{}.</p>\n", escape(&note)))
        .unwrap_or_default();
    let source = escape(&dir.display().to_string());
    let mut html;
    if let [(_, runs)] = groups.as_slice() {
        let first = first_of(runs)?;
        html = page_head(&first.scenario.name);
        html.push_str(&format!(
            "<h1>ludd report: {}</h1>\n",
            escape(&first.scenario.name)
        ));
        html.push_str(&intro(runs, &source)?);
        html.push_str(&links);
        for figure in scenario_figures(runs)? {
            push_figure(&mut html, &figure, "", "h2");
        }
    } else {
        html = page_head(&format!("{} scenarios", groups.len()));
        html.push_str(&format!(
            "<h1>ludd report: {} scenarios</h1>\n<p>{} run(s) of {} scenarios ({}) from <code>{source}</code>: a section for each scenario, over its own runs; runs of different scenarios are never averaged together.</p>\n",
            groups.len(),
            all.runs.len(),
            groups.len(),
            escape(&scenarios.join(", "))
        ));
        html.push_str(&links);
        for (k, (name, runs)) in groups.iter().enumerate() {
            html.push_str(&format!(
                "<section id=\"scenario-{k}\" class=\"scenario\">\n<h2>scenario {}</h2>\n",
                escape(name)
            ));
            html.push_str(&intro(runs, &source)?);
            for figure in scenario_figures(runs)? {
                push_figure(&mut html, &figure, &format!("scenario-{k}-"), "h3");
            }
            html.push_str("</section>\n");
        }
    }
    html.push_str("</body>\n</html>\n");
    Ok(html)
}

/// The first of a scenario's runs, whose single-run charts are drawn.
fn first_of<'a>(runs: &[&'a Run]) -> Result<&'a Run> {
    runs.first()
        .copied()
        .ok_or_else(|| crate::error::LuddError::Output {
            path: "report.html".into(),
            message: "no runs to report on".into(),
        })
}

/// The scenario's name of the leading region, checked rather than indexed.
fn leading_region(s: &crate::scenario::Scenario) -> Result<String> {
    s.regions
        .get(s.leading_region())
        .map(|r| r.name.clone())
        .ok_or_else(|| crate::error::LuddError::Output {
            path: "report.html".into(),
            message: format!("scenario {} has no regions to report on", s.name),
        })
}

/// The paragraph under a scenario's heading: its description, its runs and
/// settings, and which run the single-run charts show.
fn intro(runs: &[&Run], source: &str) -> Result<String> {
    let first = first_of(runs)?;
    let settings: std::collections::BTreeSet<&str> =
        runs.iter().map(|r| r.setting.as_str()).collect();
    Ok(format!(
        "<p>{}<br>{} run(s) in {} setting(s) from <code>{source}</code>; leading region {}; the single-run charts show the first run (setting '{}').</p>\n",
        escape(&first.scenario.description),
        runs.len(),
        settings.len(),
        escape(&leading_region(&first.scenario)?),
        escape(&first.setting)
    ))
}

fn push_figure(html: &mut String, figure: &Figure, prefix: &str, heading: &str) {
    let (id, title, chart, caption) = figure;
    html.push_str(&format!(
        "<figure id=\"{prefix}chart-{id}\" class=\"chart\">\n<{heading}>{}</{heading}>\n{chart}\n<figcaption>{}</figcaption>\n</figure>\n",
        escape(title),
        escape(caption)
    ));
}

/// The charts of the runs of one scenario.
fn scenario_figures(runs: &[&Run]) -> Result<Vec<Figure>> {
    let first = first_of(runs)?;
    let s = &first.scenario;
    let lead = leading_region(s)?;
    let range = (s.start_year, s.end_year);
    let settings: std::collections::BTreeSet<&str> =
        runs.iter().map(|r| r.setting.as_str()).collect();
    let mut figures: Vec<Figure> = Vec::new();

    // 1. Adoption by technology kind, stages shaded.
    let lines = vec![
        (
            "craft".to_string(),
            data::region_series(first, &lead, "craft_output_share")?,
        ),
        (
            "special-purpose tools".to_string(),
            data::region_series(first, &lead, "special_output_share")?,
        ),
        (
            "general technology".to_string(),
            data::region_series(first, &lead, "general_output_share")?,
        ),
        (
            "reorganized firms".to_string(),
            data::region_series(first, &lead, "reorganized_output_share")?,
        ),
    ];
    figures.push((
        "adoption",
        format!("Adoption in {lead}: share of the industry's output by technology"),
        charts::line_chart(LineChart {
            title: &format!("Adoption by technology kind, {lead}"),
            y_label: "share of industry output",
            lines,
            spans: data::stage_spans(first, &lead, s.end_year)?,
            markers: Vec::new(),
            x_range: range,
        })?,
        "Shaded: the stages as detected (docs/ODD.md, stage detection).".into(),
    ));

    // 1b. The general technology's spread: among firms, in their capacity
    // and in output. Machines are bought lot by lot and old ones run beside
    // new ones, so the three part.
    for tech in s
        .technologies
        .iter()
        .filter(|t| t.kind == crate::scenario::TechKind::General)
    {
        let name = &tech.name;
        let line = |label: &str, column: &str| -> Result<Line> {
            Ok((
                label.to_string(),
                data::technology_series(first, &lead, name, column)?,
            ))
        };
        figures.push((
            "spread",
            format!("The spread of {name} in {lead}: firms, capacity and output"),
            charts::line_chart(LineChart {
                title: &format!("{name} in {lead}"),
                y_label: "share",
                lines: vec![
                    line("share of firms using it", "firm_share")?,
                    line("its share of capacity", "capacity_share")?,
                    line("its share of output", "output_share")?,
                ],
                spans: data::stage_spans(first, &lead, s.end_year)?,
                markers: Vec::new(),
                x_range: range,
            })?,
            "Firms buy machines lot by lot and run old lots beside new ones: a firm counts as using the technology from its first machine, capacity counts every machine it holds, output what the machines in use made this quarter.".into(),
        ));
        let mut lines = Vec::new();
        for (column, from) in VINTAGES_BY_AGE {
            lines.push(line(&vintage_label(from), column)?);
        }
        figures.push((
            "vintages",
            format!("{name}'s capacity in {lead} by the age of its machines"),
            charts::line_chart(LineChart {
                title: &format!("{name} in {lead}: capacity by vintage"),
                y_label: "share of the industry's capacity",
                lines,
                spans: data::stage_spans(first, &lead, s.end_year)?,
                markers: Vec::new(),
                x_range: range,
            })?,
            "Improvements reach only new machines, and old ones run until a new machine repays its price within the payback period or they cost more to run than hand work.".into(),
        ));
    }

    // 2. Real income by group against output per worker, indexed.
    figures.push((
        "wages",
        format!("Real income by group against output per worker, {lead}"),
        charts::line_chart(LineChart {
            title: &format!("Workers' real income by group and output per worker, {lead}"),
            y_label: "index, first year with members = 100",
            lines: data::income_index(first, &lead)?,
            spans: Vec::new(),
            markers: Vec::new(),
            x_range: range,
        })?,
        "Annual means of real disposable income per person in each group; a line starts the first year the group has members.".into(),
    ));

    // 3. Labour share and Gini.
    figures.push((
        "distribution",
        format!("Labour share, income Gini and automated share, {lead}"),
        charts::line_chart(LineChart {
            title: &format!("Labour share, income Gini and automated share, {lead}"),
            y_label: "share / index (0-1)",
            lines: vec![
                (
                    "labour share".into(),
                    annual_means(&data::region_series(first, &lead, "labour_share")?),
                ),
                (
                    "income Gini".into(),
                    annual_means(&data::region_series(first, &lead, "gini_income")?),
                ),
                (
                    "automated share".into(),
                    annual_means(&data::region_series(first, &lead, "automated_share")?),
                ),
            ],
            spans: Vec::new(),
            markers: Vec::new(),
            x_range: range,
        })?,
        "Labour share: wage bill over nominal output. Gini: disposable income of workers, inventors and owner households. Automated share: the share of the rest of the economy's tasks that general technologies do, which takes from the labour share until new tasks give it back.".into(),
    ));

    // 4. Protest, with policy changes and repression marked.
    let mut lines = Vec::new();
    for r in &s.regions {
        lines.push((
            r.name.clone(),
            data::region_series(first, &r.name, "protest_intensity")?,
        ));
    }
    let mut markers = Vec::new();
    let mut policies = Vec::new();
    for (y, kind, detail) in
        data::events_of(first, &lead, &["policy", "repression", "machine_ban"])?
    {
        if kind == "policy" {
            policies.push(format!("{y:.0} {detail}"));
        }
        markers.push(charts::event_marker(y, &kind));
    }
    figures.push((
        "protest",
        "Protest intensity by region, with the leading region's policies and repression".into(),
        charts::line_chart(LineChart {
            title: "Protest intensity by region",
            y_label: "share of workers protesting",
            lines,
            spans: Vec::new(),
            markers,
            x_range: range,
        })?,
        format!(
            "Vertical lines in {lead}: repression (red), machine bans (purple) and dated policy changes (grey): {}.",
            policies.join("; ")
        ),
    ));

    // 5. The trade network.
    figures.push((
        "network",
        "The trade network".into(),
        charts::network_chart(&data::network(first)?)?,
        "Regions on a circle; line width proportional to the industry's trade along the route over the whole run.".into(),
    ));

    // 6. Model against history, over the runs of the first setting.
    let first_setting: Vec<&Run> = runs
        .iter()
        .copied()
        .filter(|r| r.setting == first.setting)
        .collect();
    if let Some(rows) = data::targets(&first_setting, &s.name)? {
        figures.push((
            "history",
            "Model against history".into(),
            charts::history_chart(&rows)?,
            format!(
                "Targets from scenarios/targets.csv for scenario {}; model over {} run(s) of setting '{}'.",
                s.name,
                first_setting.len(),
                first.setting
            ),
        ));
    }

    // 7. One line per setting.
    if settings.len() > 1 {
        figures.push((
            "settings",
            "Settings compared".into(),
            charts::line_chart(LineChart {
                title: &format!(
                    "General technology's share of {lead}'s output, mean of each setting's runs"
                ),
                y_label: "share of industry output",
                lines: data::per_setting_mean(runs, &lead, "general_output_share")?,
                spans: Vec::new(),
                markers: Vec::new(),
                x_range: range,
            })?,
            "One line per setting of the comparison.".into(),
        ));
        figures.push((
            "settings-protest",
            "Protest by setting".into(),
            charts::line_chart(LineChart {
                title: &format!("Protest intensity in {lead}, mean of each setting's runs"),
                y_label: "share of workers protesting",
                lines: data::per_setting_mean(runs, &lead, "protest_intensity")?,
                spans: Vec::new(),
                markers: Vec::new(),
                x_range: range,
            })?,
            "Annual means; one line per setting of the comparison.".into(),
        ));
    }

    Ok(figures)
}
