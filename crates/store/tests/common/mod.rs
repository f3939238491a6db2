//! Fresh databases for each test: a SQLite file always, and PostgreSQL when a server is named.
//!
//! THROUGHCARE_TEST_POSTGRES_URL names a PostgreSQL server (any database on it; each test makes
//! its own). Under CI it must be set, so PostgreSQL is never skipped there by accident.

use std::sync::atomic::{AtomicU32, Ordering};

use throughcare_store::{DatabaseUrl, Db, create_postgres_database};

pub struct TestDb {
    pub db: Db,
    /// Where it is, to connect to it again.
    #[allow(dead_code)]
    pub url: DatabaseUrl,
    _dir: Option<tempfile::TempDir>,
}

impl std::ops::Deref for TestDb {
    type Target = Db;
    fn deref(&self) -> &Db {
        &self.db
    }
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url: DatabaseUrl = format!("sqlite://{}", dir.path().join("t.db").display()).parse().unwrap();
    TestDb { db: Db::connect(&url).await.unwrap(), url, _dir: Some(dir) }
}

pub async fn postgres() -> Option<TestDb> {
    static N: AtomicU32 = AtomicU32::new(0);
    let Ok(url) = std::env::var("THROUGHCARE_TEST_POSTGRES_URL") else {
        assert!(std::env::var_os("CI").is_none(), "CI must set THROUGHCARE_TEST_POSTGRES_URL");
        eprintln!("THROUGHCARE_TEST_POSTGRES_URL is not set: PostgreSQL part skipped");
        return None;
    };
    let name = format!("tc_{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
    let url = create_postgres_database(&url.parse().unwrap(), &name).await.unwrap();
    Some(TestDb { db: Db::connect(&url).await.unwrap(), url, _dir: None })
}

/// A fresh database of every backend available.
pub async fn every_backend() -> Vec<TestDb> {
    let mut all = vec![sqlite().await];
    all.extend(postgres().await);
    all
}

/// The fixed "now" the store tests import at: after every date they use, never the wall clock.
#[allow(dead_code)]
pub fn now() -> jiff::Timestamp {
    "2026-04-01T12:00:00Z".parse().unwrap()
}
