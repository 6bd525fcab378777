//! `ludd report`: one self-contained HTML page of SVG charts drawn with
//! plotters, from a run, a comparison or any directory of runs. The page
//! loads nothing from the network: the charts are inline SVG and the font
//! (DejaVu Sans, which also measures the text when the charts are laid out)
//! is embedded as base64.

use crate::analysis::redistribution::{find_runs, RunDir};
use crate::analysis::validation::{self, Statistic};
use crate::error::{LuddError, Result};
use crate::scenario::Scenario;
use plotters::prelude::*;
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

pub mod terminal;
const FONT: &[u8] = include_bytes!("DejaVuSans.ttf");
const FAMILY: &str = "DejaVu Sans";
const SIZE: (u32, u32) = (900, 420);
const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// The ids of the charts a report holds, in page order; the settings chart
/// appears only for directories with more than one setting.
pub const CHARTS: [&str; 8] = [
    "adoption",
    "wages",
    "distribution",
    "protest",
    "network",
    "history",
    "settings",
    "settings-protest",
];

fn fail(message: impl Into<String>) -> LuddError {
    LuddError::Output {
        path: "report.html".into(),
        message: message.into(),
    }
}

fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The font is a valid TrueType file compiled into the binary.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT);
    });
}

/// One run's tables, read whole (they are small).
struct Run {
    series: DataFrame,
    groups: DataFrame,
    events: DataFrame,
    trade: DataFrame,
    summary: DataFrame,
    scenario: Scenario,
    setting: String,
}

fn read(dir: &RunDir) -> Result<Run> {
    let table = |name: &str| crate::analysis::output::read_parquet(&dir.path.join(name));
    let manifest_path = dir.path.join("manifest.json");
    let text =
        std::fs::read_to_string(&manifest_path).map_err(|e| LuddError::io(&manifest_path, e))?;
    let manifest: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| LuddError::Output {
            path: manifest_path.clone(),
            message: e.to_string(),
        })?;
    let scenario: Scenario =
        serde_json::from_value(manifest["scenario"].clone()).map_err(|e| LuddError::Output {
            path: manifest_path.clone(),
            message: format!("scenario: {e}"),
        })?;
    Ok(Run {
        series: table("series.parquet")?,
        groups: table("groups.parquet")?,
        events: table("events.parquet")?,
        trade: table("trade.parquet")?,
        summary: table("summary.parquet")?,
        scenario,
        setting: dir.setting.clone(),
    })
}

fn f64s(df: &DataFrame, name: &str) -> Result<Vec<f64>> {
    Ok(df
        .column(name)
        .and_then(|c| c.cast(&DataType::Float64))
        .map_err(|e| fail(format!("{name}: {e}")))?
        .f64()
        .map_err(|e| fail(format!("{name}: {e}")))?
        .into_iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect())
}

fn strs(df: &DataFrame, name: &str) -> Result<Vec<String>> {
    Ok(df
        .column(name)
        .map_err(|e| fail(format!("{name}: {e}")))?
        .str()
        .map_err(|e| fail(format!("{name}: {e}")))?
        .into_iter()
        .map(|v| v.unwrap_or_default().to_string())
        .collect())
}

/// (year, value) of one column for one region, in step order.
fn region_series(run: &Run, region: &str, column: &str) -> Result<Vec<(f64, f64)>> {
    let regions = strs(&run.series, "region")?;
    let years = f64s(&run.series, "year")?;
    let values = f64s(&run.series, column)?;
    Ok(regions
        .iter()
        .zip(years.iter().zip(values))
        .filter(|(r, _)| r.as_str() == region)
        .map(|(_, (y, v))| (*y, v))
        .collect())
}

/// Annual means of a (year, value) series.
fn annual(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut by_year: BTreeMap<i64, (f64, f64)> = BTreeMap::new();
    for &(y, v) in points {
        if v.is_finite() {
            let e = by_year.entry(y.floor() as i64).or_default();
            e.0 += v;
            e.1 += 1.0;
        }
    }
    by_year
        .into_iter()
        .map(|(y, (s, n))| (y as f64, s / n))
        .collect()
}

fn range_of(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.05).max(1e-9);
    (lo - pad, hi + pad)
}

type Drawn = std::result::Result<(), Box<dyn std::error::Error>>;

