/*
 * SQLite as the ARCHITECTURE asks: WAL, synchronous=FULL so a commit
 * survives power loss, foreign keys on, a busy timeout, BEGIN IMMEDIATE
 * for writes, and the schema versioned by PRAGMA user_version with
 * forward-only migrations.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "db_checkpoint.h"
#include "fold.h"
#include "log.h"

/*
 * The page cache, in KiB (negative, as the pragma takes it): the whole
 * database of a large practice (25 MB for 100,000 sessions), filled as
 * pages are read.  At SQLite's 2 MB, each scan read its pages again
 * through pread(2): a third of a request's time.
 */
#define DB_CACHE_KIB	"-65536"

struct db_cached {
	const char	*sql;
	sqlite3_stmt	*stmt;
};

struct db_hook {
	void		(*fn)(void *);
	void		*arg;
};

/* An open savepoint, and how many hooks were queued before it. */
struct db_mark {
	char		*name;
	size_t		 nhooks;
};

/* A savepoint's statement, prepared once: an import opens one an
 * event, and parsing it each time cost more than running it. */
#define DB_NAMED_MAX	16
struct db_named {
	char			*sql;
	sqlite3_stmt		*stmt;
};

struct db {
	sqlite3			*sqlite;
	char			*path;
	struct db_cached	*cache;
	size_t			 ncache;
	struct db_hook		*hooks;		/* run after COMMIT */
	size_t			 nhooks;
	struct db_mark		*marks;		/* savepoints, outermost first */
	size_t			 nmarks;
	struct db_named		 named[DB_NAMED_MAX];	/* SAVEPOINT x... */
	size_t			 nnamed;
	int			 storage;	/* DB_STORAGE_* since BEGIN */
	struct checkpointer	*checkpointer;	/* NULL: in the COMMIT */
};

/*
 * Migration N takes the schema from user_version N to N+1.  Times are
 * UTC instants in seconds; the zone that gives them meaning is stored
 * beside them.
 */
