"""Engine layer: the few places that know which database runs the SQL."""
