//! throughcare's database: one `Db` over SQLite (the default) and PostgreSQL, with import and export.

pub mod acct;
pub mod annual_reports;
pub mod community;
mod db;
pub mod establishment;
pub mod exchange;
pub mod findings;
pub mod kiosk;
pub mod obligations;
pub mod repo;
pub mod seed;
pub mod sensitivity;
pub mod staff;
pub mod transfer;
pub mod workforce;

pub use db::{DatabaseUrl, Db, StoreError, WriteTx, create_postgres_database};
pub use exchange::{ImportError, RowError};
pub use repo::Table;
