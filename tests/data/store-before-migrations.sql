-- A database made by Saga Lab before app/migrations.py (main at da49e99), as `.dump` writes it.
BEGIN TRANSACTION;
CREATE TABLE events (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
INSERT INTO "events" VALUES('RUNOLD0001',0,'{"seq":0,"kind":"run.started"}');
INSERT INTO "events" VALUES('RUNOLD0001',1,'{"seq":1,"kind":"saga.started","saga":"BOOK001"}');
INSERT INTO "events" VALUES('RUNOLD0001',2,'{"seq":2,"kind":"step.done","note":"café"}');
INSERT INTO "events" VALUES('RUNOLD0002',0,'{"seq":0,"kind":"run.started"}');
CREATE TABLE experiments (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    name TEXT NOT NULL,
    spec TEXT NOT NULL,
    status TEXT NOT NULL,
    progress TEXT NOT NULL,
    points TEXT NOT NULL DEFAULT '[]',
    error TEXT
);
INSERT INTO "experiments" VALUES('EXPOLD0001',1.79652942985821413991e+09,'sweep','{"name": "sweep"}','finished','{"done": 2, "total": 2}','[{"x": 0.1, "rate": 0.5}]',NULL);
CREATE TABLE polls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    class_code TEXT NOT NULL,
    created REAL NOT NULL,
    seq INTEGER NOT NULL,
    question TEXT NOT NULL,
    choices TEXT NOT NULL,
    rule TEXT,
    counts TEXT NOT NULL,
    open INTEGER NOT NULL,
    answer TEXT
);
INSERT INTO "polls" VALUES(1,'RUNOLD0001','ABCDEF',1.79652942985863971715e+09,1,'What first?','["flight", "hotel"]',NULL,'{"flight": 0, "hotel": 1}',0,NULL);
CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    preset TEXT,
    params TEXT NOT NULL,
    speed TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    summary TEXT,
    t REAL NOT NULL DEFAULT 0,
    event_count INTEGER NOT NULL DEFAULT 0,
    token_digest TEXT
);
INSERT INTO "runs" VALUES('RUNOLD0001',1.79652942985771536831e+09,'tutorial','{"mode": "orchestration", "bookings": 2, "seed": 1}','"instant"','running',NULL,NULL,3.5,3,'abababababababababababababababababababababababababababababababab');
INSERT INTO "runs" VALUES('RUNOLD0002',1.79652942985789155962e+09,NULL,'{"mode": "choreography", "bookings": 1, "seed": 2}','1.0','finished',NULL,'{"sagas": 1, "succeeded": 1}',1.0,1,NULL);
CREATE INDEX runs_created ON runs (created DESC);
CREATE INDEX experiments_created ON experiments (created DESC);
CREATE INDEX polls_run ON polls (run_id, id);
DELETE FROM "sqlite_sequence";
INSERT INTO "sqlite_sequence" VALUES('polls',1);
COMMIT;