static const char *db_migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE clinicians ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  email TEXT,"
	"  phone TEXT,"
	"  zone TEXT NOT NULL,"
	"  active INTEGER NOT NULL DEFAULT 1,"
	"  created INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX clinicians_name ON clinicians(name COLLATE NOCASE);"
	"CREATE TABLE working_hours ("
	"  id INTEGER PRIMARY KEY,"
	"  clinician_id INTEGER NOT NULL REFERENCES clinicians(id)"
	"    ON DELETE CASCADE,"
	"  weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),"
	"  start_min INTEGER NOT NULL,"
	"  end_min INTEGER NOT NULL,"
	"  CHECK (start_min >= 0 AND start_min < end_min AND end_min <= 1440));"
	"CREATE INDEX working_hours_clinician ON working_hours(clinician_id);"
	"CREATE TABLE clients ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  email TEXT,"
	"  phone TEXT,"
	"  remind_email INTEGER NOT NULL DEFAULT 0,"
	"  remind_sms INTEGER NOT NULL DEFAULT 0,"
	"  zone TEXT,"
	"  active INTEGER NOT NULL DEFAULT 1,"
	"  created INTEGER NOT NULL);"
	"CREATE INDEX clients_name ON clients(name COLLATE NOCASE);"
	"CREATE TABLE services ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  minutes INTEGER NOT NULL CHECK (minutes BETWEEN 5 AND 480),"
	"  buffer INTEGER NOT NULL DEFAULT 0 CHECK (buffer BETWEEN 0 AND 120),"
	"  active INTEGER NOT NULL DEFAULT 1);"
	"CREATE UNIQUE INDEX services_name ON services(name COLLATE NOCASE);"
	"CREATE TABLE rooms ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  active INTEGER NOT NULL DEFAULT 1);"
	"CREATE UNIQUE INDEX rooms_name ON rooms(name COLLATE NOCASE);"
	"CREATE TABLE appointments ("
	"  id INTEGER PRIMARY KEY,"
	"  clinician_id INTEGER NOT NULL REFERENCES clinicians(id),"
	"  client_id INTEGER NOT NULL REFERENCES clients(id),"
	"  service_id INTEGER NOT NULL REFERENCES services(id),"
	"  room_id INTEGER REFERENCES rooms(id),"
	"  video_url TEXT,"
	"  start_utc INTEGER NOT NULL,"
	"  end_utc INTEGER NOT NULL,"
	"  block_end_utc INTEGER NOT NULL,"	/* end plus buffer */
	"  zone TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'booked' CHECK (state IN"
	"    ('booked','confirmed','cancelled','attended','no-show')),"
	"  cancelled_by TEXT CHECK (cancelled_by IN ('client','practice')),"
	"  cancel_reason TEXT,"
	"  late INTEGER NOT NULL DEFAULT 0,"
	"  forced INTEGER NOT NULL DEFAULT 0,"
	"  overlap INTEGER NOT NULL DEFAULT 0,"
	"  version INTEGER NOT NULL DEFAULT 1,"
	"  created INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL,"
	"  CHECK (start_utc < end_utc AND end_utc <= block_end_utc));"
	"CREATE INDEX appointments_clinician"
	"  ON appointments(clinician_id, start_utc);"
	"CREATE INDEX appointments_room ON appointments(room_id, start_utc)"
	"  WHERE room_id IS NOT NULL;"
	"CREATE INDEX appointments_client ON appointments(client_id, start_utc);"
	"CREATE INDEX appointments_start ON appointments(start_utc);"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  uid INTEGER NOT NULL,"
	"  user TEXT NOT NULL,"
	"  role TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  object TEXT NOT NULL,"
	"  object_id INTEGER,"
	"  detail TEXT);"
	"CREATE INDEX audit_at ON audit(at);",

	/* 1 -> 2: series, their occurrences, closures */
	"CREATE TABLE series ("
	"  id INTEGER PRIMARY KEY,"
	"  clinician_id INTEGER NOT NULL REFERENCES clinicians(id),"
	"  client_id INTEGER NOT NULL REFERENCES clients(id),"
	"  service_id INTEGER NOT NULL REFERENCES services(id),"
	"  room_id INTEGER REFERENCES rooms(id),"
	"  video_url TEXT,"
	"  rrule TEXT NOT NULL,"		/* without UNTIL: see until_utc */
	"  zone TEXT NOT NULL,"			/* wall times live here */
	"  first_local TEXT NOT NULL,"		/* YYYY-MM-DD HH:MM */
	"  first_utc INTEGER NOT NULL,"
	"  minutes INTEGER NOT NULL,"
	"  buffer INTEGER NOT NULL,"
	"  until_utc INTEGER,"			/* exclusive; NULL: open */
	"  until_date TEXT,"			/* what the user said */
	"  materialized_until INTEGER NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'active'"
	"    CHECK (state IN ('active','ended','cancelled')),"
	"  parent_id INTEGER REFERENCES series(id),"
	"  created INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL);"
	"CREATE INDEX series_client ON series(client_id);"
	"CREATE INDEX series_clinician ON series(clinician_id);"
	"ALTER TABLE appointments ADD COLUMN series_id INTEGER"
	"  REFERENCES series(id);"
	"ALTER TABLE appointments ADD COLUMN recurrence_utc INTEGER;"
	"ALTER TABLE appointments ADD COLUMN override INTEGER NOT NULL"
	"  DEFAULT 0;"
	"CREATE UNIQUE INDEX appointments_occurrence"
	"  ON appointments(series_id, recurrence_utc)"
	"  WHERE series_id IS NOT NULL;"
	/* Occurrences the series does not hold, and why (EXDATE). */
	"CREATE TABLE series_skips ("
	"  series_id INTEGER NOT NULL REFERENCES series(id),"
	"  recurrence_utc INTEGER NOT NULL,"
	"  reason TEXT NOT NULL CHECK (reason IN ('clash','closure')),"
	"  detail TEXT,"
	"  PRIMARY KEY (series_id, recurrence_utc));"
	/* AUTOINCREMENT: a removed closure's id is never reused. */
	"CREATE TABLE closures ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  clinician_id INTEGER REFERENCES clinicians(id),"
	"  first_day TEXT NOT NULL,"
	"  last_day TEXT NOT NULL,"
	"  zone TEXT NOT NULL,"
	"  start_utc INTEGER NOT NULL,"
	"  end_utc INTEGER NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  CHECK (start_utc < end_utc));"
	"CREATE INDEX closures_end ON closures(end_utc);",

	/*
	 * 2 -> 3: a series is active until its last session, which is read
	 * from its end and its sessions (series.c), not stored: the series
	 * a split stored as ended while sessions were still ahead are
	 * active again.  A split is found from its old side too.
	 */
	"UPDATE series SET state = 'active' WHERE state = 'ended';"
	"CREATE INDEX series_parent ON series(parent_id)"
	"  WHERE parent_id IS NOT NULL;",

	/*
	 * 3 -> 4: the outbox.  One row a reminder or notice of an
	 * appointment's version (a move makes new ones and supersedes the
	 * old), and one row a delivery attempt.  SMS consent is recorded
	 * with when and by whom.
	 */
	"ALTER TABLE clients ADD COLUMN sms_consent_at INTEGER;"
	"ALTER TABLE clients ADD COLUMN sms_consent_by TEXT;"
	"CREATE TABLE reminders ("
	"  id INTEGER PRIMARY KEY,"
	"  appointment_id INTEGER NOT NULL REFERENCES appointments(id),"
	"  notice TEXT NOT NULL CHECK (notice IN"
	"    ('reminder','confirmation','reschedule','cancellation')),"
	"  channel TEXT NOT NULL CHECK (channel IN ('email','sms')),"
	"  rule_minutes INTEGER,"		/* a reminder's rule */
	"  version INTEGER NOT NULL,"		/* the appointment's */
	"  due_utc INTEGER NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN"
	"    ('pending','sending','sent','failed','expired','skipped',"
	"     'superseded')),"
	"  recipient TEXT,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  in_doubt INTEGER NOT NULL DEFAULT 0,"
	"  reason TEXT,"
	"  provider_id TEXT,"
	"  created INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL,"
	"  UNIQUE (appointment_id, notice, channel, rule_minutes, version));"
	"CREATE INDEX reminders_due ON reminders(due_utc)"
	"  WHERE state = 'pending';"
	"CREATE INDEX reminders_appointment ON reminders(appointment_id);"
	"CREATE TABLE deliveries ("
	"  id INTEGER PRIMARY KEY,"
	"  reminder_id INTEGER NOT NULL REFERENCES reminders(id),"
	"  attempt INTEGER NOT NULL,"
	"  started INTEGER NOT NULL,"
	"  finished INTEGER,"
	"  outcome TEXT CHECK (outcome IN"
	"    ('sent','retry','failed','in_doubt')),"
	"  code INTEGER,"
	"  detail TEXT);"
	"CREATE INDEX deliveries_reminder ON deliveries(reminder_id, attempt);"
	/* The outbox read in due order, by state and across states: a page
	 * without sorting the table. */
	"CREATE INDEX reminders_state_due ON reminders(state, due_utc);"
	"CREATE INDEX reminders_due_all ON reminders(due_utc);",

	/*
	 * 4 -> 5: a retry asked by the staff gives a reminder a fresh
	 * budget of tries; attempts keeps counting (it numbers the
	 * deliveries), so the budget is counted from here.
	 */
	"ALTER TABLE reminders ADD COLUMN retry_from INTEGER NOT NULL"
	"  DEFAULT 0;"
	/* A notice keeps what the client had been told before it (the
	 * session's start and place; NULL: nothing booked), so changes
	 * within its grace period make one notice, or none. */
	"ALTER TABLE reminders ADD COLUMN told_start INTEGER;"
	"ALTER TABLE reminders ADD COLUMN told_place TEXT;"
	/* The attendance report reads every session's few columns: from
	 * this index alone, a third of the time of the table. */
	"CREATE INDEX appointments_care ON appointments(client_id,"
	"  start_utc, state, cancelled_by, late, clinician_id);"
	/*
	 * And what an iCalendar export needs.  The practice's own
	 * random id makes UIDs stable and unique across practices without
	 * a client detail; a series' version is its SEQUENCE and modified
	 * its LAST-MODIFIED, moved only when what its VEVENT shows changes
	 * (its rule, time, place, end, state or its EXDATEs: skips, and
	 * sessions that leave it or its clinician), not when the horizon
	 * extension stores it again; NULL while it never changed (the
	 * series' own updated is as late as anything in it so far).
	 */
	"CREATE TABLE practice ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  uid TEXT NOT NULL);"
	"INSERT INTO practice (id, uid) VALUES (1, lower(hex(randomblob(16))));"
	"ALTER TABLE series ADD COLUMN version INTEGER NOT NULL DEFAULT 1;"
	"ALTER TABLE series ADD COLUMN modified INTEGER;"
	"UPDATE series SET modified = updated;"
	"CREATE TRIGGER series_version AFTER UPDATE ON series"
	"  WHEN NEW.rrule IS NOT OLD.rrule OR NEW.zone IS NOT OLD.zone"
	"   OR NEW.first_local IS NOT OLD.first_local"
	"   OR NEW.minutes IS NOT OLD.minutes"
	"   OR NEW.until_utc IS NOT OLD.until_utc"
	"   OR NEW.state IS NOT OLD.state"
	"   OR NEW.clinician_id IS NOT OLD.clinician_id"
	"   OR NEW.client_id IS NOT OLD.client_id"
	"   OR NEW.room_id IS NOT OLD.room_id"
	"   OR NEW.video_url IS NOT OLD.video_url"
	"  BEGIN UPDATE series SET version = OLD.version + 1,"
	"   modified = NEW.updated WHERE id = NEW.id; END;"
	"CREATE TRIGGER series_skip_added AFTER INSERT ON series_skips"
	"  BEGIN UPDATE series SET version = version + 1,"
	"   modified = CAST(strftime('%s', 'now') AS INTEGER)"
	"   WHERE id = NEW.series_id; END;"
	"CREATE TRIGGER series_skip_removed AFTER DELETE ON series_skips"
	"  BEGIN UPDATE series SET version = version + 1,"
	"   modified = CAST(strftime('%s', 'now') AS INTEGER)"
	"   WHERE id = OLD.series_id; END;"
	/* A session leaving its series or clinician is an EXDATE more. */
	"CREATE TRIGGER series_session_left AFTER UPDATE OF clinician_id,"
	"  series_id ON appointments WHEN OLD.series_id IS NOT NULL AND"
	"  (NEW.clinician_id IS NOT OLD.clinician_id"
	"   OR NEW.series_id IS NOT OLD.series_id)"
	"  BEGIN UPDATE series SET version = version + 1,"
	"   modified = NEW.updated WHERE id = OLD.series_id; END;"
	/*
	 * And the calendar feeds (feed.c): a clinician's schedule at a
	 * secret address.  The token is never stored, only its SHA-256,
	 * found by its first 8 bytes (token_key, hex) and compared whole
	 * in constant time.  changed is when the text last changed (its
	 * Last-Modified), seen by a fetch; the last fetch is kept.
	 */
	"CREATE TABLE feeds ("
	"  id INTEGER PRIMARY KEY,"
	"  clinician_id INTEGER NOT NULL REFERENCES clinicians(id),"
	"  detail TEXT NOT NULL CHECK (detail IN ('busy','initials','full')),"
	"  token_key TEXT NOT NULL,"
	"  token_hash BLOB NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  rotated INTEGER,"
	"  revoked INTEGER,"
	"  etag TEXT,"
	"  changed INTEGER,"
	"  fetches INTEGER NOT NULL DEFAULT 0,"
	"  fetched INTEGER,"
	"  fetch_address TEXT,"
	"  fetch_agent TEXT);"
	"CREATE INDEX feeds_token ON feeds(token_key);",

	/*
	 * 5 -> 6: busy blocks (busy.c): times a clinician is taken by
	 * something that is not a session, from an import or from her
	 * private calendar (busy_calendars).  Only the start and end are
	 * kept, never what the time was for.  A block longer than a week
	 * is stored as pieces of a week at most (piece_of: the first), so
	 * that an overlap lookup scans a week of the start index.
	 */
	"CREATE TABLE busy_calendars ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  clinician_id INTEGER NOT NULL REFERENCES clinicians(id),"
	"  url TEXT NOT NULL,"			/* a secret: never shown whole */
	"  every INTEGER NOT NULL,"		/* seconds between fetches */
	"  etag TEXT,"
	"  last_modified TEXT,"			/* as the server said it */
	"  last_fetch INTEGER,"
	"  last_ok INTEGER,"
	"  last_error TEXT,"			/* NULL since the last success */
	"  blocks INTEGER NOT NULL DEFAULT 0,"
	"  created INTEGER NOT NULL,"
	"  created_by TEXT NOT NULL);"
	"CREATE INDEX busy_calendars_clinician"
	"  ON busy_calendars(clinician_id);"
	"CREATE TABLE busy_blocks ("
	"  id INTEGER PRIMARY KEY,"
	"  clinician_id INTEGER NOT NULL REFERENCES clinicians(id),"
	"  start_utc INTEGER NOT NULL,"
	"  end_utc INTEGER NOT NULL,"
	"  source TEXT NOT NULL CHECK (source IN ('import','calendar')),"
	"  calendar_id INTEGER REFERENCES busy_calendars(id)"
	"    ON DELETE CASCADE,"
	"  piece_of INTEGER,"
	"  created INTEGER NOT NULL,"
	"  CHECK (start_utc < end_utc AND end_utc - start_utc <= 604800),"
	"  CHECK ((source = 'calendar') = (calendar_id IS NOT NULL)));"
	"CREATE INDEX busy_blocks_start"
	"  ON busy_blocks(clinician_id, start_utc);"
	"CREATE INDEX busy_blocks_calendar ON busy_blocks(calendar_id)"
	"  WHERE calendar_id IS NOT NULL;"
	"CREATE INDEX busy_blocks_piece ON busy_blocks(piece_of)"
	"  WHERE piece_of IS NOT NULL;",

	/*
	 * 6 -> 7: what an iCalendar import made of each event (import.c):
	 * by UID and occurrence (its RECURRENCE-ID instant, 0 for a lone
	 * event) the session or busy block, with the SEQUENCE and a hash of
	 * what was imported, so a second import changes only what changed.
	 * clash marks a session imported over another (its attention).
	 */
	"CREATE TABLE import_map ("
	"  uid TEXT NOT NULL,"
	"  occurrence INTEGER NOT NULL,"
	"  clinician_id INTEGER NOT NULL REFERENCES clinicians(id),"
	"  appointment_id INTEGER REFERENCES appointments(id),"
	"  busy_id INTEGER,"
	"  sequence INTEGER NOT NULL,"
	"  hash TEXT NOT NULL,"
	"  clash INTEGER NOT NULL DEFAULT 0,"
	"  imported INTEGER NOT NULL,"
	"  PRIMARY KEY (uid, occurrence)) WITHOUT ROWID;"
	"CREATE INDEX import_map_appointment ON import_map(appointment_id);",

	/*
	 * 7 -> 8: indexes another one already serves, each a write more
	 * for every session and reminder: appointments_care begins with
	 * (client_id, start_utc), reminders' UNIQUE constraint with
	 * appointment_id, and reminders_state_due reads the pending ones
	 * in due order.
	 */
	"DROP INDEX appointments_client;"
	"DROP INDEX reminders_appointment;"
	"DROP INDEX reminders_due;",

	/*
	 * 8 -> 9: notices told with another (below), and indexes that
	 * answer from themselves, for no more writes than before.  The
	 * sessions by start carry their state: the count of those ahead
	 * (the status, polled) reads only those.  A clinician's and a
	 * room's carry the end and the state: a clash check read every
	 * session of the ten hours before from the table (8 us a booking,
	 * a fifth of an import's).
	 */
	"DROP INDEX appointments_start;"
	"CREATE INDEX appointments_start ON appointments(start_utc, state);"
	"DROP INDEX appointments_clinician;"
	"CREATE INDEX appointments_clinician ON appointments(clinician_id,"
	"  start_utc, block_end_utc, state);"
	"DROP INDEX appointments_room;"
	"CREATE INDEX appointments_room ON appointments(room_id, start_utc,"
	"  block_end_utc, state) WHERE room_id IS NOT NULL;"
	/* A notice superseded by another that tells of it with its own
	 * (sessions of a series changed at once): that one's id. */
	"ALTER TABLE reminders ADD COLUMN told_by INTEGER;"
	"CREATE INDEX reminders_told_by ON reminders(told_by)"
	"  WHERE told_by IS NOT NULL;",
};

