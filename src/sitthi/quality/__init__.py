"""The data quality report: what each agency's list lacks, repeats and disagrees on."""
