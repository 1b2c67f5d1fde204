"""Psychological services (社会心理服务): assessments, counselling, crisis intervention, activities,
and the three-level organisation (community → street → district) of instructions and reports."""
