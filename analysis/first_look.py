"""A first look at one ludd run directory with Python polars.

Usage: python3 analysis/first_look.py runs/loom-1 [region]
"""

import sys

import polars as pl

run = sys.argv[1] if len(sys.argv) > 1 else "runs/loom-1"
region = sys.argv[2] if len(sys.argv) > 2 else "britain"

series = pl.read_parquet(f"{run}/series.parquet")
summary = pl.read_parquet(f"{run}/summary.parquet")
groups = pl.read_parquet(f"{run}/groups.parquet")

print("Stage dates by region")
print(summary.select("region", "stage1_year", "stage2_year", "stage3_year", "general_share_end", "protest_waves"))

print(f"\nAdoption and wages in {region}, every ten years")
print(
    series.filter((pl.col("region") == region) & (pl.col("year") % 10 == 0))
    .select(
        "year",
        "stage",
        "craft_output_share",
        "special_output_share",
        "general_output_share",
        "real_wage",
        "craft_real_wage",
        "output_per_worker",
        "protest_intensity",
    )
)

print(f"\nReal income by group in {region}: first year, trough, last year")
yearly = (
    groups.filter(pl.col("region") == region)
    .with_columns(pl.col("year").floor().alias("y"))
    .group_by("group", "y")
    .agg(pl.col("real_income").mean())
)
print(
    yearly.group_by("group")
    .agg(
        pl.col("real_income").sort_by("y").first().alias("first"),
        pl.col("real_income").min().alias("trough"),
        pl.col("real_income").sort_by("y").last().alias("last"),
    )
    .with_columns((pl.col("last") / pl.col("first") - 1).alias("change"))
    .sort("group")
)
