"""Rental-housing grading (出租屋分级分类评定): one inspection checklist shared by every department,
a grade by risk that sets how often a house is inspected, and rectifications with deadlines."""
