-- 005_grid_bounds: a grid's boundary (GeoJSON in regions.geojson) gets its bounding box, so
-- placing a reported location only parses the few grids whose box holds the point.
ALTER TABLE regions ADD COLUMN min_lon DOUBLE PRECISION;
ALTER TABLE regions ADD COLUMN min_lat DOUBLE PRECISION;
ALTER TABLE regions ADD COLUMN max_lon DOUBLE PRECISION;
ALTER TABLE regions ADD COLUMN max_lat DOUBLE PRECISION;
CREATE INDEX IF NOT EXISTS regions_bbox ON regions (county, level, min_lon);