#define DB_NMIGRATIONS	(sizeof(db_migrations) / sizeof(db_migrations[0]))

/* Whether the last failure was the storage's, kept for the caller's answer. */
static void
db_note_failure(struct db *db)
{
	switch (sqlite3_extended_errcode(db->sqlite) & 0xff) {
	case SQLITE_FULL:
		db->storage = DB_STORAGE_FULL;
		break;
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
		db->storage = DB_STORAGE_READONLY;
		break;
	case SQLITE_IOERR:
		db->storage = DB_STORAGE_IOERR;
		break;
	default:
		break;
	}
}

int
db_storage_error(struct db *db)
{
	if (db == NULL)
		return DB_STORAGE_OK;
	db_note_failure(db);	/* a step the caller ran itself */
	return db->storage;
}

void
db_storage_clear(struct db *db)
{
	db->storage = DB_STORAGE_OK;
}

static int
db_exec(struct db *db, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(db->sqlite, sql, NULL, NULL, &msg) != SQLITE_OK) {
		db_note_failure(db);
		log_warnx("database: %s", msg != NULL ? msg :
		    sqlite3_errmsg(db->sqlite));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
db_schema_version(struct db *db)
{
	return (int)db_count(db, "PRAGMA user_version");
}

static int
db_migrate(struct db *db, char *err, size_t errlen)
{
	char	 sql[64];
	int	 version;

	version = db_schema_version(db);
	if (version < 0 || (size_t)version > DB_NMIGRATIONS) {
		snprintf(err, errlen, "database schema version %d is newer "
		    "than this practiced (%zu)", version, DB_NMIGRATIONS);
		return -1;
	}
	for (; (size_t)version < DB_NMIGRATIONS; version++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
		    version + 1);
		if (db_begin(db) == -1)
			goto fail;
		if (db_exec(db, db_migrations[version]) == -1 ||
		    db_exec(db, sql) == -1) {
			db_rollback(db);
			goto fail;
		}
		if (db_commit(db) == -1)
			goto fail;
		log_info("database migrated to schema version %d",
		    version + 1);
	}
	return 0;
fail:
	snprintf(err, errlen, "migration to schema version %d failed",
	    version + 1);
	return -1;
}

