//! The connection to whichever database the URL names, its migrations, and write transactions.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{AssertSqlSafe, Postgres, SqlSafeStr, Sqlite, Transaction};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database URL must start sqlite:// or postgres:// (got {0})")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the database already holds establishments or people: seed into a new database")]
    NotEmpty,
    #[error("stored data cannot be read back: {0}")]
    Corrupt(String),
    #[error(transparent)]
    OutOfRange(#[from] throughcare_core::time::OutOfRange),
}

/// A database URL whose password never reaches a log or an error message.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_sqlite(&self) -> bool {
        self.0.starts_with("sqlite:")
    }
}

impl FromStr for DatabaseUrl {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, StoreError> {
        let ok = ["sqlite:", "postgres://", "postgresql://"].iter().any(|p| s.starts_with(p));
        if ok { Ok(Self(s.to_string())) } else { Err(StoreError::UnsupportedUrl(Self(s.to_string()).to_string())) }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // user:password@host → user:***@host
        match (self.0.find("://"), self.0.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                let userinfo = &self.0[scheme + 3..at];
                let user = userinfo.split(':').next().unwrap_or("");
                let masked = if userinfo.contains(':') { format!("{user}:***") } else { user.to_string() };
                write!(f, "{}{}{}", &self.0[..scheme + 3], masked, &self.0[at..])
            }
            _ => f.write_str(&self.0),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// Each migration exists once per backend under the same version: the list makes that structural.
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "foundation",
        include_str!("../migrations/sqlite/0001_foundation.sql"),
        include_str!("../migrations/postgres/0001_foundation.sql"),
    ),
    (
        2,
        "obligations",
        include_str!("../migrations/sqlite/0002_obligations.sql"),
        include_str!("../migrations/postgres/0002_obligations.sql"),
    ),
    (
        3,
        "staff_audit",
        include_str!("../migrations/sqlite/0003_staff_audit.sql"),
        include_str!("../migrations/postgres/0003_staff_audit.sql"),
    ),
    (
        4,
        "findings",
        include_str!("../migrations/sqlite/0004_findings.sql"),
        include_str!("../migrations/postgres/0004_findings.sql"),
    ),
    (
        5,
        "events_by_recorder",
        include_str!("../migrations/sqlite/0005_events_by_recorder.sql"),
        include_str!("../migrations/postgres/0005_events_by_recorder.sql"),
    ),
    (
        6,
        "acct_open_cases",
        include_str!("../migrations/sqlite/0006_acct_open_cases.sql"),
        include_str!("../migrations/postgres/0006_acct_open_cases.sql"),
    ),
    (
        7,
        "workforce",
        include_str!("../migrations/sqlite/0007_workforce.sql"),
        include_str!("../migrations/postgres/0007_workforce.sql"),
    ),
    (
        8,
        "kiosk",
        include_str!("../migrations/sqlite/0008_kiosk.sql"),
        include_str!("../migrations/postgres/0008_kiosk.sql"),
    ),
    (
        9,
        "establishment_record",
        include_str!("../migrations/sqlite/0009_establishment_record.sql"),
        include_str!("../migrations/postgres/0009_establishment_record.sql"),
    ),
    (
        10,
        "annual_report",
        include_str!("../migrations/sqlite/0010_annual_report.sql"),
        include_str!("../migrations/postgres/0010_annual_report.sql"),
    ),
];

fn migrator(sqlite: bool) -> Migrator {
    Migrator::with_migrations(
        MIGRATIONS
            .iter()
            .map(|(version, name, lite, pg)| {
                let sql = if sqlite { *lite } else { *pg };
                Migration::new(*version, (*name).into(), MigrationType::Simple, sql.into_sql_str(), false)
            })
            .collect(),
    )
}

/// The database: SQLite with one writer and several readers, or a PostgreSQL pool.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite { write: SqlitePool, read: SqlitePool },
    Postgres(PgPool),
}

/// Pastes one body into an arm per backend, so each query is written once and checked for both.
macro_rules! on_db {
    ($db:expr, read |$p:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite { read: $p, .. } => $body,
            $crate::db::Db::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_db;

/// The same for an open write transaction.
macro_rules! on_tx {
    ($tx:expr, |$t:ident| $body:expr) => {
        match $tx {
            $crate::db::WriteTx::Sqlite($t) => $body,
            $crate::db::WriteTx::Postgres($t) => $body,
        }
    };
}
pub(crate) use on_tx;

/// One write transaction. Dropped without `commit`, it rolls back: nothing is half written.
pub enum WriteTx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), StoreError> {
        on_tx!(self, |t| t.commit().await?);
        Ok(())
    }
}

