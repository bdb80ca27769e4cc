"""Below every floor: settings every package reads (paths, broker address)."""