/*
 * Client data is health data: the database and the -wal and -shm files
 * SQLite gives the database's mode are the owner's only.  Group and other
 * bits are taken away (a cp-restored 0644 file); the owner's are left, so
 * a file an administrator made read-only stays read-only and is refused.
 */
static int
db_make_private(const char *path, char *err, size_t errlen)
{
	static const char	*suffixes[] = { "", "-wal", "-shm" };
	struct stat		 sb;
	char			 file[4096];
	size_t			 i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		if ((size_t)snprintf(file, sizeof(file), "%s%s", path,
		    suffixes[i]) >= sizeof(file)) {
			snprintf(err, errlen, "%s: path too long", path);
			return -1;
		}
		if (stat(file, &sb) == -1) {
			if (errno == ENOENT)
				continue;
			snprintf(err, errlen, "%s: %s", file, strerror(errno));
			return -1;
		}
		if ((sb.st_mode & (S_IRWXG | S_IRWXO)) == 0)
			continue;
		if (chmod(file, sb.st_mode & S_IRWXU) == -1) {
			snprintf(err, errlen, "%s is readable by others and "
			    "cannot be made private (mode 0600): %s", file,
			    strerror(errno));
			return -1;
		}
		log_info("%s was mode %04o, now %04o", file,
		    (unsigned)(sb.st_mode & 07777), (unsigned)(sb.st_mode &
		    S_IRWXU));
	}
	return 0;
}

