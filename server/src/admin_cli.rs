//! `offduty-server admin …`: department administration from the command line, straight against
//! the database (`--database-url`), for the operator: bootstrapping a department and its first
//! coordinator, officers one at a time or from a roster CSV, disabling accounts, resetting
//! passwords, changing roles. The same services as the API make every change, with the same
//! rules and audit entries (the actor is recorded as the operating-system user).

use std::io::BufRead;
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand};
use serde::Serialize;
use uuid::Uuid;

use offduty_domain::eligibility::Rank;
use offduty_domain::protocol::Role;

use crate::db::{Db, get, get_uuid, migrate};
use crate::error::ApiError;
use crate::services::access;
use crate::services::accounts::{self, Admin, NewOfficer};
use crate::services::roster;

/// `offduty-server admin`.
#[derive(Debug, Args)]
pub struct AdminArgs {
    /// `sqlite://FILE` or `postgres://user:pass@host/db` (already migrated).
    #[arg(
        long,
        env = "OFFDUTY_DATABASE_URL",
        default_value = "sqlite://offduty.db",
        global = true
    )]
    pub database_url: String,
    /// The department (name or id); may be left out when the database holds only one.
    #[arg(long, env = "OFFDUTY_DEPARTMENT", global = true)]
    pub department: Option<String>,
    /// Print the result as JSON.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: AdminCommand,
}

/// The administrative commands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a department (prints its id).
    CreateDepartment {
        #[arg(long)]
        name: String,
        /// IANA time zone, e.g. America/New_York.
        #[arg(long)]
        time_zone: String,
    },
    /// Create a coordinator account (a new department's first one).
    CreateCoordinator {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Read the password from the first line of standard input; otherwise a one-time
        /// setup token is printed.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Create one officer.
    CreateOfficer {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        badge: String,
        /// officer, corporal, sergeant, lieutenant, captain, commander or chief.
        #[arg(long, default_value = "officer", value_parser = parse_rank)]
        rank: Rank,
        /// YYYY-MM-DD.
        #[arg(long)]
        seniority_date: Option<NaiveDate>,
        /// `;`-separated, e.g. "flagger;motor".
        #[arg(long, default_value = "")]
        certifications: String,
        /// `;`-separated.
        #[arg(long, default_value = "")]
        groups: String,
        /// When the secondary-employment permit lapses (RFC 3339, UTC).
        #[arg(long)]
        permit_expires_at: Option<DateTime<Utc>>,
        /// Read the password from the first line of standard input; otherwise a one-time
        /// setup token is printed.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Import a roster CSV (header row; all or nothing; re-importing changes nothing).
    ImportRoster { file: PathBuf },
    /// List the department's accounts.
    ListUsers,
    /// Disable an account (by e-mail or id): its sessions end at once.
    DisableUser { user: String },
    /// Enable a disabled account.
    EnableUser { user: String },
    /// Reset a password (by e-mail or id): sessions end; prints a one-time setup token unless
    /// `--password-stdin` gives the new password.
    ResetPassword {
        user: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Remove an account's two-factor sign-in (a lost phone and lost recovery codes): the next
    /// sign-in takes the password alone, then enrolment if the department requires it.
    ResetTwoFactor { user: String },
    /// Make an account an officer or a coordinator: its sessions end.
    SetRole {
        user: String,
        #[arg(value_parser = parse_role)]
        role: Role,
    },
}

fn parse_rank(s: &str) -> Result<Rank, String> {
    serde_json::from_value(serde_json::Value::String(s.trim().to_lowercase()))
        .map_err(|_| format!("unknown rank {s:?}"))
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s.trim()).ok_or_else(|| format!("unknown role {s:?}: officer or coordinator"))
}

/// A refusal as the operator reads it.
fn explain(e: &ApiError) -> String {
    let mut out = match &e.field {
        Some(f) => format!("{f}: {}", e.detail),
        None => e.detail.clone(),
    };
    if let Some(errors) = e.extra.as_ref().and_then(|x| x.get("errors")) {
        for err in errors.as_array().into_iter().flatten() {
            out.push_str(&format!(
                "\n  row {} {}: {}",
                err["row"],
                err["column"].as_str().unwrap_or(""),
                err["detail"].as_str().unwrap_or("")
            ));
        }
    }
    out
}

fn operator() -> Admin {
    let who = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".to_string());
    Admin::Operator(who)
}

fn read_password() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

async fn connect(url: &str) -> Result<Db, String> {
    let db = Db::connect(url, 2).await.map_err(|e| e.to_string())?;
    let latest = migrate::MIGRATIONS.last().map_or(0, |m| m.0);
    let applied: Option<i64> = sqlx::query("SELECT MAX(version) AS v FROM schema_migrations")
        .fetch_one(&db.pool)
        .await
        .ok()
        .and_then(|r| get::<Option<i64>>(&r, "v").ok().flatten());
    if applied.unwrap_or(0) < latest {
        return Err(
            "the database is not migrated to this version: run `offduty-server migrate` first"
                .into(),
        );
    }
    Ok(db)
}

/// The department named by `--department`, or the only one.
async fn department(db: &Db, wanted: Option<&str>) -> Result<Uuid, String> {
    let rows = sqlx::query("SELECT id, name FROM departments ORDER BY name")
        .fetch_all(&db.pool)
        .await
        .map_err(|e| e.to_string())?;
    let mut all = Vec::new();
    for r in &rows {
        let id = get_uuid(r, "id").map_err(|e| e.to_string())?;
        let name: String = get(r, "name").map_err(|e| e.to_string())?;
        all.push((id, name));
    }
    let names = || {
        all.iter()
            .map(|(id, n)| format!("{n} ({id})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let found: Vec<&(Uuid, String)> = match wanted {
        Some(w) => all
            .iter()
            .filter(|(id, n)| id.to_string() == w.trim() || n.eq_ignore_ascii_case(w.trim()))
            .collect(),
        None => all.iter().collect(),
    };
    match found.as_slice() {
        [one] => Ok(one.0),
        [] if all.is_empty() => Err("the database holds no department: create one first".into()),
        [] => Err(format!(
            "no such department; the departments are {}",
            names()
        )),
        _ => Err(format!(
            "name the department with --department; the departments are {}",
            names()
        )),
    }
}

/// The department's account named by e-mail or id.
async fn user(db: &Db, department_id: Uuid, who: &str) -> Result<Uuid, String> {
    let row =
        sqlx::query("SELECT id FROM users WHERE department_id = $1 AND (id = $2 OR email = $3)")
            .bind(department_id.to_string())
            .bind(who.trim())
            .bind(crate::services::fields::normalize_email(who))
            .fetch_optional(&db.pool)
            .await
            .map_err(|e| e.to_string())?;
    match row {
        Some(r) => get_uuid(&r, "id").map_err(|e| e.to_string()),
        None => Err(format!("no account {who:?} in this department")),
    }
}

fn print<T: Serialize>(json: bool, value: &T, text: impl FnOnce(&T) -> String) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_default()
        );
    } else {
        println!("{}", text(value));
    }
}