/// Draws into an SVG string; errors become located output errors.
fn svg(
    draw: impl FnOnce(DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> Drawn,
) -> Result<String> {
    register_font();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(e.to_string()))?;
        draw(root.clone()).map_err(|e| fail(e.to_string()))?;
        root.present().map_err(|e| fail(e.to_string()))?;
    }
    Ok(out)
}

fn font(size: u32) -> TextStyle<'static> {
    (FAMILY, size).into_font().into()
}

/// Time series on one chart, with optional shaded spans and vertical markers.
struct LineChart<'a> {
    title: &'a str,
    y_label: &'a str,
    lines: Vec<(String, Vec<(f64, f64)>)>,
    spans: Vec<(f64, f64, String)>,
    markers: Vec<(f64, String, RGBColor)>,
    x_range: (f64, f64),
}

fn line_chart(c: LineChart<'_>) -> Result<String> {
    svg(|root| {
        let (y0, y1) = range_of(c.lines.iter().flat_map(|(_, p)| p.iter().map(|q| q.1)));
        let y0 = y0.min(0.0);
        let mut chart = ChartBuilder::on(&root)
            .caption(c.title, font(20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(c.x_range.0..c.x_range.1, y0..y1)?;
        chart
            .configure_mesh()
            .x_desc("year")
            .y_desc(c.y_label)
            .label_style(font(13))
            .axis_desc_style(font(14))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .light_line_style(WHITE)
            .draw()?;
        let shades = [
            RGBColor(255, 244, 214),
            RGBColor(222, 235, 247),
            RGBColor(229, 245, 224),
        ];
        for (i, (a, b, label)) in c.spans.iter().enumerate() {
            let color = shades[i % shades.len()];
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(*a, y0), (*b, y1)],
                    color.filled(),
                )))?
                .label(label.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.filled())
                });
        }
        for (x, label, color) in &c.markers {
            let color = *color;
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(*x, y0), (*x, y1)],
                color.mix(0.7).stroke_width(1),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                label.clone(),
                (*x, y1 - (y1 - y0) * 0.03),
                font(11).color(&color),
            )))?;
        }
        for (i, (label, points)) in c.lines.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            chart
                .draw_series(LineSeries::new(
                    points.iter().copied().filter(|p| p.1.is_finite()),
                    color.stroke_width(2),
                ))?
                .label(label.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font(font(12))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .draw()?;
        Ok(())
    })
}

/// Years at which the leading region's stage changes, as shaded spans.
fn stage_spans(run: &Run, region: &str, end: f64) -> Result<Vec<(f64, f64, String)>> {
    let stages = region_series(run, region, "stage")?;
    let mut spans = Vec::new();
    let mut current: Option<(f64, f64)> = None;
    for &(y, s) in &stages {
        match current {
            Some((_, st)) if st == s => {}
            _ => {
                if let Some((start, st)) = current {
                    spans.push((start, y, format!("stage {st:.0}")));
                }
                current = Some((y, s));
            }
        }
    }
    if let Some((start, st)) = current {
        spans.push((start, end, format!("stage {st:.0}")));
    }
    Ok(spans)
}

fn events_of(run: &Run, region: &str, kinds: &[&str]) -> Result<Vec<(f64, String, String)>> {
    let regions = strs(&run.events, "region")?;
    let kind = strs(&run.events, "kind")?;
    let years = f64s(&run.events, "year")?;
    let detail = strs(&run.events, "detail")?;
    Ok((0..regions.len())
        .filter(|&i| regions[i] == region && kinds.contains(&kind[i].as_str()))
        .map(|i| (years[i], kind[i].clone(), detail[i].clone()))
        .collect())
}

/// Annual means of one column in one region over each setting's runs.
fn per_setting_mean(
    runs: &[Run],
    region: &str,
    column: &str,
) -> Result<Vec<(String, Vec<(f64, f64)>)>> {
    let mut by: BTreeMap<String, Vec<Vec<(f64, f64)>>> = BTreeMap::new();
    for r in runs {
        by.entry(r.setting.clone())
            .or_default()
            .push(annual(&region_series(r, region, column)?));
    }
    Ok(by
        .into_iter()
        .map(|(setting, paths)| {
            let n = paths.iter().map(Vec::len).min().unwrap_or(0);
            let mean = (0..n)
                .map(|i| {
                    let y = paths[0][i].0;
                    (
                        y,
                        paths.iter().map(|p| p[i].1).sum::<f64>() / paths.len() as f64,
                    )
                })
                .collect();
            (setting, mean)
        })
        .collect())
}