/*
 * A database that cannot be written must not look healthy: SQLite opens
 * a write-protected file read-only without a word, so ask it, then
 * commit one harmless write (the schema version, unchanged).
 */
static int
db_check_writable(struct db *db, char *err, size_t errlen)
{
	char	 sql[64];

	if (sqlite3_db_readonly(db->sqlite, "main") == 1) {
		snprintf(err, errlen, "%s is read-only to practiced (uid %u); "
		    "it must be able to write it, its -wal and -shm files "
		    "and its folder", db->path, (unsigned)geteuid());
		return -1;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    db_schema_version(db));
	if (db_begin(db) == -1 || db_exec(db, sql) == -1 ||
	    db_commit(db) == -1) {
		db_rollback(db);
		snprintf(err, errlen, "%s cannot be written: %s", db->path,
		    sqlite3_errmsg(db->sqlite));
		return -1;
	}
	return 0;
}

/* SQLite's own threshold for a checkpoint after a commit. */
#define DB_CHECKPOINT_PAGES	1000

/* After each commit: past the threshold, a checkpoint, here or on the
 * checkpointer's thread. */
static int
db_wal_hook(void *arg, sqlite3 *sqlite, const char *name, int pages)
{
	struct db	*db = arg;

	if (pages < DB_CHECKPOINT_PAGES)
		return SQLITE_OK;
	if (db->checkpointer != NULL)
		checkpointer_kick(db->checkpointer);
	else
		(void)sqlite3_wal_checkpoint_v2(sqlite, name,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

int
db_checkpoint_thread(struct db *db, char *err, size_t errlen)
{
	if (db->checkpointer != NULL)
		return 0;
	db->checkpointer = checkpointer_start(db->path, err, errlen);
	return db->checkpointer != NULL ? 0 : -1;
}

/* The thread's checkpoint would hold the lock this one needs: it waits. */
int
db_checkpoint_truncate(struct db *db)
{
	int	 rc;

	if (db->checkpointer != NULL)
		checkpointer_hold(db->checkpointer);
	rc = sqlite3_wal_checkpoint_v2(db->sqlite, NULL,
	    SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	if (db->checkpointer != NULL)
		checkpointer_release(db->checkpointer);
	if (rc != SQLITE_OK) {
		log_warnx("database checkpoint: %s",
		    sqlite3_errmsg(db->sqlite));
		return -1;
	}
	return 0;
}

struct db *
db_open(const char *path, char *err, size_t errlen)
{
	struct db	*db;

	if ((db = calloc(1, sizeof(*db))) == NULL ||
	    (db->path = strdup(path)) == NULL) {
		snprintf(err, errlen, "out of memory");
		free(db);
		return NULL;
	}
	if (db_make_private(path, err, errlen) == -1) {
		db_close(db);
		return NULL;
	}
	/*
	 * No memory statistics (nothing reads them): with them every
	 * allocation SQLite makes takes a global mutex (5% of a series
	 * move, a tenth of an import).  Only possible before SQLite
	 * starts: refused (and harmless) for a second database.
	 */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (sqlite3_open_v2(path, &db->sqlite, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
		    db->sqlite ? sqlite3_errmsg(db->sqlite) : "cannot open");
		db_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db->sqlite, 5000);
	sqlite3_extended_result_codes(db->sqlite, 1);
	if (fold_register(db->sqlite) == -1) {
		snprintf(err, errlen, "%s: %s", path,
		    sqlite3_errmsg(db->sqlite));
		db_close(db);
		return NULL;
	}
	if (sqlite3_db_readonly(db->sqlite, "main") == 1) {
		db_check_writable(db, err, errlen);
		db_close(db);
		return NULL;
	}
	/* temp_store in memory: a savepoint's statement journal (an
	 * import's, one an event) otherwise spills to a file in /var/tmp,
	 * made, written page by page and removed every slice. */
	if (db_exec(db, "PRAGMA journal_mode = WAL") == -1 ||
	    db_exec(db, "PRAGMA synchronous = FULL") == -1 ||
	    db_exec(db, "PRAGMA foreign_keys = ON") == -1 ||
	    db_exec(db, "PRAGMA cache_size = " DB_CACHE_KIB) == -1 ||
	    db_exec(db, "PRAGMA temp_store = MEMORY") == -1) {
		snprintf(err, errlen, "%s: %s", path,
		    sqlite3_errmsg(db->sqlite));
		db_close(db);
		return NULL;
	}
	/* In place of SQLite's checkpoint inside the commit (its default
	 * hook), ours: the same, or the caller's later. */
	(void)sqlite3_wal_hook(db->sqlite, db_wal_hook, db);
	if (db_migrate(db, err, errlen) == -1 ||
	    db_check_writable(db, err, errlen) == -1 ||
	    db_make_private(path, err, errlen) == -1) {
		db_close(db);
		return NULL;
	}
	return db;
}

static void
db_drop_marks(struct db *db, size_t keep)
{
	while (db->nmarks > keep)
		free(db->marks[--db->nmarks].name);
}

/*
 * The planner's statistics kept fresh, as SQLite advises for a
 * connection that lives long: the tables this one queried whose size
 * changed much, each from a bounded sample (a few milliseconds on
 * 100,000 sessions).  Without them a new practice's queries were
 * planned blind until the daemon's first stop.
 */
void
db_optimize(struct db *db)
{
	if (sqlite3_db_readonly(db->sqlite, "main") == 0 &&
	    db_exec(db, "PRAGMA analysis_limit = 400; PRAGMA optimize") == -1)
		log_warnx("database: the planner's statistics were not "
		    "refreshed");
}

void
db_close(struct db *db)
{
	size_t	 i;

	if (db == NULL)
		return;
	checkpointer_stop(db->checkpointer);
	db->checkpointer = NULL;
	for (i = 0; i < db->ncache; i++)
		sqlite3_finalize(db->cache[i].stmt);
	free(db->cache);
	for (i = 0; i < db->nnamed; i++) {
		sqlite3_finalize(db->named[i].stmt);
		sqlite3_free(db->named[i].sql);
	}
	if (db->sqlite != NULL)
		db_optimize(db);
	if (db->sqlite != NULL && sqlite3_close(db->sqlite) != SQLITE_OK)
		log_warnx("database close: %s", sqlite3_errmsg(db->sqlite));
	db_drop_marks(db, 0);
	free(db->marks);
	free(db->hooks);
	free(db->path);
	free(db);
}

int
db_writable(struct db *db)
{
	return sqlite3_db_readonly(db->sqlite, "main") == 0 &&
	    access(db->path, W_OK) == 0;
}

/*
 * A POSIX record lock rather than flock(2): F_GETLK names the holder's
 * pid, where a pid written into the file could still be the last
 * holder's at the moment a second daemon reads it.
 */
int
db_lock(const char *path, char *err, size_t errlen)
{
	struct flock	 fl;
	char		 lock[4096], pid[32];
	int		 fd, n, tries;

	if ((size_t)snprintf(lock, sizeof(lock), "%s.lock", path) >=
	    sizeof(lock)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	if ((fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600)) == -1) {
		snprintf(err, errlen, "%s: %s", lock, strerror(errno));
		return -1;
	}
	for (tries = 0; tries < 3; tries++) {
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, F_SETLK, &fl) == 0)
			break;
		if (errno != EACCES && errno != EAGAIN) {
			snprintf(err, errlen, "%s: %s", lock, strerror(errno));
			close(fd);
			return -1;
		}
		if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) {
			snprintf(err, errlen, "another practiced (pid %ld) is "
			    "using %s (it holds %s)", (long)fl.l_pid, path,
			    lock);
			close(fd);
			return -1;
		}
		/* Released in between: try again. */
	}
	if (tries == 3) {
		snprintf(err, errlen, "another practiced is using %s (it "
		    "holds %s)", path, lock);
		close(fd);
		return -1;
	}
	/* For the administrator's eyes only. */
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (pwrite(fd, pid, (size_t)n, 0) != n || ftruncate(fd, n) == -1)
		log_warn("%s: cannot record our pid", lock);
	return fd;
}

