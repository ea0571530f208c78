-- 017_county_settings: a county's own choices (issue 9 part 6), one row per county; no row means
-- the defaults. Owned by domain/cases (reach.c), beside the county's categories and departments.
-- department_registry — what department staff (职能部门) read of the registry (PIPL Art. 6
-- minimum necessary, STANDARDS.md §5):
--   'linked'  the people of the cases their department holds or was summoned to (the default);
--   'county'  every person of the county, masked, as before this setting existed.
-- updated_by: the county admin's account that made the last change (audited as well).
CREATE TABLE IF NOT EXISTS county_settings (
    county TEXT/*C*/ NOT NULL PRIMARY KEY,
    department_registry TEXT NOT NULL DEFAULT 'linked',
    updated_at BIGINT NOT NULL,
    updated_by BIGINT
);