fn network_chart(run: &Run) -> Result<String> {
    let s = &run.scenario;
    let n = s.regions.len();
    let place: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let a = std::f64::consts::TAU * i as f64 / n as f64 + std::f64::consts::FRAC_PI_2;
            (a.cos(), a.sin())
        })
        .collect();
    // Trade over the whole run per route, both directions together.
    let from = strs(&run.trade, "from")?;
    let to = strs(&run.trade, "to")?;
    let value = f64s(&run.trade, "value")?;
    let mut flow: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for i in 0..from.len() {
        if let (Some(a), Some(b)) = (s.region_index(&from[i]), s.region_index(&to[i])) {
            *flow.entry((a.min(b), a.max(b))).or_default() += value[i];
        }
    }
    let biggest = flow.values().copied().fold(0.0, f64::max).max(1e-12);
    // A route is marked embargoed when either end bans machinery exports at
    // some time in the run (at the start or by a dated policy).
    let embargo = |r: usize| {
        s.regions[r].institutions.export_embargo >= 0.5
            || s.policies.iter().any(|p| {
                p.region == s.regions[r].name && p.field == "export_embargo" && p.value >= 0.5
            })
    };
    svg(|root| {
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "Trade network: routes sized by trade in the industry's good over the run",
                font(20),
            )
            .margin(12)
            .build_cartesian_2d(-1.6f64..1.6f64, -1.3f64..1.3f64)?;
        for route in &s.routes {
            let (Some(a), Some(b)) = (s.region_index(&route.from), s.region_index(&route.to))
            else {
                continue;
            };
            if a == b {
                continue;
            }
            let v = flow.get(&(a.min(b), a.max(b))).copied().unwrap_or(0.0);
            let width = 1 + (14.0 * v / biggest).round() as u32;
            let banned = embargo(a) || embargo(b);
            let color = if banned {
                RGBColor(214, 39, 40)
            } else {
                RGBColor(90, 90, 90)
            };
            chart.draw_series(std::iter::once(PathElement::new(
                vec![place[a], place[b]],
                color.mix(0.75).stroke_width(width),
            )))?;
            let mid = (
                (place[a].0 + place[b].0) / 2.0,
                (place[a].1 + place[b].1) / 2.0,
            );
            let label = if banned {
                format!("{v:.0} (embargo)")
            } else {
                format!("{v:.0}")
            };
            chart.draw_series(std::iter::once(Text::new(
                label,
                mid,
                font(12).color(&color),
            )))?;
        }
        for (i, region) in s.regions.iter().enumerate() {
            chart.draw_series(std::iter::once(Circle::new(
                place[i],
                10,
                PALETTE[i % PALETTE.len()].filled(),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                region.name.clone(),
                (place[i].0 + 0.06, place[i].1 + 0.06),
                font(15),
            )))?;
        }
        chart.draw_series(std::iter::once(Text::new(
            "red: a route whose exporter banned machinery exports at some time; numbers: sales at current prices",
            (-1.55, -1.22),
            font(12),
        )))?;
        Ok(())
    })
}