sqlite3 *
db_handle(struct db *db)
{
	return db->sqlite;
}

int
db_synchronous(struct db *db, int full)
{
	return db_exec(db, full ? "PRAGMA synchronous = FULL" :
	    "PRAGMA synchronous = NORMAL");
}

int
db_begin(struct db *db)
{
	db->storage = DB_STORAGE_OK;
	db->nhooks = 0;
	db_drop_marks(db, 0);
	return db_exec(db, "BEGIN IMMEDIATE");
}

static void
db_run_hooks(struct db *db)
{
	struct db_hook	*hooks = db->hooks;
	size_t		 i, n = db->nhooks;

	/* Taken first: a hook may run a transaction of its own. */
	db->hooks = NULL;
	db->nhooks = 0;
	for (i = 0; i < n; i++)
		hooks[i].fn(hooks[i].arg);
	free(hooks);
}

int
db_commit(struct db *db)
{
	db_drop_marks(db, 0);
	if (db_exec(db, "COMMIT") == -1 || !sqlite3_get_autocommit(db->sqlite)) {
		db_rollback(db);
		return -1;
	}
	db_run_hooks(db);
	return 0;
}

void
db_rollback(struct db *db)
{
	db->nhooks = 0;
	db_drop_marks(db, 0);
	if (sqlite3_get_autocommit(db->sqlite))
		return;		/* nothing open: SQLite already rolled back */
	(void)db_exec(db, "ROLLBACK");
}

