"""TPMAP's poverty index: the household survey's 17 indicators (จปฐ.) in five dimensions."""