/// Each target of the scenario on a common scale: its band maps to [0, 1];
/// the model's runs give a 5-95% range and a mean.
fn history_chart(runs: &[&Run], scenario: &str) -> Result<Option<String>> {
    let targets: Vec<_> = validation::targets()?
        .into_iter()
        .filter(|t| t.scenario == scenario)
        .collect();
    if targets.is_empty() {
        return Ok(None);
    }
    let end = runs[0].scenario.end_year;
    let mut rows = Vec::new();
    for t in &targets {
        let mut values = Vec::new();
        for run in runs {
            let v = if t.statistic == Statistic::Date {
                let regions = strs(&run.summary, "region")?;
                let years = f64s(&run.summary, "stage2_year")?;
                regions.iter().position(|r| *r == t.region).map(|i| {
                    if years[i].is_finite() {
                        years[i]
                    } else {
                        end
                    }
                })
            } else {
                let series = region_series(run, &t.region, &t.metric)?;
                validation::statistic(t, &series)
            };
            if let Some(v) = v.filter(|v| v.is_finite()) {
                values.push(v);
            }
        }
        let scale = |v: f64| (v - t.low) / (t.high - t.low);
        let (m, lo, hi) = if values.is_empty() {
            (f64::NAN, f64::NAN, f64::NAN)
        } else {
            (
                scale(crate::analysis::stats::mean(&values)),
                scale(crate::analysis::stats::quantile(&values, 0.05)),
                scale(crate::analysis::stats::quantile(&values, 0.95)),
            )
        };
        rows.push((format!("{} {}", t.id, t.metric), scale(t.value), m, lo, hi));
    }
    let clip = |v: f64| v.clamp(-2.0, 3.0);
    let n = rows.len() as f64;
    svg(|root| {
        let mut chart = ChartBuilder::on(&root)
            .caption("Model against history: each target's band scaled to [0, 1]", font(20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(230)
            .build_cartesian_2d(-2.0f64..3.0f64, -0.5f64..(n - 0.5))?;
        chart
            .configure_mesh()
            .x_desc("position relative to the historical band (0 = low end, 1 = high end; clipped to [-2, 3])")
            .y_labels(rows.len())
            .y_label_formatter(&|y| {
                let i = y.round() as usize;
                rows.get(i).map(|r| r.0.clone()).unwrap_or_default()
            })
            .label_style(font(12))
            .axis_desc_style(font(13))
            .light_line_style(WHITE)
            .draw()?;
        for (i, (_, history, m, lo, hi)) in rows.iter().enumerate() {
            let y = i as f64;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y - 0.3), (1.0, y + 0.3)],
                RGBColor(200, 200, 200).filled(),
            )))?;
            chart.draw_series(std::iter::once(Cross::new((clip(*history), y), 6, BLACK.stroke_width(2))))?;
            if m.is_finite() {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(clip(*lo), y), (clip(*hi), y)],
                    PALETTE[0].stroke_width(3),
                )))?;
                chart.draw_series(std::iter::once(Circle::new((clip(*m), y), 5, PALETTE[1].filled())))?;
            }
        }
        chart
            .draw_series(std::iter::once(Rectangle::new([(0.0, -1.0), (0.0, -1.0)], RGBColor(200, 200, 200).filled())))?
            .label("historical band")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], RGBColor(200, 200, 200).filled()));
        chart
            .draw_series(std::iter::once(Cross::new((-5.0, -5.0), 0, BLACK)))?
            .label("historical figure")
            .legend(|(x, y)| Cross::new((x + 7, y), 5, BLACK.stroke_width(2)));
        chart
            .draw_series(std::iter::once(Circle::new((-5.0, -5.0), 0, PALETTE[1].filled())))?
            .label("model: mean and 5th-95th percentile of runs")
            .legend(|(x, y)| Circle::new((x + 7, y), 5, PALETTE[1].filled()));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .label_font(font(12))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .draw()?;
        Ok(())
    })
    .map(Some)
}

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

