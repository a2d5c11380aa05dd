"""Campaign kits: the kit folder format, authoring, versions and the partner catalog."""
