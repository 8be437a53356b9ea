"""Disaster response (ศบปภ.): the vulnerable people of an affected area, most vulnerable
first, for field teams."""