int
db_after_commit(struct db *db, void (*fn)(void *), void *arg)
{
	struct db_hook	*grown;
	size_t		 i;

	if (sqlite3_get_autocommit(db->sqlite)) {
		fn(arg);	/* no transaction: what it follows is done */
		return 0;
	}
	for (i = 0; i < db->nhooks; i++)
		if (db->hooks[i].fn == fn && db->hooks[i].arg == arg)
			return 0;
	grown = reallocarray(db->hooks, db->nhooks + 1, sizeof(*grown));
	if (grown == NULL) {
		log_warnx("database: out of memory");
		return -1;
	}
	db->hooks = grown;
	db->hooks[db->nhooks].fn = fn;
	db->hooks[db->nhooks].arg = arg;
	db->nhooks++;
	return 0;
}

/* SAVEPOINT, RELEASE or ROLLBACK TO a quoted name. */
/* The statement of that text, prepared once; NULL when the cache is
 * full or it cannot be prepared (db_exec then says why). */
static sqlite3_stmt *
db_named_stmt(struct db *db, const char *sql)
{
	sqlite3_stmt	*stmt;
	size_t		 i;
	char		*copy;

	for (i = 0; i < db->nnamed; i++)
		if (strcmp(db->named[i].sql, sql) == 0)
			return db->named[i].stmt;
	if (db->nnamed == DB_NAMED_MAX ||
	    (copy = sqlite3_mprintf("%s", sql)) == NULL)
		return NULL;
	if (sqlite3_prepare_v3(db->sqlite, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &stmt, NULL) != SQLITE_OK) {
		sqlite3_free(copy);
		return NULL;
	}
	db->named[db->nnamed].sql = copy;
	db->named[db->nnamed].stmt = stmt;
	db->nnamed++;
	return stmt;
}

