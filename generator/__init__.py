"""digest: turn raw scraped news into a curated, browsable static site."""

__version__ = "0.1.0"
