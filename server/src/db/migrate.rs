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
        "change_log_compaction",
        include_str!("../../migrations/0004_change_log_compaction.sql"),
    ),
    (
        5,
        "administration",
        include_str!("../../migrations/0005_administration.sql"),
    ),
    (
        6,
        "device_push_tokens",
        include_str!("../../migrations/0006_device_push_tokens.sql"),
    ),
    (
        7,
        "console_sessions",
        include_str!("../../migrations/0007_console_sessions.sql"),
    ),
    (8, "totp", include_str!("../../migrations/0008_totp.sql")),
    (
        9,
        "marketplace",
        include_str!("../../migrations/0009_marketplace.sql"),
    ),
    (10, "money", include_str!("../../migrations/0010_money.sql")),
    (
        11,
        "delivery",
        include_str!("../../migrations/0011_delivery.sql"),
    ),
    (
        12,
        "payroll",
        include_str!("../../migrations/0012_payroll.sql"),
    ),
    (
        13,
        "alerts",
        include_str!("../../migrations/0013_alerts.sql"),
    ),
    (
        14,
        "reports",
        include_str!("../../migrations/0014_reports.sql"),
    ),
    (
        15,
        "ratings",
        include_str!("../../migrations/0015_ratings.sql"),
    ),
    (
        16,
        "affiliates",
        include_str!("../../migrations/0016_affiliates.sql"),
    ),
    (
        17,
        "late_reports",
        include_str!("../../migrations/0017_late_reports.sql"),
    ),
    (
        18,
        "direct_payouts",
        include_str!("../../migrations/0018_direct_payouts.sql"),
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

/// Splits a migration file into statements on `;`, dropping comments. A small tokenizer, so a
/// `;` or `--` inside a string literal (`'…'`, `''` is a quote) or a quoted identifier (`"…"`,
/// `""` is a quote) is kept as written; `-- …` runs to the end of the line, `/* … */` to the first
/// `*/` (not nested, as on SQLite). A comment becomes one space, as SQL reads it. Dollar-quoted
/// PostgreSQL strings are not recognized: migrations must run on both databases, and SQLite has
/// none.
fn split_statements(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = sql.chars().peekable();
    let mut push = |current: &mut String| {
        let statement = current.trim();
        if !statement.is_empty() {
            out.push(statement.to_string());
        }
        current.clear();
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                // A literal or quoted identifier, kept verbatim; a doubled quote is an escape.
                current.push(c);
                while let Some(d) = chars.next() {
                    current.push(d);
                    if d == c {
                        if chars.peek() == Some(&c) {
                            current.push(c);
                            chars.next();
                        } else {
                            break;
                        }
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                for d in chars.by_ref() {
                    if d == '\n' {
                        current.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = '\0';
                for d in chars.by_ref() {
                    if prev == '*' && d == '/' {
                        break;
                    }
                    prev = d;
                }
                current.push(' ');
            }
            ';' => push(&mut current),
            _ => current.push(c),
        }
    }
    push(&mut current);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_split_on_semicolons_and_comments_are_dropped() {
        let s = split_statements(
            "-- c\nCREATE TABLE a (x TEXT); -- trailing\nCREATE INDEX i ON a (x);\n",
        );
        assert_eq!(
            s,
            vec!["CREATE TABLE a (x TEXT)", "CREATE INDEX i ON a (x)"]
        );
    }

    #[test]
    fn a_literal_keeps_its_double_dash_and_semicolon() {
        let s = split_statements(
            "ALTER TABLE t ADD COLUMN note TEXT NOT NULL DEFAULT 'a -- b; c'; -- gone\n\
             INSERT INTO t (note) VALUES ('it''s -- still; text');",
        );
        assert_eq!(
            s,
            vec![
                "ALTER TABLE t ADD COLUMN note TEXT NOT NULL DEFAULT 'a -- b; c'",
                "INSERT INTO t (note) VALUES ('it''s -- still; text')",
            ]
        );
    }

    #[test]
    fn quoted_identifiers_and_block_comments_are_understood() {
        let s = split_statements(
            "CREATE TABLE \"odd;--\"\"name\" (x TEXT /* a; -- b */, y TEXT);\n\
             /* a whole; comment\n over lines */ SELECT 1; SELECT '/* not a comment */'",
        );
        assert_eq!(
            s,
            vec![
                "CREATE TABLE \"odd;--\"\"name\" (x TEXT  , y TEXT)",
                "SELECT 1",
                "SELECT '/* not a comment */'",
            ]
        );
    }

    #[test]
    fn a_statement_may_end_mid_line_or_without_a_semicolon() {
        let s = split_statements("SELECT 1; SELECT 2;\n\n;  ;\nSELECT 3 -- last\n");
        assert_eq!(s, vec!["SELECT 1", "SELECT 2", "SELECT 3"]);
    }

    #[test]
    fn every_shipped_migration_splits_into_its_statements() {
        // The files hold no literal with `;` or `--`: the count of statements is the count of
        // lines ending in `;`, and no statement still carries a comment.
        for (version, _, sql) in MIGRATIONS {
            let statements = split_statements(sql);
            let ends = sql
                .lines()
                .filter(|l| !l.trim_start().starts_with("--") && l.trim_end().ends_with(';'))
                .count();
            assert_eq!(statements.len(), ends, "migration {version}");
            assert!(
                statements.iter().all(|s| !s.contains("--")),
                "migration {version}"
            );
        }
    }
}