static int
db_exec_named(struct db *db, const char *verb, const char *name)
{
	sqlite3_stmt	*stmt;
	char		*sql;
	int		 rc;

	if ((sql = sqlite3_mprintf("%s \"%w\"", verb, name)) == NULL) {
		log_warnx("database: out of memory");
		return -1;
	}
	if ((stmt = db_named_stmt(db, sql)) == NULL) {
		rc = db_exec(db, sql);
		sqlite3_free(sql);
		return rc;
	}
	sqlite3_free(sql);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		db_note_failure(db);
		log_warnx("database: %s", sqlite3_errmsg(db->sqlite));
		return -1;
	}
	return 0;
}

/* The innermost open savepoint of that name, or -1. */
static long
db_find_mark(struct db *db, const char *name)
{
	size_t	 i;

	for (i = db->nmarks; i > 0; i--)
		if (strcmp(db->marks[i - 1].name, name) == 0)
			return (long)(i - 1);
	log_warnx("database: no savepoint %s is open", name);
	return -1;
}

int
db_savepoint(struct db *db, const char *name)
{
	struct db_mark	*grown;
	char		*copy;

	if (sqlite3_get_autocommit(db->sqlite)) {
		log_warnx("database: savepoint %s outside a transaction",
		    name);
		return -1;
	}
	grown = reallocarray(db->marks, db->nmarks + 1, sizeof(*grown));
	if (grown == NULL || (copy = strdup(name)) == NULL) {
		if (grown != NULL)
			db->marks = grown;
		log_warnx("database: out of memory");
		return -1;
	}
	db->marks = grown;
	if (db_exec_named(db, "SAVEPOINT", name) == -1) {
		free(copy);
		return -1;
	}
	db->marks[db->nmarks].name = copy;
	db->marks[db->nmarks].nhooks = db->nhooks;
	db->nmarks++;
	return 0;
}

int
db_release(struct db *db, const char *name)
{
	long	 i;

	if ((i = db_find_mark(db, name)) == -1 ||
	    db_exec_named(db, "RELEASE", name) == -1)
		return -1;
	db_drop_marks(db, (size_t)i);
	return 0;
}

int
db_rollback_to(struct db *db, const char *name)
{
	long	 i;

	if ((i = db_find_mark(db, name)) == -1 ||
	    db_exec_named(db, "ROLLBACK TO", name) == -1 ||
	    db_exec_named(db, "RELEASE", name) == -1)
		return -1;
	db->nhooks = db->marks[i].nhooks;
	db_drop_marks(db, (size_t)i);
	return 0;
}

sqlite3_stmt *
db_stmt(struct db *db, const char *sql)
{
	struct db_cached	*grown;
	sqlite3_stmt		*stmt;
	size_t			 i;

	for (i = 0; i < db->ncache; i++) {
		if (db->cache[i].sql == sql) {
			stmt = db->cache[i].stmt;
			sqlite3_reset(stmt);
			sqlite3_clear_bindings(stmt);
			return stmt;
		}
	}
	if (sqlite3_prepare_v3(db->sqlite, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &stmt, NULL) != SQLITE_OK) {
		log_warnx("database prepare: %s: %s", sqlite3_errmsg(db->sqlite),
		    sql);
		return NULL;
	}
	grown = reallocarray(db->cache, db->ncache + 1, sizeof(*grown));
	if (grown == NULL) {
		sqlite3_finalize(stmt);
		log_warnx("database: out of memory");
		return NULL;
	}
	db->cache = grown;
	db->cache[db->ncache].sql = sql;
	db->cache[db->ncache].stmt = stmt;
	db->ncache++;
	return stmt;
}

int
db_exec_stmt(struct db *db, sqlite3_stmt *stmt)
{
	int	 rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		db_note_failure(db);
		log_warnx("database: %s", sqlite3_errmsg(db->sqlite));
		sqlite3_reset(stmt);
		return -1;
	}
	sqlite3_reset(stmt);
	return 0;
}

int
db_ids(struct db *db, sqlite3_stmt *stmt, long long **ids, size_t *n)
{
	long long	*grown;
	int		 rc;

	*ids = NULL;
	*n = 0;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if ((grown = reallocarray(*ids, *n + 1, sizeof(**ids))) ==
		    NULL) {
			log_warnx("database: out of memory");
			break;
		}
		*ids = grown;
		(*ids)[(*n)++] = sqlite3_column_int64(stmt, 0);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		db_note_failure(db);
		log_warnx("database: %s", sqlite3_errmsg(db->sqlite));
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

long long
db_count(struct db *db, const char *sql)
{
	sqlite3_stmt	*stmt;
	long long	 n = -1;

	if ((stmt = db_stmt(db, sql)) == NULL)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return n;
}

int
db_bind_text(sqlite3_stmt *stmt, int col, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(stmt, col);
	return sqlite3_bind_text(stmt, col, s, -1, SQLITE_TRANSIENT);
}

const char *
db_column_text(sqlite3_stmt *stmt, int col)
{
	return (const char *)sqlite3_column_text(stmt, col);
}