/// A scatter of one measure against one parameter, a point per run.
fn scatter(title: &str, x_label: &str, y_label: &str, points: &[(f64, f64)]) -> Result<String> {
    svg(|root| {
        let (x0, x1) = range_of(points.iter().map(|p| p.0));
        let (y0, y1) = range_of(points.iter().map(|p| p.1));
        let mut chart = ChartBuilder::on(&root)
            .caption(title, font(18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .label_style(font(12))
            .axis_desc_style(font(13))
            .light_line_style(WHITE)
            .draw()?;
        chart
            .draw_series(
                points
                    .iter()
                    .map(|&p| Circle::new(p, 3, PALETTE[0].mix(0.6).filled())),
            )?
            .label("one run")
            .legend(|(x, y)| Circle::new((x + 7, y), 3, PALETTE[0].filled()));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font(font(12))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .draw()?;
        Ok(())
    })
}

/// The page of a sweep that kept only its measures: two measures against
/// each numeric parameter, one dot per run.
fn sweep_report(dir: &Path) -> Result<String> {
    let data = crate::analysis::sweep::read_metrics(dir)?;
    let record = dir.join("sweep.ron");
    let text = std::fs::read_to_string(&record).map_err(|e| LuddError::io(&record, e))?;
    let sweep = crate::analysis::sweep::SweepFile::from_ron(&text, &record.to_string_lossy())?;
    let points = sweep.points();
    let params: Vec<String> = points
        .first()
        .map(|p| p.values.iter().map(|(path, _)| path.clone()).collect())
        .unwrap_or_default();
    let mut html = page_head(&format!("sweep {}", sweep.name));
    html.push_str(&format!(
        "<h1>ludd report: sweep {}</h1>\n<p>{} runs over {} points of base scenario {}; measures in the leading region (docs/OUTPUTS.md).</p>\n",
        escape(&sweep.name),
        data.height(),
        points.len(),
        escape(&sweep.base)
    ));
    for (k, p) in params.iter().enumerate() {
        let Ok(xs) = f64s(&data, p) else { continue };
        for (measure, label, unit) in [
            ("protest_years", "total protest", "share of workers x years"),
            (
                "general_half_year",
                "year the general technology passes half of output",
                "year",
            ),
        ] {
            let ys = f64s(&data, measure)?;
            let dots: Vec<(f64, f64)> = xs
                .iter()
                .zip(&ys)
                .map(|(x, y)| (*x, *y))
                .filter(|p| p.0.is_finite() && p.1.is_finite())
                .collect();
            let heading = format!("{label} against {p}");
            let chart = scatter(&heading, p, unit, &dots)?;
            html.push_str(&format!(
                "<figure id=\"chart-sweep-{k}-{measure}\" class=\"chart\">\n<h2>{}</h2>\n{chart}\n</figure>\n",
                escape(&heading)
            ));
        }
    }
    html.push_str("</body>\n</html>\n");
    Ok(html)
}

fn page_head(title: &str) -> String {
    let mut html = String::new();
    html.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    html.push_str(&format!(
        "<title>ludd report: {}</title>\n<style>\n",
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

/// The report of every run at or under `dir`, as one HTML page.
pub fn report(dir: &Path) -> Result<String> {
    if dir.join("sweep.ron").is_file() && !dir.join("runs").is_dir() {
        return sweep_report(dir);
    }
    let found = find_runs(dir)?;
    let runs: Vec<Run> = found.iter().map(read).collect::<Result<_>>()?;
    let first = &runs[0];
    let s = &first.scenario;
    let lead = s.regions[s.leading_region()].name.clone();
    let range = (s.start_year, s.end_year);
    let settings: std::collections::BTreeSet<&str> =
        runs.iter().map(|r| r.setting.as_str()).collect();
    let mut figures: Vec<(&str, String, String, String)> = Vec::new();

    // 1. Adoption by technology kind, stages shaded.
    let lines = vec![
        (
            "craft".to_string(),
            region_series(first, &lead, "craft_output_share")?,
        ),
        (
            "special-purpose tools".to_string(),
            region_series(first, &lead, "special_output_share")?,
        ),
        (
            "general technology".to_string(),
            region_series(first, &lead, "general_output_share")?,
        ),
        (
            "reorganized firms".to_string(),
            region_series(first, &lead, "reorganized_output_share")?,
        ),
    ];
    figures.push((
        "adoption",
        format!("Adoption in {lead}: share of the industry's output by technology"),
        line_chart(LineChart {
            title: &format!("Adoption by technology kind, {lead}"),
            y_label: "share of industry output",
            lines,
            spans: stage_spans(first, &lead, s.end_year)?,
            markers: Vec::new(),
            x_range: range,
        })?,
        "Shaded: the stages as detected (docs/ODD.md, stage detection).".into(),
    ));

    // 2. Real income by group against output per worker, indexed.
    let regions = strs(&first.groups, "region")?;
    let groups = strs(&first.groups, "group")?;
    let years = f64s(&first.groups, "year")?;
    let income = f64s(&first.groups, "real_income")?;
    let people = f64s(&first.groups, "people")?;
    let mut lines = Vec::new();
    // Workers' groups only: owners' income is profit, on another scale.
    for g in ["craft", "operator", "general", "unskilled"] {
        let points: Vec<(f64, f64)> = (0..regions.len())
            .filter(|&i| regions[i] == lead && groups[i] == g && people[i] > 0.0)
            .map(|i| (years[i], income[i]))
            .collect();
        let a = annual(&points);
        if let Some(&(_, base)) = a.iter().find(|p| p.1 > 0.0) {
            lines.push((
                g.to_string(),
                a.iter().map(|&(y, v)| (y, 100.0 * v / base)).collect(),
            ));
        }
    }
    let opw = annual(&region_series(first, &lead, "output_per_worker")?);
    if let Some(&(_, base)) = opw.iter().find(|p| p.1 > 0.0) {
        lines.push((
            "output per worker".into(),
            opw.iter().map(|&(y, v)| (y, 100.0 * v / base)).collect(),
        ));
    }
    figures.push((
        "wages",
        format!("Real income by group against output per worker, {lead}"),
        line_chart(LineChart {
            title: &format!("Workers' real income by group and output per worker, {lead}"),
            y_label: "index, first year with members = 100",
            lines,
            spans: Vec::new(),
            markers: Vec::new(),
            x_range: range,
        })?,
        "Annual means of real disposable income per person in each group; a line starts the first year the group has members.".into(),
    ));

    // 3. Labour share and Gini.
    figures.push((
        "distribution",
        format!("Labour share and income Gini, {lead}"),
        line_chart(LineChart {
            title: &format!("Labour share and income Gini, {lead}"),
            y_label: "share / index (0-1)",
            lines: vec![
                ("labour share".into(), annual(&region_series(first, &lead, "labour_share")?)),
                ("income Gini".into(), annual(&region_series(first, &lead, "gini_income")?)),
            ],
            spans: Vec::new(),
            markers: Vec::new(),
            x_range: range,
        })?,
        "Labour share: wage bill over nominal output. Gini: disposable income of workers, inventors and owner households.".into(),
    ));

    // 4. Protest, with policy changes and repression marked.
    let mut lines = Vec::new();
    for r in &s.regions {
        lines.push((
            r.name.clone(),
            region_series(first, &r.name, "protest_intensity")?,
        ));
    }
    let mut markers = Vec::new();
    let mut policies = Vec::new();
    for (y, kind, detail) in events_of(first, &lead, &["policy", "repression", "machine_ban"])? {
        // Policies are many: a grey line each, named in the caption's list.
        let (color, label) = match kind.as_str() {
            "repression" => (RGBColor(214, 39, 40), "repression".to_string()),
            "machine_ban" => (RGBColor(148, 103, 189), "ban".to_string()),
            _ => {
                policies.push(format!("{y:.0} {detail}"));
                (RGBColor(150, 150, 150), String::new())
            }
        };
        markers.push((y, label, color));
    }
    figures.push((
        "protest",
        "Protest intensity by region, with the leading region's policies and repression".into(),
        line_chart(LineChart {
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
        network_chart(first)?,
        "Regions on a circle; line width proportional to the industry's trade along the route over the whole run.".into(),
    ));

    // 6. Model against history, over the runs of the first setting.
    let first_setting: Vec<&Run> = runs.iter().filter(|r| r.setting == first.setting).collect();
    if let Some(chart) = history_chart(&first_setting, &s.name)? {
        figures.push((
            "history",
            "Model against history".into(),
            chart,
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
            line_chart(LineChart {
                title: &format!(
                    "General technology's share of {lead}'s output, mean of each setting's runs"
                ),
                y_label: "share of industry output",
                lines: per_setting_mean(&runs, &lead, "general_output_share")?,
                spans: Vec::new(),
                markers: Vec::new(),
                x_range: range,
            })?,
            "One line per setting of the comparison.".into(),
        ));
        figures.push((
            "settings-protest",
            "Protest by setting".into(),
            line_chart(LineChart {
                title: &format!("Protest intensity in {lead}, mean of each setting's runs"),
                y_label: "share of workers protesting",
                lines: per_setting_mean(&runs, &lead, "protest_intensity")?,
                spans: Vec::new(),
                markers: Vec::new(),
                x_range: range,
            })?,
            "Annual means; one line per setting of the comparison.".into(),
        ));
    }

    let mut html = page_head(&s.name);
    html.push_str(&format!("<h1>ludd report: {}</h1>\n", escape(&s.name)));
    html.push_str(&format!(
        "<p>{}<br>{} run(s) in {} setting(s) from <code>{}</code>; leading region {}; the single-run charts show the first run (setting '{}').</p>\n",
        escape(&s.description),
        runs.len(),
        settings.len(),
        escape(&dir.display().to_string()),
        escape(&lead),
        escape(&first.setting)
    ));
    for (id, heading, chart, caption) in &figures {
        html.push_str(&format!(
            "<figure id=\"chart-{id}\" class=\"chart\">\n<h2>{}</h2>\n{chart}\n<figcaption>{}</figcaption>\n</figure>\n",
            escape(heading),
            escape(caption)
        ));
    }
    html.push_str("</body>\n</html>\n");
    Ok(html)
}
