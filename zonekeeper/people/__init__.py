"""People, their MR training, safety designations and own screening."""
