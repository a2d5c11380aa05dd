"""Co-branding: partner brand profiles and the render engine (in render/)."""
