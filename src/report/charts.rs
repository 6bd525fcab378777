//! The charts, drawn with plotters as SVG text. The font is compiled into
//! the binary and registered with plotters, which measures the text with it
//! when laying a chart out; the page embeds the same font.

use super::data::{Line, Network, TargetRow};
use super::fail;
use crate::error::Result;
use plotters::prelude::*;

pub(super) const FONT: &[u8] = include_bytes!("DejaVuSans.ttf");
pub(super) const FAMILY: &str = "DejaVu Sans";
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

fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The font is a valid TrueType file compiled into the binary.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT);
    });
}

/// The largest magnitude a chart draws. Beyond it, the span of a chart's
/// range (and plotters' tick arithmetic on it) would overflow to infinity,
/// and plotters then loops for ever looking for ticks; no quantity of the
/// model comes near it, so a value beyond it (from a damaged table) is left
/// out of the chart like a NaN.
const DRAWABLE: f64 = 1e300;

fn drawable(v: f64) -> bool {
    v.is_finite() && v.abs() <= DRAWABLE
}

/// The range of the drawable values, padded; (0, 1) when there is none.
fn range_of(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| drawable(*v))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    // The padding is relative to the values' size as well, so that a
    // constant large value still spans a range that f64 can tell apart.
    let pad = ((hi - lo) * 0.05)
        .max(hi.abs().max(lo.abs()) * 1e-6)
        .max(1e-9);
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
pub(super) struct LineChart<'a> {
    pub title: &'a str,
    pub y_label: &'a str,
    pub lines: Vec<Line>,
    pub spans: Vec<(f64, f64, String)>,
    pub markers: Vec<(f64, String, RGBColor)>,
    pub x_range: (f64, f64),
}

pub(super) fn line_chart(c: LineChart<'_>) -> Result<String> {
    svg(|root| {
        // Spans, markers and the lines' points are at years read from the
        // run's tables: only what lies within the chart's years is drawn,
        // since plotters overflows mapping a point far outside its range.
        let (x0, x1) = c.x_range;
        let within = |x: f64| x.is_finite() && (x0..=x1).contains(&x);
        let (y0, y1) = range_of(
            c.lines
                .iter()
                .flat_map(|(_, p)| p.iter().filter(|q| within(q.0)).map(|q| q.1)),
        );
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
            if a.is_nan() || b.is_nan() {
                continue;
            }
            let color = shades[i % shades.len()];
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(a.clamp(x0, x1), y0), (b.clamp(x0, x1), y1)],
                    color.filled(),
                )))?
                .label(label.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.filled())
                });
        }
        for (x, label, color) in c.markers.iter().filter(|m| within(m.0)) {
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
                    points
                        .iter()
                        .copied()
                        .filter(|p| within(p.0) && drawable(p.1)),
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

/// The vertical marker of an event of the given kind at year `x`.
pub(super) fn event_marker(x: f64, kind: &str) -> (f64, String, RGBColor) {
    let (color, label) = match kind {
        "repression" => (RGBColor(214, 39, 40), "repression".to_string()),
        "machine_ban" => (RGBColor(148, 103, 189), "ban".to_string()),
        // Policies are many: a grey line each, named in the caption's list.
        _ => (RGBColor(150, 150, 150), String::new()),
    };
    (x, label, color)
}

pub(super) fn network_chart(network: &Network) -> Result<String> {
    let n = network.regions.len();
    let place: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let a = std::f64::consts::TAU * i as f64 / n as f64 + std::f64::consts::FRAC_PI_2;
            (a.cos(), a.sin())
        })
        .collect();
    svg(|root| {
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "Trade network: routes sized by trade in the industry's good over the run",
                font(20),
            )
            .margin(12)
            .build_cartesian_2d(-1.6f64..1.6f64, -1.3f64..1.3f64)?;
        for route in &network.routes {
            let (a, b) = route.ends;
            let v = route.value;
            let width = 1 + (14.0 * v / network.biggest).round() as u32;
            let color = if route.embargoed {
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
            let label = if route.embargoed {
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
        for (i, name) in network.regions.iter().enumerate() {
            chart.draw_series(std::iter::once(Circle::new(
                place[i],
                10,
                PALETTE[i % PALETTE.len()].filled(),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                name.clone(),
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
pub(super) fn history_chart(rows: &[TargetRow]) -> Result<String> {
    let clip = |v: f64| v.clamp(-2.0, 3.0);
    let n = rows.len() as f64;
    svg(|root| {
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "Model against history: each target's band scaled to [0, 1]",
                font(20),
            )
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
                rows.get(i).map(|r| r.label.clone()).unwrap_or_default()
            })
            .label_style(font(12))
            .axis_desc_style(font(13))
            .light_line_style(WHITE)
            .draw()?;
        for (i, row) in rows.iter().enumerate() {
            let y = i as f64;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y - 0.3), (1.0, y + 0.3)],
                RGBColor(200, 200, 200).filled(),
            )))?;
            chart.draw_series(std::iter::once(Cross::new(
                (clip(row.history), y),
                6,
                BLACK.stroke_width(2),
            )))?;
            if drawable(row.mean) && drawable(row.low) && drawable(row.high) {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(clip(row.low), y), (clip(row.high), y)],
                    PALETTE[0].stroke_width(3),
                )))?;
                chart.draw_series(std::iter::once(Circle::new(
                    (clip(row.mean), y),
                    5,
                    PALETTE[1].filled(),
                )))?;
            }
        }
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(0.0, -1.0), (0.0, -1.0)],
                RGBColor(200, 200, 200).filled(),
            )))?
            .label("historical band")
            .legend(|(x, y)| {
                Rectangle::new(
                    [(x, y - 5), (x + 14, y + 5)],
                    RGBColor(200, 200, 200).filled(),
                )
            });
        chart
            .draw_series(std::iter::once(Cross::new((-5.0, -5.0), 0, BLACK)))?
            .label("historical figure")
            .legend(|(x, y)| Cross::new((x + 7, y), 5, BLACK.stroke_width(2)));
        chart
            .draw_series(std::iter::once(Circle::new(
                (-5.0, -5.0),
                0,
                PALETTE[1].filled(),
            )))?
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
}

/// A scatter of one measure against one parameter, a point per run.
pub(super) fn scatter(
    title: &str,
    x_label: &str,
    y_label: &str,
    points: &[(f64, f64)],
) -> Result<String> {
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
                    .filter(|p| drawable(p.0) && drawable(p.1))
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
