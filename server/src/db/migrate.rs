//! Numbered schema migrations, embedded in the binary, one transaction each. Safe to run from
//! several server processes at once (PostgreSQL advisory lock; SQLite's write lock).

use sqlx::{Executor, Row};

use super::{Db, DbError, Dialect};

/// The migrations, in order. Never edit a released one: add a new file.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../../migrations/0001_initial.sql"),
    ),
    (
        2,
        "preferences",
        include_str!("../../migrations/0002_preferences.sql"),
    ),
    (
        3,
        "clock_events_officer_index",
        include_str!("../../migrations/0003_clock_events_officer_index.sql"),
    ),
    (
        4,
        "administration",
        include_str!("../../migrations/0004_administration.sql"),
    ),
];

/// Arbitrary constant identifying the migration lock among PostgreSQL advisory locks.
const PG_MIGRATION_LOCK: i64 = 0x00ff_d07e;

/// Applies every migration not yet applied. Returns the versions applied by this call.
pub async fn migrate(db: &Db) -> Result<Vec<i64>, DbError> {
    let mut conn = db.pool.acquire().await?;
    if db.dialect == Dialect::Postgres {
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(PG_MIGRATION_LOCK)
            .execute(&mut *conn)
            .await?;
    }
    let result = apply_pending(db, &mut conn).await;
    if db.dialect == Dialect::Postgres {
        sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(PG_MIGRATION_LOCK)
            .execute(&mut *conn)
            .await?;
    }
    result
}

async fn apply_pending(
    db: &Db,
    conn: &mut sqlx::pool::PoolConnection<sqlx::Any>,
) -> Result<Vec<i64>, DbError> {
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (\
           version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_us BIGINT NOT NULL)",
    )
    .await?;
    let applied: Vec<i64> = sqlx::query("SELECT version FROM schema_migrations")
        .fetch_all(&mut **conn)
        .await?
        .iter()
        .map(|r| r.try_get::<i64, _>("version"))
        .collect::<Result<_, _>>()?;
    let mut done = Vec::new();
    for (version, name, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        let begin = match db.dialect {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => "BEGIN",
        };
        conn.execute(begin).await?;
        let run = async {
            for statement in split_statements(sql) {
                conn.execute(sqlx::AssertSqlSafe(statement)).await?;
            }
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, applied_us) VALUES ($1, $2, $3)",
            )
            .bind(*version)
            .bind(*name)
            .bind(super::to_us(chrono::Utc::now()))
            .execute(&mut **conn)
            .await?;
            Ok::<(), sqlx::Error>(())
        }
        .await;
        match run {
            Ok(()) => {
                conn.execute("COMMIT").await?;
                tracing::info!(version, name, "applied migration");
                done.push(*version);
            }
            Err(source) => {
                let _ = conn.execute("ROLLBACK").await;
                return Err(DbError::Migration {
                    version: *version,
                    source,
                });
            }
        }
    }
    Ok(done)
}

/// Splits a migration file into statements on `;` at the end of a line, dropping comments.
fn split_statements(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in sql.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("--") || trimmed.is_empty() {
            continue;
        }
        let code = match line.find("--") {
            Some(i) => &line[..i],
            None => line,
        };
        current.push_str(code);
        current.push('\n');
        if code.trim_end().ends_with(';') {
            out.push(current.trim().trim_end_matches(';').to_string());
            current.clear();
        }
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_split_on_line_ending_semicolons() {
        let s = split_statements(
            "-- c\nCREATE TABLE a (x TEXT); -- trailing\nCREATE INDEX i ON a (x);\n",
        );
        assert_eq!(
            s,
            vec!["CREATE TABLE a (x TEXT)", "CREATE INDEX i ON a (x)"]
        );
    }
}