impl Db {
    /// Opens (creating a SQLite file on first use) and migrates the database the URL names.
    pub async fn connect(url: &DatabaseUrl) -> Result<Self, StoreError> {
        let db = if url.is_sqlite() {
            let opts = SqliteConnectOptions::from_str(url.expose())?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                // 64 MB of page cache: random event ids make index inserts touch pages all over the file.
                .pragma("cache_size", "-65536");
            // One writer: SQLite serialises writes anyway, and a queue beats SQLITE_BUSY.
            let write = SqlitePoolOptions::new().max_connections(1).connect_with(opts.clone()).await?;
            migrator(true).run(&write).await?;
            let read = SqlitePoolOptions::new().max_connections(4).connect_with(opts.read_only(true)).await?;
            Db::Sqlite { write, read }
        } else {
            let pool = PgPoolOptions::new().max_connections(8).connect(url.expose()).await?;
            migrator(false).run(&pool).await?;
            Db::Postgres(pool)
        };
        db.build_open_accts_once().await?;
        Ok(db)
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite { .. } => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Begins a write transaction; on SQLite `BEGIN IMMEDIATE`, so it never fails later with SQLITE_BUSY.
    pub async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        Ok(match self {
            Db::Sqlite { write, .. } => WriteTx::Sqlite(write.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => WriteTx::Postgres(p.begin().await?),
        })
    }

    /// Every user table and its columns, sorted, as the database itself reports them.
    pub async fn schema(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut cols: Vec<(String, String)> = match self {
            Db::Sqlite { read, .. } => {
                sqlx::query_as(
                    "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
                )
                .fetch_all(read)
                .await?
            }
            Db::Postgres(p) => {
                sqlx::query_as(
                    "SELECT table_name::text, column_name::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'",
                )
                .fetch_all(p)
                .await?
            }
        };
        cols.sort();
        Ok(cols)
    }

    /// Closes every connection (SQLite checkpoints its write-ahead log).
    pub async fn close(&self) {
        match self {
            Db::Sqlite { write, read } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(p) => p.close().await,
        }
    }

    /// Size on disk in bytes, as the database reports it.
    pub async fn size_bytes(&self) -> Result<i64, StoreError> {
        Ok(match self {
            Db::Sqlite { read, .. } => {
                sqlx::query_scalar("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
                    .fetch_one(read)
                    .await?
            }
            Db::Postgres(p) => sqlx::query_scalar("SELECT pg_database_size(current_database())").fetch_one(p).await?,
        })
    }
}

/// Creates a PostgreSQL database (used by tests and benchmarks for a fresh one each time).
pub async fn create_postgres_database(admin_url: &DatabaseUrl, name: &str) -> Result<DatabaseUrl, StoreError> {
    assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
    let pool = PgPoolOptions::new().max_connections(1).connect(admin_url.expose()).await?;
    sqlx::query(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}"))).execute(&pool).await?;
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&pool).await?;
    pool.close().await;
    let base = admin_url.expose();
    let cut = base.rfind('/').filter(|i| *i > base.find("://").map_or(0, |s| s + 2)).unwrap_or(base.len());
    let (head, tail) = base.split_at(cut);
    let query = tail.find('?').map(|q| &tail[q..]).unwrap_or("");
    Ok(DatabaseUrl(format!("{head}/{name}{query}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_hide_passwords_and_name_their_backend() {
        let u: DatabaseUrl = "postgres://app:s3cret@db:5432/tc".parse().unwrap();
        assert_eq!(u.to_string(), "postgres://app:***@db:5432/tc");
        assert!(!format!("{u:?}").contains("s3cret"));
        assert!(!u.is_sqlite());
        let err = "mysql://root:pw@x/y".parse::<DatabaseUrl>().unwrap_err().to_string();
        assert!(err.contains("sqlite://") && !err.contains("pw@"), "{err}");
        assert!("sqlite://throughcare.db".parse::<DatabaseUrl>().unwrap().is_sqlite());
    }

    /// A migration file not in the list would never run (it has happened twice): every file in
    /// either folder is listed, under its own number and name.
    #[test]
    fn every_migration_file_is_listed() {
        for backend in ["sqlite", "postgres"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
            let mut files: Vec<String> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|f| f.ends_with(".sql"))
                .collect();
            files.sort();
            let listed: Vec<String> = MIGRATIONS.iter().map(|(v, name, _, _)| format!("{v:04}_{name}.sql")).collect();
            assert_eq!(files, listed, "{backend}");
        }
    }
}
