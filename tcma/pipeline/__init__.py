"""Pipeline: leads, opportunities, stage history, CSV import/export, per-campaign numbers."""
