-- Corrections people send after a prediction (POST /api/feedback): one row each, no drawing, no photo, no IP.
CREATE TABLE corrections (
  -- sha256 of the 784 pixel bytes followed by the label byte, hex: a repeat of the same image and label
  -- maps to the same row, which makes posting idempotent.
  id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 64),
  created_at TEXT NOT NULL,
  model_version TEXT NOT NULL,
  label INTEGER NOT NULL CHECK (label BETWEEN 0 AND 9),
  predicted INTEGER NOT NULL CHECK (predicted BETWEEN 0 AND 9),
  -- The 28×28 image the model saw, row by row, 0 = background, 255 = ink.
  pixels BLOB NOT NULL CHECK (length(pixels) = 784),
  source TEXT NOT NULL CHECK (source IN ('pad', 'api'))
) STRICT;

-- The per-version statistics group by version first (GET /api/model, /api/feedback/stats).
CREATE INDEX corrections_by_version ON corrections (model_version, label, predicted);
