-- 009_photos: photos of cases (issue 3, part 5). The files live under DATA/photos, named by the
-- SHA-256 of the cleaned JPEG (content-addressed: the same picture is kept once). `photos` says
-- who uploaded which picture (an upload may be attached only by its uploader); `case_photos`
-- which event of which case shows it (readable by those who can see that case).
CREATE TABLE IF NOT EXISTS photos (
    id TEXT/*C*/ NOT NULL,
    uploader_id BIGINT NOT NULL,
    county TEXT/*C*/ NOT NULL,
    bytes BIGINT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (id, uploader_id)
);

CREATE TABLE IF NOT EXISTS case_photos (
    county TEXT/*C*/ NOT NULL,
    case_id BIGINT NOT NULL,
    seq INTEGER NOT NULL,          -- the case event that shows it
    pos INTEGER NOT NULL,          -- order within the event
    photo_id TEXT/*C*/ NOT NULL,
    PRIMARY KEY (county, case_id, seq, pos)
);
CREATE INDEX IF NOT EXISTS case_photos_photo ON case_photos (photo_id);
