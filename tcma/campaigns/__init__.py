"""Partner campaigns: customise a kit, download co-branded assets, launch, landing pages."""
