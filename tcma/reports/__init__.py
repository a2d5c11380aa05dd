"""Reports: the vendor's and partners' dashboards, ROI, kit performance, CSV and PDF exports."""