fn setup_line(token: Option<&String>, expires: Option<DateTime<Utc>>) -> String {
    match (token, expires) {
        (Some(t), Some(e)) => format!(
            "\none-time setup token (set a password with POST /v1/auth/reset-password before {}):\n{t}",
            e.to_rfc3339()
        ),
        _ => String::new(),
    }
}

/// Runs one command.
pub async fn run(args: AdminArgs) -> Result<(), String> {
    let db = connect(&args.database_url).await?;
    let now = Utc::now();
    let json = args.json;
    if let AdminCommand::CreateDepartment { name, time_zone } = &args.command {
        let d = crate::seed::NewDepartment::new(name.trim(), time_zone);
        offduty_domain::eligibility::parse_time_zone(time_zone).map_err(|e| e.to_string())?;
        let id = crate::seed::create_department(&db, &d)
            .await
            .map_err(|e| e.to_string())?;
        print(json, &serde_json::json!({"id": id, "name": d.name}), |_| {
            format!("created department {} ({id})", d.name)
        });
        return Ok(());
    }
    let dept = department(&db, args.department.as_deref()).await?;
    let admin = operator();
    match args.command {
        AdminCommand::CreateDepartment { .. } => Ok(()),
        AdminCommand::CreateCoordinator {
            email,
            name,
            password_stdin,
        } => {
            let password = password_stdin.then(read_password).transpose()?;
            let c = accounts::create_coordinator(
                &db,
                dept,
                &admin,
                &email,
                &name,
                password.as_deref(),
                now,
            )
            .await
            .map_err(|e| explain(&e))?;
            print(json, &c, |c| {
                format!(
                    "created coordinator {} ({}){}",
                    c.account.email,
                    c.account.id,
                    setup_line(c.setup_token.as_ref(), c.setup_expires_at)
                )
            });
            Ok(())
        }
        AdminCommand::CreateOfficer {
            email,
            name,
            badge,
            rank,
            seniority_date,
            certifications,
            groups,
            permit_expires_at,
            password_stdin,
        } => {
            let split = |s: &str| {
                s.split(';')
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            };
            let req = NewOfficer {
                email,
                display_name: name,
                badge,
                rank,
                seniority_date,
                certifications: split(&certifications),
                groups: split(&groups),
                permit_expires_at,
                password: password_stdin.then(read_password).transpose()?,
            };
            let c = accounts::create_officer(&db, dept, &admin, &req, now)
                .await
                .map_err(|e| explain(&e))?;
            print(json, &c, |c| {
                format!(
                    "created officer {} ({}), seniority {}{}",
                    c.account.email,
                    c.account.id,
                    c.account.profile.as_ref().map_or(0, |p| p.seniority),
                    setup_line(c.setup_token.as_ref(), c.setup_expires_at)
                )
            });
            Ok(())
        }
        AdminCommand::ImportRoster { file } => {
            let bytes =
                std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let rows =
                roster::parse(&bytes).map_err(|errors| explain(&roster::refusal(&errors)))?;
            let r = roster::import(&db, dept, &admin, &rows, now)
                .await
                .map_err(|e| explain(&e))?;
            print(json, &r, |r| {
                let mut out = format!(
                    "{} created, {} updated, {} unchanged; {} officers on file are not in this roster",
                    r.created.len(),
                    r.updated.len(),
                    r.unchanged,
                    r.not_in_roster.len()
                );
                for o in &r.updated {
                    out.push_str(&format!(
                        "\nupdated row {} {}: {}",
                        o.row,
                        o.email,
                        o.changed.join(", ")
                    ));
                }
                if !r.created.is_empty() {
                    out.push_str("\none-time setup tokens of the new officers (e-mail,token):");
                    for o in &r.created {
                        out.push_str(&format!(
                            "\n{},{}",
                            o.email,
                            o.setup_token.as_deref().unwrap_or("")
                        ));
                    }
                }
                out
            });
            Ok(())
        }
        AdminCommand::ListUsers => {
            let users = accounts::list(&db, dept).await.map_err(|e| explain(&e))?;
            print(json, &users, |users| {
                users
                    .iter()
                    .map(|u| {
                        format!(
                            "{}  {:<11} {:<8} {:<32} {}{}",
                            u.id,
                            u.role.as_str(),
                            u.profile.as_ref().map_or("", |p| p.badge.as_str()),
                            u.email,
                            u.display_name,
                            if u.disabled { "  (disabled)" } else { "" }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(())
        }
        AdminCommand::DisableUser { user: who } => {
            set_disabled(&db, dept, &admin, &who, true, json, now).await
        }
        AdminCommand::EnableUser { user: who } => {
            set_disabled(&db, dept, &admin, &who, false, json, now).await
        }
        AdminCommand::ResetPassword {
            user: who,
            password_stdin,
        } => {
            let id = user(&db, dept, &who).await?;
            let password = password_stdin.then(read_password).transpose()?;
            let r = access::reset_password(&db, dept, &admin, id, password.as_deref(), now)
                .await
                .map_err(|e| explain(&e))?;
            print(json, &r, |r| {
                format!(
                    "password reset for {who}; every session has ended{}",
                    setup_line(r.setup_token.as_ref(), r.setup_expires_at)
                )
            });
            Ok(())
        }
        AdminCommand::ResetTwoFactor { user: who } => {
            let id = user(&db, dept, &who).await?;
            let removed = crate::services::two_factor::reset(&db, dept, &admin, id, now)
                .await
                .map_err(|e| e.to_string())?;
            print(
                json,
                &serde_json::json!({"had_second_factor": removed}),
                |_| {
                    if removed {
                        format!("two-factor sign-in removed for {who}")
                    } else {
                        format!("{who} had no two-factor sign-in")
                    }
                },
            );
            Ok(())
        }
        AdminCommand::SetRole { user: who, role } => {
            let id = user(&db, dept, &who).await?;
            let c = access::set_role(&db, dept, &admin, id, role, now)
                .await
                .map_err(|e| explain(&e))?;
            print(json, &c, |c| {
                format!(
                    "{} is now {}; every session has ended",
                    c.account.email,
                    c.account.role.as_str()
                )
            });
            Ok(())
        }
    }
}

async fn set_disabled(
    db: &Db,
    dept: Uuid,
    admin: &Admin,
    who: &str,
    disable: bool,
    json: bool,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let id = user(db, dept, who).await?;
    let c = access::set_disabled(db, dept, admin, id, disable, now)
        .await
        .map_err(|e| explain(&e))?;
    print(json, &c, |c| {
        let mut out = format!(
            "{} is {}",
            c.account.email,
            if c.account.disabled {
                "disabled; every session has ended"
            } else {
                "enabled"
            }
        );
        if !c.upcoming_shifts.is_empty() {
            out.push_str(&format!(
                "\nstill holds {} upcoming shift(s): reassign them",
                c.upcoming_shifts.len()
            ));
        }
        out
    });
    Ok(())
}
